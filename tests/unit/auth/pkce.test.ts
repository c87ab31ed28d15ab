import { describe, expect, it } from 'vitest';
import {
  computeCodeChallenge,
  constantTimeEqual,
  generateCodeVerifier,
  generateNonce,
} from '../../../main/auth/pkce';

describe('PKCE (RFC 7636)', () => {
  it('matches the Appendix B vector', () => {
    expect(computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('generates 43-character base64url verifiers that are never repeated', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const verifier = generateCodeVerifier();
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(verifier, 'base64url')).toHaveLength(32);
      seen.add(verifier);
    }
    expect(seen.size).toBe(1000);
  });

  it('challenges are 43-character base64url SHA-256 digests of the verifier', () => {
    const verifier = generateCodeVerifier();
    const challenge = computeCodeChallenge(verifier);
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).not.toBe(verifier);
  });

  it('nonces are fresh base64url strings', () => {
    expect(generateNonce()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateNonce()).not.toBe(generateNonce());
  });

  it('compares in constant time and by value', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
