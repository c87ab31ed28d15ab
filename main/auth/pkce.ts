import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * PKCE with S256 only (RFC 7636 §4.1–4.2). Hand-written on node:crypto because the OpenRouter
 * exchange is not standard OAuth and the synchronous hash keeps generation well under 0.2 ms
 * (oauth4webapi's helpers are async WebCrypto; it is used for the standard providers).
 */

/** The only challenge method Latchkey ever sends (security.md 1: never `plain`, no fallback). */
export const CODE_CHALLENGE_METHOD = 'S256';

/** A code verifier: base64url of 32 CSPRNG bytes, 43 characters (RFC 7636 §4.1). */
export function generateCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2). */
export function computeCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A per-attempt nonce (or `state`): 32 CSPRNG bytes, base64url. */
export function generateNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time string comparison for nonces and `state` (security.md 6). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
