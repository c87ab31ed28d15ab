import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../fixtures/openrouter-emulator';
import { runStandaloneFixture } from './standalone';

const CALLBACK = 'http://127.0.0.1:9/oauth/openrouter/nonce-1?keep=1';
const KEYS = '/api/v1/auth/keys';
const INVALID_CODE = { error: { code: 403, message: 'Invalid code or code_verifier' } };

let emulator: OpenRouterEmulator;

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
});

afterEach(async () => {
  await emulator.close();
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authUrl(params: Record<string, string>): string {
  return `${emulator.url}/auth?${new URLSearchParams(params).toString()}`;
}

async function openConsent(params: Record<string, string>): Promise<string> {
  const response = await fetch(authUrl(params));
  expect(response.status).toBe(200);
  const match = /name="session" value="([^"]+)"/.exec(await response.text());
  if (!match?.[1]) throw new Error('consent page has no session field');
  return match[1];
}

function decide(session: string, decision: 'approve' | 'deny'): Promise<Response> {
  return fetch(`${emulator.url}/auth/${decision}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
}

/** Runs step 1 and returns the code from the callback. */
async function authorize(params: Record<string, string>): Promise<string> {
  const response = await decide(
    await openConsent({ callback_url: CALLBACK, ...params }),
    'approve',
  );
  const code = new URL(response.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error('no code in the callback');
  return code;
}

function exchange(body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${emulator.url}${KEYS}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

function keyInfo(key: string | undefined): Promise<Response> {
  return fetch(`${emulator.url}/api/v1/key`, {
    headers: key === undefined ? {} : { Authorization: `Bearer ${key}` },
  });
}

async function signIn(label?: string): Promise<string> {
  const { verifier, challenge } = pkce();
  const code = await authorize({
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(label === undefined ? {} : { key_label: label }),
  });
  const response = await exchange({
    code,
    code_verifier: verifier,
    code_challenge_method: 'S256',
  });
  const { key } = (await response.json()) as { key: string };
  return key;
}

describe('consent (GET /auth, POST /auth/approve|deny)', () => {
  it('shows a consent page with the label, the callback host and Approve/Deny forms', async () => {
    const response = await fetch(
      authUrl({
        callback_url: CALLBACK,
        code_challenge: 'abc',
        code_challenge_method: 'S256',
        key_label: 'Latchkey on <box>',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<title>Authorize Latchkey</title>');
    expect(html).toContain('Latchkey on &#60;box&#62;');
    expect(html).toContain('127.0.0.1:9');
    expect(html).toMatch(/<form method="post" action="\/auth\/approve">.*Approve<\/button>/);
    expect(html).toMatch(/<form method="post" action="\/auth\/deny">.*Deny<\/button>/);
  });

  it('answers 400 HTML for a missing or invalid callback_url', async () => {
    for (const url of [authUrl({}), authUrl({ callback_url: 'not a url' })]) {
      const response = await fetch(url);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('approve redirects to the callback with a code, keeping its path and query', async () => {
    const session = await openConsent({ callback_url: CALLBACK, code_challenge: 'x' });
    const response = await decide(session, 'approve');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:9/oauth/openrouter/nonce-1');
    expect(location.searchParams.get('keep')).toBe('1');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('works with a private-use scheme callback', async () => {
    const session = await openConsent({ callback_url: 'app.latchkey://oauth/openrouter/n2' });
    const response = await decide(session, 'approve');
    expect(response.headers.get('location')).toMatch(
      /^app\.latchkey:\/\/oauth\/openrouter\/n2\?code=[\w-]+$/,
    );
  });

  it('sessions are single use and unknown ones are refused', async () => {
    const session = await openConsent({ callback_url: CALLBACK });
    expect((await decide(session, 'approve')).status).toBe(302);
    expect((await decide(session, 'approve')).status).toBe(400);
    expect((await decide('nope', 'deny')).status).toBe(400);
  });

  it('deny redirects with error=access_denied', async () => {
    const response = await decide(await openConsent({ callback_url: CALLBACK }), 'deny');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBe('The user denied the request');
    expect(location.searchParams.has('code')).toBe(false);
  });
});

describe('code exchange (POST /api/v1/auth/keys)', () => {
  it('issues a key for the right S256 verifier, once', async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    const body = { code, code_verifier: verifier, code_challenge_method: 'S256' };

    const first = await exchange(body);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    const issued = (await first.json()) as { key: string; user_id: string };
    expect(issued.key).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    expect(issued.user_id).toMatch(/^user_\w+$/);
    expect(emulator.issuedKeys()).toEqual([issued.key]);

    const again = await exchange(body);
    expect(again.status).toBe(403);
    expect(await again.json()).toEqual(INVALID_CODE);
    expect(emulator.exchangeCount()).toBe(2);
  });

  it('a wrong verifier is refused without burning the code', async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await exchange({ code, code_verifier: 'wrong', code_challenge_method: 'S256' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual(INVALID_CODE);
    const missing = await exchange({ code, code_challenge_method: 'S256' });
    expect(missing.status).toBe(403);
    const right = await exchange({ code, code_verifier: verifier, code_challenge_method: 'S256' });
    expect(right.status).toBe(200);
  });

  it('refuses a method that differs from the one sent to /auth', async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize({ code_challenge: challenge, code_challenge_method: 'S256' });
    for (const method of ['plain', undefined]) {
      const response = await exchange({
        code,
        code_verifier: verifier,
        code_challenge_method: method,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { code: 400, message: 'Invalid code_challenge_method' },
      });
    }
  });

  it('supports plain (the default method) and no challenge at all', async () => {
    const plain = await authorize({ code_challenge: 'verifier-as-is' });
    const plainResponse = await exchange({
      code: plain,
      code_verifier: 'verifier-as-is',
      code_challenge_method: 'plain',
    });
    expect(plainResponse.status).toBe(200);

    const bare = await authorize({});
    expect((await exchange({ code: bare })).status).toBe(200);
  });

  it('answers 403 for an unknown code, 400 for malformed JSON, 405 for other methods', async () => {
    expect((await exchange({ code: 'unknown', code_verifier: 'x' })).status).toBe(403);

    const malformed = await exchange('{"code":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: { code: 400, message: 'Invalid JSON' } });

    const get = await fetch(`${emulator.url}${KEYS}`);
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: { code: 405, message: 'Method Not Allowed' } });
    expect(emulator.exchangeCount()).toBe(2);
  });
});

describe('key info (GET /api/v1/key)', () => {
  it('reports the label and the account, then 401 once revoked', async () => {
    const key = await signIn('Latchkey on test-box');
    const response = await keyInfo(key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: {
        label: 'Latchkey on test-box',
        usage: 0.25,
        limit: 10,
        limit_remaining: 9.75,
        is_free_tier: false,
        rate_limit: { requests: 10, interval: '10s' },
      },
    });

    emulator.setAccount({ limit: null, limit_remaining: null, is_free_tier: true });
    const patched = (await (await keyInfo(key)).json()) as { data: Record<string, unknown> };
    expect(patched.data).toMatchObject({ label: 'Latchkey on test-box', limit: null });

    emulator.revokeKey(key);
    const revoked = await keyInfo(key);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({
      error: { code: 401, message: 'No auth credentials found' },
    });
  });

  it('defaults the label to Latchkey and refuses missing or unknown keys', async () => {
    const key = await signIn();
    const info = (await (await keyInfo(key)).json()) as { data: { label: string } };
    expect(info.data.label).toBe('Latchkey');
    expect((await keyInfo(undefined)).status).toBe(401);
    expect((await keyInfo('sk-or-v1-unknown')).status).toBe(401);
  });
});

describe('recording and routing', () => {
  it('records every request with its query, headers and body', async () => {
    await exchange({ code: 'c' }, { headers: { 'Content-Type': 'application/json', 'X-T': '1' } });
    await fetch(`${emulator.url}/nowhere?a=1&a=2`);
    expect(emulator.requests).toHaveLength(2);
    const [post, get] = emulator.requests;
    expect(post).toMatchObject({ method: 'POST', path: KEYS, body: '{"code":"c"}' });
    expect(post?.headers['x-t']).toBe('1');
    expect(get).toMatchObject({ method: 'GET', path: '/nowhere', query: { a: ['1', '2'] } });
  });

  it('keeps at most 1 MB of a body and answers 413 beyond', async () => {
    const response = await exchange('x'.repeat(MAX_BODY_BYTES + 1));
    expect(response.status).toBe(413);
    expect(emulator.requests[0]?.body).toHaveLength(MAX_BODY_BYTES);
    expect(emulator.exchangeCount()).toBe(0);
  });

  it('answers 404 JSON for unknown paths', async () => {
    const response = await fetch(`${emulator.url}/api/v1/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 404, message: 'Not Found' } });
  });
});

describe('faults', () => {
  it('status: custom status, body and headers, for the given number of requests', async () => {
    emulator.injectFault(KEYS, { kind: 'status', status: 429, headers: { 'Retry-After': '7' } }, 2);
    for (let i = 0; i < 2; i += 1) {
      const response = await exchange({ code: 'x' });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual({ error: { code: 429, message: 'Too Many Requests' } });
    }
    expect((await exchange({ code: 'x' })).status).toBe(403);
    expect(emulator.exchangeCount()).toBe(1);
    expect(emulator.requests).toHaveLength(3);
  });

  it('html, empty and json bodies', async () => {
    emulator.injectFault(KEYS, { kind: 'html' });
    emulator.injectFault(KEYS, { kind: 'empty' });
    emulator.injectFault(KEYS, { kind: 'json', body: '{"key":"sk-' });
    emulator.injectFault(KEYS, { kind: 'json', body: 'null', status: 201 });

    const html = await exchange({});
    expect([html.status, html.headers.get('content-type')]).toEqual([
      200,
      'text/html; charset=utf-8',
    ]);
    expect(await html.text()).toContain('<html');

    const empty = await exchange({});
    expect([empty.status, await empty.text()]).toEqual([200, '']);

    const truncated = await exchange({});
    await expect(truncated.json()).rejects.toThrow(SyntaxError);

    const nullBody = await exchange({});
    expect([nullBody.status, await nullBody.text()]).toEqual([201, 'null']);
  });

  it('huge: streams exactly that many bytes', async () => {
    emulator.injectFault('/api/v1/key', { kind: 'huge', bytes: 3 * 1024 * 1024 + 5 });
    const response = await keyInfo('k');
    const body = await response.text();
    expect(body.length).toBe(3 * 1024 * 1024 + 5);
    expect(body.startsWith('{"key":"sk-or-v1-aaa')).toBe(true);
  });

  it('hang: never answers, so the caller times out', async () => {
    emulator.injectFault(KEYS, { kind: 'hang' });
    await expect(exchange({ code: 'x' }, { signal: AbortSignal.timeout(300) })).rejects.toThrow(
      /aborted|timeout/i,
    );
    expect(emulator.requests).toHaveLength(1);
  });

  it('reset: the connection is destroyed', async () => {
    emulator.injectFault(KEYS, { kind: 'reset' });
    await expect(exchange({ code: 'x' })).rejects.toThrow(TypeError);
    expect(emulator.requests).toHaveLength(1);
  });

  it('redirect: 302 (or the given status) to the location', async () => {
    emulator.injectFault('/api/v1/key', { kind: 'redirect', location: 'https://example.test/x' });
    emulator.injectFault('/api/v1/key', { kind: 'redirect', location: '/elsewhere', status: 307 });
    const first = await fetch(`${emulator.url}/api/v1/key`, { redirect: 'manual' });
    expect([first.status, first.headers.get('location')]).toEqual([302, 'https://example.test/x']);
    const second = await fetch(`${emulator.url}/api/v1/key`, { redirect: 'manual' });
    expect([second.status, second.headers.get('location')]).toEqual([307, '/elsewhere']);
  });

  it('Infinity lasts until clearFaults', async () => {
    emulator.injectFault('/api/v1/key', { kind: 'status', status: 503 }, Infinity);
    for (let i = 0; i < 3; i += 1) expect((await keyInfo('k')).status).toBe(503);
    emulator.clearFaults();
    expect((await keyInfo('k')).status).toBe(401);
  });

  it('close() resolves quickly while a request hangs', async () => {
    emulator.injectFault(KEYS, { kind: 'hang' });
    const pending = exchange({ code: 'x' }).catch((error: unknown) => error);
    await expect.poll(() => emulator.requests.length).toBe(1);
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(TypeError);
  });
});

describe('standalone', () => {
  it('prints its URL and serves until SIGTERM', async () => {
    const args = ['--port', '0'];
    const { code } = await runStandaloneFixture('openrouter-emulator.ts', args, async (line) => {
      const match = /^openrouter emulator (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      expect(match).not.toBeNull();
      const response = await fetch(`${match?.[1]}/api/v1/key`);
      expect(response.status).toBe(401);
    });
    expect(code).toBe(0);
  });
});
