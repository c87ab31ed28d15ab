import { describe, expect, it } from 'vitest';
import {
  CALLBACK_BINDING,
  MAX_CODE_LENGTH,
  MAX_DEEP_LINK_LENGTH,
  parseDeepLink,
  type DeepLink,
  type ParseOptions,
  type UnknownReason,
} from '../../../main/deep-link/parse';
import { PROVIDER_IDS } from '../../../preload/api';

const SCHEME = 'app.latchkey';
const DEV_SCHEME = 'app.latchkey.dev';
const PORT = 53123;
/** RFC 7636 Appendix B verifier: 43 base64url characters, the shape of our nonce. */
const NONCE = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const BASE = `${SCHEME}://oauth/openrouter/${NONCE}`;
const LOOPBACK = `http://127.0.0.1:${PORT}/oauth/openrouter/${NONCE}`;
const PROD: ParseOptions = { scheme: SCHEME };
const WITH_LOOPBACK: ParseOptions = { scheme: SCHEME, loopbackPort: PORT };

const enc = encodeURIComponent;
/** `count` distinct short parameters, small enough that 1000 of them fit in 4 KB. */
const params = (count: number): string =>
  Array.from({ length: count }, (_, i) => i.toString(36)).join('&');

function reasonOf(link: DeepLink): UnknownReason | null {
  return link.kind === 'unknown' ? link.reason : null;
}

describe('parseDeepLink: happy paths', () => {
  it('accepts the custom-scheme callback', () => {
    expect(parseDeepLink(`${BASE}?code=abc123`, PROD)).toEqual({
      kind: 'oauth-callback',
      provider: 'openrouter',
      nonce: NONCE,
      code: 'abc123',
      via: 'scheme',
      iss: null,
    });
  });

  it('accepts the development scheme only with the development option', () => {
    const dev = `${DEV_SCHEME}://oauth/openrouter/${NONCE}?code=abc`;
    expect(parseDeepLink(dev, { scheme: DEV_SCHEME })).toMatchObject({
      kind: 'oauth-callback',
      via: 'scheme',
    });
    expect(parseDeepLink(dev, PROD)).toEqual({ kind: 'unknown', reason: 'wrong-scheme' });
    expect(parseDeepLink(`${BASE}?code=abc`, { scheme: DEV_SCHEME })).toEqual({
      kind: 'unknown',
      reason: 'wrong-scheme',
    });
  });

  it('accepts the loopback callback on the listening port', () => {
    expect(parseDeepLink(`${LOOPBACK}?code=abc123`, WITH_LOOPBACK)).toEqual({
      kind: 'oauth-callback',
      provider: 'openrouter',
      nonce: NONCE,
      code: 'abc123',
      via: 'loopback',
      iss: null,
    });
  });

  it('still accepts the custom scheme while a loopback listener runs', () => {
    expect(parseDeepLink(`${BASE}?code=abc`, WITH_LOOPBACK)).toMatchObject({ via: 'scheme' });
  });

  it('accepts every character of the code charset and the 512-character maximum', () => {
    expect(parseDeepLink(`${BASE}?code=aZ09._~-`, PROD)).toMatchObject({ code: 'aZ09._~-' });
    const longest = 'a'.repeat(MAX_CODE_LENGTH);
    expect(parseDeepLink(`${BASE}?code=${longest}`, PROD)).toMatchObject({ code: longest });
  });

  it('passes iss through (RFC 9207) and allows unknown extra parameters', () => {
    const url = `${BASE}?state=x&code=abc&iss=${enc('https://issuer.example/')}&foo=bar`;
    expect(parseDeepLink(url, PROD)).toMatchObject({
      kind: 'oauth-callback',
      code: 'abc',
      iss: 'https://issuer.example/',
    });
  });

  it('accepts 16 parameters', () => {
    expect(parseDeepLink(`${BASE}?code=abc&${params(15)}`, PROD)).toMatchObject({
      kind: 'oauth-callback',
    });
  });

  it('accepts a URL of exactly 4096 characters', () => {
    const head = `${BASE}?code=abc&pad=`;
    const url = head + 'x'.repeat(MAX_DEEP_LINK_LENGTH - head.length);
    expect(url).toHaveLength(MAX_DEEP_LINK_LENGTH);
    expect(parseDeepLink(url, PROD)).toMatchObject({ kind: 'oauth-callback' });
  });

  it('reports only the reason for an unknown link, never the URL', () => {
    expect(Object.keys(parseDeepLink(`${BASE}?code=a%0Ab`, PROD))).toEqual(['kind', 'reason']);
  });
});

describe('parseDeepLink: error responses (RFC 6749 §4.1.2.1)', () => {
  it('returns HTML in error_description verbatim, as inert text for the UI to escape', () => {
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>denied</b>';
    const url = `${BASE}?error=access_denied&error_description=${enc(html)}`;
    expect(parseDeepLink(url, PROD)).toEqual({
      kind: 'oauth-error',
      provider: 'openrouter',
      nonce: NONCE,
      error: 'access_denied',
      description: html,
      via: 'scheme',
    });
  });

  it('prefers error over code, so no exchange happens', () => {
    expect(parseDeepLink(`${BASE}?code=abc&error=access_denied`, PROD)).toMatchObject({
      kind: 'oauth-error',
      error: 'access_denied',
      description: null,
    });
  });

  it.each([
    ['CR-LF', 'line1%0D%0Aline2', 'line1 line2'],
    ['NUL and ESC', 'a%00b%1B[31mc', 'a b [31mc'],
    ['bidi override', 'safe%E2%80%AEtxt.exe', 'safe txt.exe'],
    ['form-encoded spaces', 'User+denied+access', 'User denied access'],
    ['only control characters', '%0A%0D%09', null],
    ['empty', '', null],
  ])('strips control characters from the description: %s', (_name, raw, expected) => {
    const url = `${BASE}?error=access_denied&error_description=${raw}`;
    expect(parseDeepLink(url, PROD)).toMatchObject({ kind: 'oauth-error', description: expected });
  });

  it('handles the error response on loopback too', () => {
    expect(parseDeepLink(`${LOOPBACK}?error=access_denied`, WITH_LOOPBACK)).toMatchObject({
      kind: 'oauth-error',
      via: 'loopback',
    });
  });
});

const cases: readonly (readonly [name: string, url: string, reason: UnknownReason])[] = [
  // Size and raw text.
  ['URL over 4 KB', `${BASE}?code=abc&pad=${'x'.repeat(MAX_DEEP_LINK_LENGTH)}`, 'too-long'],
  ['URL of 4097 characters', `${BASE}?code=abc&pad=`.padEnd(4097, 'x'), 'too-long'],
  ['code of 10 KB', `${BASE}?code=${'a'.repeat(10 * 1024)}`, 'too-long'],
  ['empty string', '', 'unparseable'],
  ['not a URL', 'openrouter', 'unparseable'],
  ['broken authority', 'http://[', 'unparseable'],
  ['raw CR-LF in the query', `${BASE}?code=abc\r\ndef`, 'unparseable'],
  [
    'raw tab in the path (URL would strip it)',
    `${SCHEME}://oauth/open\trouter/${NONCE}?code=a`,
    'unparseable',
  ],
  ['leading space', ` ${BASE}?code=abc`, 'unparseable'],
  ['trailing newline', `${BASE}?code=abc\n`, 'unparseable'],
  ['raw non-ASCII', `${BASE}?code=café`, 'unparseable'],
  // Scheme and lookalikes.
  [
    'lookalike app.latchkey.evil:',
    `app.latchkey.evil://oauth/openrouter/${NONCE}?code=a`,
    'wrong-scheme',
  ],
  ['upper case APP.LATCHKEY:', `APP.LATCHKEY://oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['mixed case App.Latchkey:', `App.Latchkey://oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['lookalike app.latchkeyx:', `app.latchkeyx://oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['prefix latchkey:', `latchkey://oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  [
    'development scheme in production',
    `${DEV_SCHEME}://oauth/openrouter/${NONCE}?code=a`,
    'wrong-scheme',
  ],
  ['https:', `https://oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['file:', `file:///oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['javascript:', `javascript:alert(1)//oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['loopback URL without a listener', `${LOOPBACK}?code=a`, 'wrong-scheme'],
  // Host.
  ['no authority', `${SCHEME}:oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['empty host', `${SCHEME}:///openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['upper-case host', `${SCHEME}://OAUTH/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['other host', `${SCHEME}://callback/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['host lookalike', `${SCHEME}://oauth.evil/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['user info', `${SCHEME}://evil@oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['user and password', `${SCHEME}://a:b@oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['empty port', `${SCHEME}://oauth:/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['port on the custom scheme', `${SCHEME}://oauth:443/openrouter/${NONCE}?code=a`, 'wrong-port'],
  // Path: traversal, encodings, shape.
  [
    'traversal to another provider',
    `${SCHEME}://oauth/openrouter/../yooai/${NONCE}?code=a`,
    'wrong-path',
  ],
  [
    'traversal that normalizes to a valid path',
    `${SCHEME}://oauth/yooai/../openrouter/${NONCE}?code=a`,
    'wrong-path',
  ],
  [
    'encoded traversal %2e%2e',
    `${SCHEME}://oauth/x/%2e%2e/openrouter/${NONCE}?code=a`,
    'wrong-path',
  ],
  [
    'encoded traversal %2E%2E',
    `${SCHEME}://oauth/x/%2E%2E/openrouter/${NONCE}?code=a`,
    'wrong-path',
  ],
  [
    'half-encoded traversal .%2e',
    `${SCHEME}://oauth/x/.%2e/openrouter/${NONCE}?code=a`,
    'wrong-path',
  ],
  ['dot segment', `${SCHEME}://oauth/./openrouter/${NONCE}?code=a`, 'wrong-path'],
  ['encoded slash %2F', `${SCHEME}://oauth/openrouter%2F${NONCE}?code=a`, 'wrong-path'],
  ['encoded letter', `${SCHEME}://oauth/open%72outer/${NONCE}?code=a`, 'wrong-path'],
  ['backslash', `${SCHEME}://oauth/openrouter\\${NONCE}?code=a`, 'wrong-path'],
  ['leading double slash', `${SCHEME}://oauth//openrouter/${NONCE}?code=a`, 'wrong-path'],
  ['inner double slash', `${SCHEME}://oauth/openrouter//${NONCE}?code=a`, 'wrong-path'],
  ['trailing slash', `${BASE}/?code=a`, 'wrong-path'],
  ['extra segment', `${BASE}/extra?code=a`, 'wrong-path'],
  ['no path', `${SCHEME}://oauth?code=a`, 'wrong-path'],
  ['root path', `${SCHEME}://oauth/?code=a`, 'wrong-path'],
  [
    'oauth repeated in the path',
    `${SCHEME}://oauth/oauth/openrouter/${NONCE}?code=a`,
    'wrong-path',
  ],
  ['characters URL would encode', `${SCHEME}://oauth/openrouter/"${NONCE}?code=a`, 'wrong-path'],
  // Provider.
  ['provider swap to an unknown provider', `${SCHEME}://oauth/other/${NONCE}?code=a`, 'wrong-path'],
  [
    'a nonce path on a state-bound provider',
    `${SCHEME}://oauth/yooai/${NONCE}?code=a`,
    'wrong-path',
  ],
  ['provider in another case', `${SCHEME}://oauth/OpenRouter/${NONCE}?code=a`, 'wrong-path'],
  ['prototype key as provider', `${SCHEME}://oauth/__proto__/${NONCE}?code=a`, 'wrong-path'],
  ['constructor as provider', `${SCHEME}://oauth/constructor/${NONCE}?code=a`, 'wrong-path'],
  // Nonce.
  ['nonce missing', `${SCHEME}://oauth/openrouter?code=a`, 'bad-nonce'],
  ['nonce empty', `${SCHEME}://oauth/openrouter/?code=a`, 'bad-nonce'],
  ['nonce too short', `${SCHEME}://oauth/openrouter/${NONCE.slice(1)}?code=a`, 'bad-nonce'],
  ['nonce too long', `${BASE}A?code=a`, 'bad-nonce'],
  ['nonce with padding', `${SCHEME}://oauth/openrouter/${NONCE.slice(1)}=?code=a`, 'bad-nonce'],
  [
    'nonce in base64 (not base64url)',
    `${SCHEME}://oauth/openrouter/${NONCE.slice(1)}+?code=a`,
    'bad-nonce',
  ],
  ['nonce with a dot', `${SCHEME}://oauth/openrouter/${NONCE.slice(1)}.?code=a`, 'bad-nonce'],
  ['nonce with a tilde', `${SCHEME}://oauth/openrouter/${NONCE.slice(1)}~?code=a`, 'bad-nonce'],
  // Fragment.
  ['fragment instead of query', `${BASE}#code=abc`, 'has-fragment'],
  ['fragment after the query', `${BASE}?code=abc#x`, 'has-fragment'],
  ['empty fragment', `${BASE}?code=abc#`, 'has-fragment'],
  // Parameters.
  ['17 parameters', `${BASE}?code=abc&${params(16)}`, 'too-many-params'],
  ['1000 parameters', `${BASE}?code=abc&${params(999)}`, 'too-many-params'],
  ['1000 copies of one parameter', `${BASE}?code=abc${'&a'.repeat(999)}`, 'too-many-params'],
  ['code duplicated', `${BASE}?code=abc&code=def`, 'duplicate-param'],
  ['code duplicated with the same value', `${BASE}?code=abc&code=abc`, 'duplicate-param'],
  ['code duplicated through an encoded key', `${BASE}?code=abc&%63ode=def`, 'duplicate-param'],
  ['code duplicated, one empty', `${BASE}?code=&code=abc`, 'duplicate-param'],
  ['error duplicated', `${BASE}?error=a&error=b`, 'duplicate-param'],
  ['other parameter duplicated', `${BASE}?code=abc&state=1&state=2`, 'duplicate-param'],
  // code.
  ['code missing (no query)', BASE, 'missing-code'],
  ['code missing (empty query)', `${BASE}?`, 'missing-code'],
  ['code missing (other parameters)', `${BASE}?state=abc`, 'missing-code'],
  ['code empty', `${BASE}?code=`, 'missing-code'],
  ['code without value', `${BASE}?code`, 'missing-code'],
  ['code of 513 characters', `${BASE}?code=${'a'.repeat(MAX_CODE_LENGTH + 1)}`, 'bad-code'],
  ['code with encoded CR-LF', `${BASE}?code=abc%0D%0ASet-Cookie:x`, 'bad-code'],
  ['code with encoded LF', `${BASE}?code=abc%0A`, 'bad-code'],
  ['code with NUL', `${BASE}?code=a%00b`, 'bad-code'],
  ['code with non-ASCII (Chinese)', `${BASE}?code=${enc('你好')}`, 'bad-code'],
  ['code with non-ASCII (accent)', `${BASE}?code=caf%C3%A9`, 'bad-code'],
  ['code with a space', `${BASE}?code=a+b`, 'bad-code'],
  ['code with a slash', `${BASE}?code=a%2Fb`, 'bad-code'],
  ['code with HTML', `${BASE}?code=${enc('<script>')}`, 'bad-code'],
  ['code with a lone percent', `${BASE}?code=abc%`, 'bad-code'],
  // error.
  ['error empty', `${BASE}?error=`, 'bad-error'],
  ['error too long', `${BASE}?error=${'e'.repeat(129)}`, 'bad-error'],
  ['error with CR-LF', `${BASE}?error=a%0D%0Ab`, 'bad-error'],
  ['error with non-ASCII', `${BASE}?error=${enc('拒绝')}`, 'bad-error'],
  [
    'error_description too long',
    `${BASE}?error=x&error_description=${'d'.repeat(1025)}`,
    'bad-error',
  ],
  // iss.
  ['iss too long', `${BASE}?code=abc&iss=${'i'.repeat(2049)}`, 'bad-iss'],
  ['iss with control characters', `${BASE}?code=abc&iss=https://a%0Ab`, 'bad-iss'],
];

describe('parseDeepLink: bad-input corpus (security.md)', () => {
  it.each(cases)('rejects %s', (_name, url, reason) => {
    expect(parseDeepLink(url, PROD)).toEqual({ kind: 'unknown', reason });
  });

  it('checks the size before parsing anything', () => {
    const huge = `javascript:${'x'.repeat(MAX_DEEP_LINK_LENGTH)}`;
    expect(reasonOf(parseDeepLink(huge, PROD))).toBe('too-long');
  });

  it('declares a binding for every provider of the contract', () => {
    for (const provider of PROVIDER_IDS)
      expect(['path', 'state']).toContain(CALLBACK_BINDING[provider]);
  });
});

describe('parseDeepLink: state-bound providers (fixed path + state)', () => {
  const STATE = NONCE;
  it.each(['yooai', 'oidc'] as const)(
    'accepts %s on its fixed path with state and iss',
    (provider) => {
      const iss = enc('https://issuer.example');
      expect(
        parseDeepLink(`${SCHEME}://oauth/${provider}?code=abc&state=${STATE}&iss=${iss}`, PROD),
      ).toEqual({
        kind: 'oauth-callback',
        provider,
        nonce: STATE,
        code: 'abc',
        via: 'scheme',
        iss: 'https://issuer.example',
      });
    },
  );

  it('accepts the loopback form on the listening port', () => {
    expect(
      parseDeepLink(`http://127.0.0.1:${PORT}/oauth/oidc?code=abc&state=${STATE}`, WITH_LOOPBACK),
    ).toMatchObject({ kind: 'oauth-callback', provider: 'oidc', via: 'loopback', nonce: STATE });
  });

  it('carries the state of an error response', () => {
    expect(
      parseDeepLink(`${SCHEME}://oauth/yooai?error=access_denied&state=${STATE}`, PROD),
    ).toMatchObject({ kind: 'oauth-error', provider: 'yooai', nonce: STATE });
  });

  const stateCases: readonly (readonly [string, string, UnknownReason])[] = [
    ['state missing', `${SCHEME}://oauth/yooai?code=a`, 'bad-state'],
    ['state empty', `${SCHEME}://oauth/yooai?code=a&state=`, 'bad-state'],
    ['state too short', `${SCHEME}://oauth/oidc?code=a&state=${STATE.slice(1)}`, 'bad-state'],
    ['state too long', `${SCHEME}://oauth/oidc?code=a&state=${STATE}A`, 'bad-state'],
    [
      'state with other characters',
      `${SCHEME}://oauth/oidc?code=a&state=${STATE.slice(1)}.`,
      'bad-state',
    ],
    [
      'state duplicated',
      `${SCHEME}://oauth/oidc?code=a&state=${STATE}&state=${STATE}`,
      'duplicate-param',
    ],
    ['trailing slash', `${SCHEME}://oauth/yooai/?code=a&state=${STATE}`, 'wrong-path'],
    [
      'traversal to another provider',
      `${SCHEME}://oauth/openrouter/../yooai?code=a&state=${STATE}`,
      'wrong-path',
    ],
    [
      'an OpenRouter callback on the YOO-AI path',
      `${SCHEME}://oauth/yooai/${NONCE}?code=a`,
      'wrong-path',
    ],
    [
      'a YOO-AI callback on the OpenRouter path',
      `${SCHEME}://oauth/openrouter?code=a&state=${STATE}`,
      'bad-nonce',
    ],
    ['fragment instead of query', `${SCHEME}://oauth/oidc#code=a&state=${STATE}`, 'has-fragment'],
  ];
  it.each(stateCases)('rejects %s', (_name, url, reason) => {
    expect(reasonOf(parseDeepLink(url, WITH_LOOPBACK))).toBe(reason);
  });
});

const loopbackCases: readonly (readonly [name: string, url: string, reason: UnknownReason])[] = [
  ['wrong port', `http://127.0.0.1:${PORT + 1}/oauth/openrouter/${NONCE}?code=a`, 'wrong-port'],
  ['no port', `http://127.0.0.1/oauth/openrouter/${NONCE}?code=a`, 'wrong-port'],
  [
    'port with a leading zero',
    `http://127.0.0.1:0${PORT}/oauth/openrouter/${NONCE}?code=a`,
    'wrong-port',
  ],
  ['empty port', `http://127.0.0.1:/oauth/openrouter/${NONCE}?code=a`, 'wrong-port'],
  ['localhost', `http://localhost:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['IPv6 loopback', `http://[::1]:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  [
    'other loopback address',
    `http://127.0.0.2:${PORT}/oauth/openrouter/${NONCE}?code=a`,
    'wrong-host',
  ],
  [
    'hex spelling of 127.0.0.1',
    `http://0x7f.1:${PORT}/oauth/openrouter/${NONCE}?code=a`,
    'wrong-host',
  ],
  [
    'decimal spelling of 127.0.0.1',
    `http://2130706433:${PORT}/oauth/openrouter/${NONCE}?code=a`,
    'wrong-host',
  ],
  ['short spelling 127.1', `http://127.1:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['public host', `http://example.com:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  ['user info', `http://x@127.0.0.1:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-host'],
  [
    'backslashes instead of slashes',
    `http:\\\\127.0.0.1:${PORT}/oauth/openrouter/${NONCE}?code=a`,
    'wrong-host',
  ],
  ['https', `https://127.0.0.1:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['upper-case HTTP', `HTTP://127.0.0.1:${PORT}/oauth/openrouter/${NONCE}?code=a`, 'wrong-scheme'],
  ['path without /oauth', `http://127.0.0.1:${PORT}/openrouter/${NONCE}?code=a`, 'wrong-path'],
  ['traversal', `http://127.0.0.1:${PORT}/oauth/yooai/../openrouter/${NONCE}?code=a`, 'wrong-path'],
  [
    'encoded traversal',
    `http://127.0.0.1:${PORT}/oauth/x/%2e%2e/openrouter/${NONCE}?code=a`,
    'wrong-path',
  ],
  ['backslash path', `http://127.0.0.1:${PORT}/oauth\\openrouter\\${NONCE}?code=a`, 'wrong-path'],
  ['trailing slash', `${LOOPBACK}/?code=a`, 'wrong-path'],
  ['no nonce', `http://127.0.0.1:${PORT}/oauth/openrouter?code=a`, 'bad-nonce'],
  ['fragment', `${LOOPBACK}#code=a`, 'has-fragment'],
  ['code duplicated', `${LOOPBACK}?code=a&code=b`, 'duplicate-param'],
  ['code missing', LOOPBACK, 'missing-code'],
];

describe('parseDeepLink: loopback (RFC 8252 §7.3, security.md 8)', () => {
  it.each(loopbackCases)('rejects %s', (_name, url, reason) => {
    expect(parseDeepLink(url, WITH_LOOPBACK)).toEqual({ kind: 'unknown', reason });
  });
});

/** Deterministic PRNG (mulberry32) so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  ...'abcABC019._~-+=/\\?#&%:@[]!$\'"()*,; <>`{}|^',
  '%2e',
  '%2F',
  '%0D%0A',
  '..',
  '//',
  '\r',
  '\n',
  '\t',
  '\0',
  '你',
  'é',
  '\u202e',
  '\ud800',
  '😀',
  'code=',
  'error=',
  'http://127.0.0.1:',
  'app.latchkey:',
];

function mutate(source: string, next: () => number): string {
  let text = source;
  const steps = 1 + Math.floor(next() * 4);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(next() * (text.length + 1));
    const piece = ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '';
    switch (Math.floor(next() * 5)) {
      case 0:
        text = text.slice(0, at) + piece + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 8));
        break;
      case 2:
        text = text.slice(0, at) + piece + text.slice(at + 1);
        break;
      case 3:
        text = text.slice(0, at) + text.slice(at).toUpperCase();
        break;
      default:
        text = text.slice(0, at) + text.slice(at, at + 64).repeat(2 + Math.floor(next() * 80));
    }
  }
  return text;
}

function randomString(next: () => number): string {
  const length = Math.floor(next() * 200);
  let text = '';
  for (let i = 0; i < length; i++) {
    text +=
      next() < 0.5
        ? (ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '')
        : String.fromCharCode(Math.floor(next() * 0x10000));
  }
  return text;
}

describe('parseDeepLink: property', () => {
  it('never throws and only yields well-formed callbacks for 500 random inputs', () => {
    const next = random(0x1a7c4e);
    const seeds = [
      `${BASE}?code=abc&iss=x`,
      `${BASE}?error=x&error_description=y`,
      `${LOOPBACK}?code=a`,
    ];
    const kinds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const seed = seeds[i % seeds.length] ?? BASE;
      const input = i % 5 === 4 ? randomString(next) : mutate(seed, next);
      let link: DeepLink | undefined;
      expect(() => {
        link = parseDeepLink(input, WITH_LOOPBACK);
      }, JSON.stringify(input)).not.toThrow();
      if (link === undefined) continue;
      kinds.add(link.kind);
      if (link.kind === 'unknown') continue;
      expect(PROVIDER_IDS).toContain(link.provider);
      expect(link.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      if (link.kind === 'oauth-callback') {
        expect(link.code).toMatch(/^[A-Za-z0-9._~-]{1,512}$/);
      } else {
        expect(link.error).toMatch(/^[\x20-\x7E]{1,128}$/);
        expect(link.description ?? '').not.toMatch(/\p{Cc}/u);
      }
    }
    expect(kinds.has('unknown')).toBe(true);
  });
});
