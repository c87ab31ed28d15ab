import { describe, expect, it } from 'vitest';
import {
  buildAuthorizationUrl,
  buildKeyExchangeRequest,
  buildKeyInfoRequest,
  processKeyExchangeResponse,
  processKeyInfoResponse,
} from '../../../main/auth/openrouter';
import { PendingSignIns } from '../../../main/auth/pending';
import { computeCodeChallenge } from '../../../main/auth/pkce';
import { LatchkeyError } from '../../../main/errors';
import type { HttpResponse } from '../../../main/http/request';

const BASE = new URL('https://openrouter.ai');

function response(
  status: number,
  body: string,
  type = 'application/json',
  extra = {},
): HttpResponse {
  return { status, body, headers: new Headers({ 'content-type': type, ...extra }) };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code;
    throw error;
  }
  throw new Error('did not throw');
}

describe('authorization URL', () => {
  it('every generated URL carries S256, the callback, the challenge and the label', () => {
    const pending = new PendingSignIns();
    for (let i = 0; i < 200; i++) {
      pending.cancel('openrouter');
      const { pending: p } = pending.begin('openrouter', 'deep-link');
      const callbackUrl = `app.latchkey://oauth/openrouter/${p.nonce}`;
      const url = new URL(
        buildAuthorizationUrl(BASE, {
          callbackUrl,
          codeChallenge: p.challenge,
          keyLabel: 'Latchkey on host & co',
        }).href,
      );
      expect(url.origin).toBe('https://openrouter.ai');
      expect(url.pathname).toBe('/auth');
      expect([...url.searchParams.keys()].sort()).toEqual([
        'callback_url',
        'code_challenge',
        'code_challenge_method',
        'key_label',
      ]);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toBe(computeCodeChallenge(p.verifier));
      expect(url.searchParams.get('callback_url')).toBe(callbackUrl);
      expect(url.searchParams.get('key_label')).toBe('Latchkey on host & co');
      expect(url.href).not.toContain(p.verifier);
    }
  });

  it('keeps the configured origin (emulators on 127.0.0.1)', () => {
    const url = buildAuthorizationUrl(new URL('http://127.0.0.1:4000'), {
      callbackUrl: 'x:/y',
      codeChallenge: 'c',
      keyLabel: 'l',
    });
    expect(url.origin).toBe('http://127.0.0.1:4000');
  });
});

describe('key exchange request', () => {
  it('POSTs JSON with code, verifier and S256', async () => {
    const request = buildKeyExchangeRequest(BASE, {
      code: 'the-code',
      codeVerifier: 'the-verifier',
    });
    expect(request.url.href).toBe('https://openrouter.ai/api/v1/auth/keys');
    expect(request.init.method).toBe('POST');
    expect(new Headers(request.init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(request.init.body as string)).toEqual({
      code: 'the-code',
      code_verifier: 'the-verifier',
      code_challenge_method: 'S256',
    });
  });

  it('key info sends the key as Bearer', () => {
    const request = buildKeyInfoRequest(BASE, 'sk-or-v1-abc');
    expect(request.url.href).toBe('https://openrouter.ai/api/v1/key');
    expect(new Headers(request.init.headers).get('authorization')).toBe('Bearer sk-or-v1-abc');
  });
});

describe('key exchange response', () => {
  it('returns the key and user id', () => {
    expect(
      processKeyExchangeResponse(response(200, '{"key":"sk-or-v1-abcdef","user_id":"u1"}')),
    ).toEqual({
      key: 'sk-or-v1-abcdef',
      userId: 'u1',
    });
    expect(
      processKeyExchangeResponse(response(200, '{"key":"sk-or-v1-abcdef"}')).userId,
    ).toBeNull();
  });

  it.each([
    [400, 'AUTH_EXCHANGE_METHOD_MISMATCH'],
    [401, 'AUTH_EXCHANGE_REJECTED'],
    [403, 'AUTH_EXCHANGE_REJECTED'],
    [405, 'AUTH_EXCHANGE_NOT_ALLOWED'],
    [404, 'HTTP_CLIENT_ERROR'],
    [408, 'HTTP_CLIENT_ERROR'],
    [409, 'HTTP_CLIENT_ERROR'],
    [410, 'HTTP_CLIENT_ERROR'],
    [413, 'HTTP_CLIENT_ERROR'],
    [422, 'HTTP_CLIENT_ERROR'],
    [429, 'HTTP_RATE_LIMITED'],
    [500, 'HTTP_SERVER_ERROR'],
    [502, 'HTTP_SERVER_ERROR'],
    [503, 'HTTP_SERVER_ERROR'],
    [504, 'HTTP_SERVER_ERROR'],
    [302, 'HTTP_BAD_RESPONSE'],
    [204, 'HTTP_CLIENT_ERROR'],
  ])('status %i → %s', (status, code) => {
    expect(codeOf(() => processKeyExchangeResponse(response(status, '{"error":{}}')))).toBe(code);
  });

  it('every status from 400 to 504 is a typed error', () => {
    for (let status = 400; status <= 504; status++) {
      expect(codeOf(() => processKeyExchangeResponse(response(status, '')))).toMatch(
        /^(AUTH_|HTTP_)/,
      );
    }
  });

  it('429 carries Retry-After (seconds and HTTP-date) when sent, and none otherwise', () => {
    const withSeconds = (() => {
      try {
        processKeyExchangeResponse(response(429, '', 'application/json', { 'retry-after': '7' }));
      } catch (e) {
        return e as LatchkeyError;
      }
    })();
    expect(withSeconds?.details.retryAfter).toBe(7);
    const withDate = (() => {
      try {
        const date = new Date(Date.now() + 30_000).toUTCString();
        processKeyExchangeResponse(response(429, '', 'application/json', { 'retry-after': date }));
      } catch (e) {
        return e as LatchkeyError;
      }
    })();
    expect(withDate?.details.retryAfter).toBeGreaterThanOrEqual(28);
    expect(withDate?.details.retryAfter).toBeLessThanOrEqual(31);
    const without = (() => {
      try {
        processKeyExchangeResponse(response(429, ''));
      } catch (e) {
        return e as LatchkeyError;
      }
    })();
    expect(without?.details.retryAfter).toBeUndefined();
  });

  it.each([
    ['HTML', '<html><body>Bad gateway</body></html>', 'text/html'],
    ['empty', '', 'application/json'],
    ['null', 'null', 'application/json'],
    ['truncated', '{"key":"sk-or-v1-', 'application/json'],
    ['empty key', '{"key":""}', 'application/json'],
    ['numeric key', '{"key":123}', 'application/json'],
    ['array', '[]', 'application/json'],
    ['key with spaces', '{"key":"sk or v1 abc"}', 'application/json'],
    ['key with newline', '{"key":"sk-or-v1-abc\\ndef"}', 'application/json'],
    ['no content type', '{"key":"sk-or-v1-abcdef"}', ''],
  ])('200 with %s → HTTP_BAD_RESPONSE', (_name, body, type) => {
    expect(codeOf(() => processKeyExchangeResponse(response(200, body, type)))).toBe(
      'HTTP_BAD_RESPONSE',
    );
  });
});

describe('key info response', () => {
  it('maps the documented fields', () => {
    const account = processKeyInfoResponse(
      response(
        200,
        '{"data":{"label":"L","usage":1.5,"limit":10,"limit_remaining":8.5,"is_free_tier":false,"rate_limit":{}}}',
      ),
      42,
    );
    expect(account).toEqual({
      label: 'L',
      usage: 1.5,
      limit: 10,
      limitRemaining: 8.5,
      isFreeTier: false,
      fetchedAt: 42,
      stale: false,
    });
  });

  it('tolerates a null limit (no limit)', () => {
    const account = processKeyInfoResponse(
      response(200, '{"data":{"label":"L","usage":0,"limit":null,"limit_remaining":null}}'),
      1,
    );
    expect(account.limit).toBeNull();
    expect(account.isFreeTier).toBeNull();
  });

  it('401 means the key was revoked', () => {
    expect(codeOf(() => processKeyInfoResponse(response(401, '{}'), 1))).toBe('AUTH_KEY_REVOKED');
  });

  it('wrong shapes are bad responses', () => {
    expect(codeOf(() => processKeyInfoResponse(response(200, '{"data":{"usage":"x"}}'), 1))).toBe(
      'HTTP_BAD_RESPONSE',
    );
    expect(codeOf(() => processKeyInfoResponse(response(200, '{}'), 1))).toBe('HTTP_BAD_RESPONSE');
  });
});
