import { PROVIDER_IDS, type ProviderId } from '../../preload/api';

/**
 * How each provider's callback is bound to its attempt (product.md "Names"):
 * - `path`: the nonce is a path segment, `oauth/<provider>/<nonce>` (OpenRouter documents no
 *   `state` and accepts any callback URL);
 * - `state`: the path is fixed, `oauth/<provider>`, because the provider matches the redirect URI
 *   exactly against its registration, and the `state` parameter carries the nonce.
 * Provider flows declare the same binding (checked by a test).
 */
export const CALLBACK_BINDING: Readonly<Record<ProviderId, 'path' | 'state'>> = {
  openrouter: 'path',
  yooai: 'state',
  oidc: 'state',
};

/**
 * Which route brought the authorization response back: the private-use URI scheme
 * (RFC 8252 §7.1) or the loopback listener (RFC 8252 §7.3).
 */
export type CallbackVia = 'scheme' | 'loopback';

/**
 * Why a URL was not taken for an authorization response. Stable values: tests and logs rely on
 * them, and none of them carries any part of the URL (security.md 16).
 */
export type UnknownReason =
  | 'unparseable'
  | 'too-long'
  | 'wrong-scheme'
  | 'wrong-host'
  | 'wrong-path'
  | 'wrong-port'
  | 'has-fragment'
  | 'too-many-params'
  | 'duplicate-param'
  | 'bad-code'
  | 'missing-code'
  | 'bad-nonce'
  | 'bad-state'
  | 'bad-error'
  | 'bad-iss';

/**
 * A deep link after validation (GitHub Desktop's `parse-app-url` style): either a well-formed
 * authorization response (RFC 6749 §4.1.2), a well-formed error response (RFC 6749 §4.1.2.1),
 * or `unknown` with the reason. Nothing here has been matched against a pending sign-in yet:
 * the nonce is compared in constant time by the auth service (security.md 6–7).
 */
export type DeepLink =
  | {
      readonly kind: 'oauth-callback';
      readonly provider: ProviderId;
      /** The attempt's nonce: the path segment (`path` binding) or the `state` parameter. */
      readonly nonce: string;
      readonly code: string;
      readonly via: CallbackVia;
      /** RFC 9207 `iss`, unchecked; the auth service compares it with the provider's issuer. */
      readonly iss: string | null;
    }
  | {
      readonly kind: 'oauth-error';
      readonly provider: ProviderId;
      readonly nonce: string;
      /** RFC 6749 §4.1.2.1 error code, printable ASCII. */
      readonly error: string;
      /** `error_description` as plain text (control characters removed); never render as HTML. */
      readonly description: string | null;
      readonly via: CallbackVia;
    }
  | { readonly kind: 'unknown'; readonly reason: UnknownReason };

/** What {@link parseDeepLink} accepts. */
export interface ParseOptions {
  /** The private-use scheme without `:`: `app.latchkey`, or `app.latchkey.dev` in development. */
  readonly scheme: string;
  /**
   * Port of the running loopback listener (security.md 8). When set,
   * `http://127.0.0.1:<port>/oauth/<provider>/<nonce>` is accepted too; when absent, no http URL is.
   */
  readonly loopbackPort?: number;
}

/** security.md 6: whole URL ≤ 4 KB. */
export const MAX_DEEP_LINK_LENGTH = 4096;
/** Cap on query parameters (the bad-input corpus sends 1000). */
export const MAX_QUERY_PARAMS = 16;
/** security.md 6: `code` ≤ 512 characters. */
export const MAX_CODE_LENGTH = 512;
/** RFC 6749 §4.1.2.1 `error` cap. */
export const MAX_ERROR_LENGTH = 128;
/** `error_description` cap. */
export const MAX_ERROR_DESCRIPTION_LENGTH = 1024;
/** RFC 9207 `iss` cap. */
export const MAX_ISS_LENGTH = 2048;

/** Host of the private-use scheme form: `<scheme>://oauth/<provider>/<nonce>` (product.md). */
const SCHEME_HOST = 'oauth';
const LOOPBACK_HOST = '127.0.0.1';

/** 32 random bytes in base64url without padding (security.md 1–2). */
const NONCE = /^[A-Za-z0-9_-]{43}$/;
/** security.md 6: the unreserved set of RFC 3986 §2.3. */
const CODE = /^[A-Za-z0-9._~-]+$/;
/** RFC 6749 §4.1.2.1: `error` is limited to %x20-21 / %x23-5B / %x5D-7E; we allow printable ASCII. */
const ERROR = /^[\x20-\x7E]+$/;
/** Browsers and the OS hand over URLs percent-encoded; raw whitespace or non-ASCII is a forgery. */
const RAW_URL = /^[\x21-\x7E]+$/;
/** Control characters and bidi overrides, which could disguise provider text shown to the user. */
const UNSAFE_TEXT = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]+/gu;

/**
 * Parses and validates a URL that may be an authorization response, following security.md 6:
 * length cap, then `new URL`, then the exact scheme (compared on the raw text too, because
 * WHATWG URL lower-cases it), host, port and path (also compared raw, because URL parsing
 * resolves `..`, `%2e%2e` and strips tabs/newlines), then fragment, parameter count,
 * duplicates, `error`, `code` and `iss`.
 *
 * Accepted shapes (product.md): `<scheme>://oauth/openrouter/<nonce>?code=…`,
 * `<scheme>://oauth/<yooai|oidc>?code=…&state=<nonce>[&iss=…]` and, when `loopbackPort` is
 * given, the same paths under `http://127.0.0.1:<loopbackPort>/oauth/…`.
 * Pasted links must be trimmed by the caller: whitespace is rejected here.
 *
 * Never throws; any input that is not exactly right is `{ kind: 'unknown', reason }`.
 */
export function parseDeepLink(raw: string, options: ParseOptions): DeepLink {
  if (raw.length > MAX_DEEP_LINK_LENGTH) return unknown('too-long');
  if (!RAW_URL.test(raw)) return unknown('unparseable');

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return unknown('unparseable');
  }

  const schemePrefix = `${options.scheme}:`;
  let via: CallbackVia;
  let prefix: string;
  if (url.protocol === schemePrefix && raw.startsWith(schemePrefix)) {
    via = 'scheme';
    prefix = schemePrefix;
  } else if (
    options.loopbackPort !== undefined &&
    url.protocol === 'http:' &&
    raw.startsWith('http:')
  ) {
    via = 'loopback';
    prefix = 'http:';
  } else {
    return unknown('wrong-scheme');
  }

  const rest = raw.slice(prefix.length);
  if (!rest.startsWith('//') || url.username !== '' || url.password !== '') {
    return unknown('wrong-host');
  }
  const afterSlashes = rest.slice(2);
  const authorityEnd = firstIndexOf(afterSlashes, '/?#');
  const rawAuthority = afterSlashes.slice(0, authorityEnd);
  const rawPath = afterSlashes.slice(authorityEnd, firstIndexOf(afterSlashes, '?#'));

  const hostProblem =
    via === 'scheme'
      ? checkSchemeAuthority(url, rawAuthority)
      : checkLoopbackAuthority(url, rawAuthority, options.loopbackPort);
  if (hostProblem) return unknown(hostProblem);

  if (raw.includes('#')) return unknown('has-fragment');

  const target = parsePath(url, rawPath, via);
  if (target.kind === 'unknown') return target;
  const { provider } = target;

  const params = [...url.searchParams];
  if (params.length > MAX_QUERY_PARAMS) return unknown('too-many-params');
  const query = new Map<string, string>();
  for (const [key, value] of params) {
    if (query.has(key)) return unknown('duplicate-param');
    query.set(key, value);
  }

  let nonce: string;
  if (target.nonce !== null) {
    nonce = target.nonce;
  } else {
    const state = query.get('state');
    if (state === undefined || !NONCE.test(state)) return unknown('bad-state');
    nonce = state;
  }

  const error = query.get('error');
  if (error !== undefined) {
    if (error.length > MAX_ERROR_LENGTH || !ERROR.test(error)) return unknown('bad-error');
    const rawDescription = query.get('error_description');
    if (rawDescription !== undefined && rawDescription.length > MAX_ERROR_DESCRIPTION_LENGTH) {
      return unknown('bad-error');
    }
    const description = rawDescription?.replace(UNSAFE_TEXT, ' ').trim() || null;
    return { kind: 'oauth-error', provider, nonce, error, description, via };
  }

  const code = query.get('code');
  if (code === undefined || code === '') return unknown('missing-code');
  if (code.length > MAX_CODE_LENGTH || !CODE.test(code)) return unknown('bad-code');

  const iss = query.get('iss') ?? null;
  if (iss !== null && (iss.length > MAX_ISS_LENGTH || /\p{Cc}/u.test(iss))) {
    return unknown('bad-iss');
  }

  return { kind: 'oauth-callback', provider, nonce, code, via, iss };
}

/** Narrows a path segment to a {@link ProviderId} from the contract's list. */
export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

function unknown(reason: UnknownReason): DeepLink & { kind: 'unknown' } {
  return { kind: 'unknown', reason };
}

function firstIndexOf(text: string, characters: string): number {
  for (let i = 0; i < text.length; i++) {
    if (characters.includes(text.charAt(i))) return i;
  }
  return text.length;
}

function checkSchemeAuthority(url: URL, rawAuthority: string): UnknownReason | null {
  if (url.port !== '') return 'wrong-port';
  if (url.hostname !== SCHEME_HOST || rawAuthority !== SCHEME_HOST) return 'wrong-host';
  return null;
}

function checkLoopbackAuthority(
  url: URL,
  rawAuthority: string,
  port: number | undefined,
): UnknownReason | null {
  const colon = rawAuthority.lastIndexOf(':');
  const rawHost = colon === -1 ? rawAuthority : rawAuthority.slice(0, colon);
  if (url.hostname !== LOOPBACK_HOST || rawHost !== LOOPBACK_HOST) return 'wrong-host';
  if (rawAuthority !== `${LOOPBACK_HOST}:${String(port)}`) return 'wrong-port';
  return null;
}

/**
 * The provider (and, for path-bound providers, the nonce) from the path: `/<provider>/<nonce>`
 * or `/<provider>` (after `/oauth` on loopback). `nonce: null` means it is in `state`.
 */
function parsePath(
  url: URL,
  rawPath: string,
  via: CallbackVia,
):
  | { kind: 'target'; provider: ProviderId; nonce: string | null }
  | (DeepLink & { kind: 'unknown' }) {
  if (rawPath !== url.pathname || !rawPath.startsWith('/')) return unknown('wrong-path');
  const segments = rawPath.slice(1).split('/');
  if (via === 'loopback' && segments.shift() !== SCHEME_HOST) return unknown('wrong-path');
  if (segments.some((s) => s === '.' || s === '..' || s.includes('%') || s.includes('\\'))) {
    return unknown('wrong-path');
  }
  const [provider, nonce, ...extra] = segments;
  if (provider === undefined || !isProviderId(provider) || extra.length > 0) {
    return unknown('wrong-path');
  }
  if (CALLBACK_BINDING[provider] === 'state') {
    // Fixed path: anything after the provider (a nonce, a trailing slash) is not our URI.
    return nonce === undefined ? { kind: 'target', provider, nonce: null } : unknown('wrong-path');
  }
  if (nonce === undefined || !NONCE.test(nonce)) return unknown('bad-nonce');
  return { kind: 'target', provider, nonce };
}
