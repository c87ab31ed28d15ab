import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CODE_TTL_MS,
  ManualClock,
  startYooAiEmulator,
  type YooAiEmulator,
  type YooAiEmulatorOptions,
  type YooAiTokenResponse,
} from '../fixtures/yooai-emulator';
import { runStandaloneFixture } from './standalone';

const APP_ID = 'latchkey-test-app';
const REDIRECT = 'app.latchkey.dev://oauth/yooai';
const UNION_ID = 'union-1';
const START = Date.UTC(2025, 0, 1);
const DAY_MS = 24 * 60 * 60 * 1000;

let clock: ManualClock;
let emulator: YooAiEmulator;

async function restart(options: YooAiEmulatorOptions = {}) {
  await emulator.close();
  emulator = await startYooAiEmulator({ now: clock.now, ...options });
}

beforeEach(async () => {
  clock = new ManualClock(START);
  emulator = await startYooAiEmulator({ now: clock.now });
});

afterEach(async () => {
  await emulator.close();
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(challenge: string, overrides: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    app_id: APP_ID,
    redirect_uri: REDIRECT,
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'chat',
    ...overrides,
  });
  return `${emulator.url}/oauth/authorize?${params.toString()}`;
}

function post(path: string, body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Authorizes (approving through the emulator) and returns the code and its verifier. */
async function authorize(): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const location = new URL(await emulator.approve(authorizeUrl(challenge)));
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.href}`);
  return { code, verifier };
}

function exchange(code: string, verifier: string, extra: Record<string, unknown> = {}) {
  return post('/oauth/token', {
    code,
    code_verifier: verifier,
    app_id: APP_ID,
    union_id: UNION_ID,
    expire_date: 0,
    ...extra,
  });
}

function refresh(refreshToken: string, extra: Record<string, unknown> = {}) {
  return post(emulator.refreshPath, {
    app_id: APP_ID,
    refresh_token: refreshToken,
    union_id: UNION_ID,
    ...extra,
  });
}

async function signIn(): Promise<YooAiTokenResponse> {
  const { code, verifier } = await authorize();
  const response = await exchange(code, verifier);
  expect(response.status).toBe(200);
  return (await response.json()) as YooAiTokenResponse;
}

async function me(accessToken: string): Promise<number> {
  const response = await fetch(`${emulator.url}/api/v1/me`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  return response.status;
}

async function expectOAuthError(response: Response, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(((await response.json()) as { error: unknown }).error).toBe(error);
}

describe('authorization (GET /oauth/authorize)', () => {
  it('shows a consent page whose Deny redirects with access_denied and the state', async () => {
    const response = await fetch(authorizeUrl(pkce().challenge));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<form method="post" action="\/oauth\/approve">.*>Approve<\/button>/);
    expect(html).toMatch(/<form method="post" action="\/oauth\/deny">.*>Deny<\/button>/);
    const session = /name="session" value="([^"]+)"/.exec(html)?.[1] ?? '';

    const denied = await fetch(`${emulator.url}/oauth/deny`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session }).toString(),
      redirect: 'manual',
    });
    expect(denied.status).toBe(302);
    const location = new URL(denied.headers.get('location') ?? '');
    expect(`${location.protocol}//${location.host}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('state-1');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('redirects an approval to the redirect URI with a code and the state', async () => {
    const location = new URL(await emulator.approve(authorizeUrl(pkce().challenge)));
    expect(location.href.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{32,}$/);
    expect(location.searchParams.get('state')).toBe('state-1');
  });

  it('refuses a plain code_challenge_method by redirecting an error, issuing no code', async () => {
    const { verifier } = pkce();
    const location = new URL(
      await emulator.approve(authorizeUrl(verifier, { code_challenge_method: 'plain' })),
    );
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('state-1');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('never redirects to an unregistered redirect_uri or for an unknown app', async () => {
    const { challenge } = pkce();
    const cases: Record<string, string>[] = [
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: `${REDIRECT}/extra` },
      { app_id: 'someone-else' },
    ];
    for (const overrides of cases) {
      const response = await fetch(authorizeUrl(challenge, overrides), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
    await expect(
      emulator.approve(authorizeUrl(challenge, { redirect_uri: 'https://evil.example/cb' })),
    ).rejects.toThrow(/not registered/);
  });
});

describe('code exchange (POST /oauth/token)', () => {
  it('exchanges a code for a token pair that the protected endpoint accepts', async () => {
    const { code, verifier } = await authorize();
    const response = await exchange(code, verifier);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as YooAiTokenResponse;
    expect(tokens).toEqual({
      app_id: APP_ID,
      access_key_id: expect.stringMatching(/^[\w-]{32,}$/),
      access_token: expect.stringMatching(/^[\w-]{32,}$/),
      refresh_token: expect.stringMatching(/^[\w-]{32,}$/),
      expire_date: START / 1000 + 2 * 60 * 60,
      union_id: UNION_ID,
    });
    expect(emulator.tokenCount()).toBe(1);
    expect(emulator.isAccessTokenValid(tokens.access_token)).toBe(true);
    expect(emulator.liveRefreshTokens()).toEqual([tokens.refresh_token]);
    const info = await fetch(`${emulator.url}/api/v1/me`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await info.json()).toEqual({ union_id: UNION_ID, app_id: APP_ID });
    expect(await me('not-a-token')).toBe(401);
  });

  it('keeps the code usable after a wrong verifier, then burns it on success', async () => {
    const { code, verifier } = await authorize();
    await expectOAuthError(await exchange(code, pkce().verifier), 400, 'invalid_grant');
    expect((await exchange(code, verifier)).status).toBe(200);
    await expectOAuthError(await exchange(code, verifier), 400, 'invalid_grant');
    expect(emulator.tokenCount()).toBe(3);
  });

  it('refuses bad requests without burning the code', async () => {
    const { code, verifier } = await authorize();
    const body = { code, code_verifier: verifier, app_id: APP_ID, union_id: UNION_ID };
    const form = new URLSearchParams({ ...body }).toString();
    await expectOAuthError(
      await post('/oauth/token', form, 'application/x-www-form-urlencoded'),
      400,
      'invalid_request',
    );
    const refused: [extra: Record<string, unknown>, status: number, error: string][] = [
      [{ app_id: 'nope' }, 401, 'invalid_client'],
      [{ union_id: 'u'.repeat(129) }, 400, 'invalid_request'],
      [{ expire_date: START / 1000 - 1 }, 400, 'invalid_request'],
      [{ grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ];
    for (const [extra, status, error] of refused) {
      await expectOAuthError(await exchange(code, verifier, extra), status, error);
    }
    const get = await fetch(`${emulator.url}/oauth/token`);
    expect(get.status).toBe(405);
    // A far-future expire_date is clamped to 7 days.
    const response = await exchange(code, verifier, { expire_date: START / 1000 + 365 * 86_400 });
    expect(((await response.json()) as YooAiTokenResponse).expire_date).toBe(
      START / 1000 + 7 * 86_400,
    );
  });

  it('lets a code expire after 10 minutes of the injected clock', async () => {
    const first = await authorize();
    const second = await authorize();
    clock.advance(CODE_TTL_MS - 1);
    expect((await exchange(first.code, first.verifier)).status).toBe(200);
    clock.advance(1);
    await expectOAuthError(await exchange(second.code, second.verifier), 400, 'invalid_grant');
  });
});

describe('refresh with rotation', () => {
  it('rotates: the old refresh token and access token stop working, the new pair works', async () => {
    const first = await signIn();
    const response = await refresh(first.refresh_token);
    expect(response.status).toBe(200);
    const second = (await response.json()) as YooAiTokenResponse;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.union_id).toBe(UNION_ID);
    expect(await me(first.access_token)).toBe(401);
    expect(await me(second.access_token)).toBe(200);
    expect(emulator.liveRefreshTokens()).toEqual([second.refresh_token]);
    expect(emulator.refreshCount()).toBe(1);
  });

  it('detects reuse of a rotated refresh token and revokes the whole family', async () => {
    const other = await signIn();
    const first = await signIn();
    const second = (await (await refresh(first.refresh_token)).json()) as YooAiTokenResponse;
    const third = (await (await refresh(second.refresh_token)).json()) as YooAiTokenResponse;
    expect(await me(third.access_token)).toBe(200);

    await expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant');
    expect(emulator.reuseDetected()).toBe(1);
    expect(await me(third.access_token)).toBe(401);
    await expectOAuthError(await refresh(third.refresh_token), 400, 'invalid_grant');
    // Another sign-in is not affected.
    expect(await me(other.access_token)).toBe(200);
    expect(emulator.liveRefreshTokens()).toEqual([other.refresh_token]);
  });

  it('refuses a refresh for another app or union_id without consuming the token', async () => {
    await restart({
      apps: [
        { appId: APP_ID, redirectUris: [REDIRECT] },
        { appId: 'second-app', redirectUris: [REDIRECT] },
      ],
    });
    const tokens = await signIn();
    for (const extra of [{ union_id: 'union-2' }, { app_id: 'second-app' }]) {
      await expectOAuthError(await refresh(tokens.refresh_token, extra), 400, 'invalid_grant');
    }
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    expect(emulator.reuseDetected()).toBe(0);
    expect(emulator.refreshCount()).toBe(3);
  });
});

describe('expiry (ManualClock)', () => {
  it('ends the access token at expire_date', async () => {
    const { code, verifier } = await authorize();
    const expireDate = START / 1000 + 600;
    const response = await exchange(code, verifier, { expire_date: expireDate });
    const tokens = (await response.json()) as YooAiTokenResponse;
    expect(tokens.expire_date).toBe(expireDate);
    clock.set(expireDate * 1000 - 1);
    expect(await me(tokens.access_token)).toBe(200);
    clock.advance(1);
    expect(await me(tokens.access_token)).toBe(401);
    expect(emulator.isAccessTokenValid(tokens.access_token)).toBe(false);
    // The refresh token outlives it and brings a new access token.
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('ends a refresh token 30 days after its issue; each rotation starts a new 30 days', async () => {
    const first = await signIn();
    clock.advance(29 * DAY_MS);
    const second = (await (await refresh(first.refresh_token)).json()) as YooAiTokenResponse;
    clock.advance(30 * DAY_MS - 1);
    expect(emulator.liveRefreshTokens()).toEqual([second.refresh_token]);
    clock.advance(1);
    expect(emulator.liveRefreshTokens()).toEqual([]);
    await expectOAuthError(await refresh(second.refresh_token), 400, 'invalid_grant');
    expect(emulator.reuseDetected()).toBe(0);
  });
});

describe('test controls', () => {
  it('holdRefresh: refreshes wait for release, then run in arrival order', async () => {
    const tokens = await signIn();
    const release = emulator.holdRefresh();
    let settled = 0;
    const racing = [refresh(tokens.refresh_token), refresh(tokens.refresh_token)];
    const count = () => void (settled += 1);
    for (const answer of racing) answer.then(count, count);
    await expect.poll(() => emulator.refreshCount()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(0);
    expect(emulator.isAccessTokenValid(tokens.access_token)).toBe(true);

    release();
    const answers = await Promise.all(racing);
    expect(answers.map((response) => response.status).sort()).toEqual([200, 400]);
    // Whichever arrived first wins; the other is a second use of the same refresh token.
    const winner = answers.find((response) => response.status === 200);
    const loser = answers.find((response) => response !== winner);
    await expectOAuthError(loser!, 400, 'invalid_grant');
    // That counts as reuse: the pair the winner got is revoked too.
    expect(emulator.reuseDetected()).toBe(1);
    const { access_token } = (await winner!.json()) as YooAiTokenResponse;
    expect(emulator.isAccessTokenValid(access_token)).toBe(false);
  });

  it('applies injected faults before the logic, in order, then behaves normally', async () => {
    const { code, verifier } = await authorize();
    emulator.injectFault('/oauth/token', { kind: 'status', status: 503 });
    emulator.injectFault('/oauth/token', { kind: 'reset' });
    const unavailable = await exchange(code, verifier);
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'Service Unavailable',
    });
    await expect(exchange(code, verifier)).rejects.toThrow(TypeError);
    expect(emulator.tokenCount()).toBe(0);

    const tokens = (await (await exchange(code, verifier)).json()) as YooAiTokenResponse;
    emulator.injectFault(emulator.refreshPath, { kind: 'json', body: '{"access_token":' }, 2);
    expect(await (await refresh(tokens.refresh_token)).text()).toBe('{"access_token":');
    expect(await (await refresh(tokens.refresh_token)).text()).toBe('{"access_token":');
    expect(emulator.refreshCount()).toBe(0);
    expect(emulator.liveRefreshTokens()).toEqual([tokens.refresh_token]);
    expect(emulator.requests.map((r) => `${r.method} ${r.path}`).slice(-2)).toEqual([
      'POST /oauth/refresh_token',
      'POST /oauth/refresh_token',
    ]);
  });

  it('autoApprove skips the consent page; refreshPath moves the refresh endpoint', async () => {
    await restart({ autoApprove: true, refreshPath: '/v2/refresh' });
    const { verifier, challenge } = pkce();
    const response = await fetch(authorizeUrl(challenge), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const code = new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = (await (await exchange(code, verifier)).json()) as YooAiTokenResponse;
    expect(emulator.refreshPath).toBe('/v2/refresh');
    expect((await post('/oauth/refresh_token', { refresh_token: 'x' })).status).toBe(404);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('revokeAll invalidates every access and refresh token', async () => {
    const tokens = await signIn();
    emulator.revokeAll();
    expect(await me(tokens.access_token)).toBe(401);
    expect(emulator.liveRefreshTokens()).toEqual([]);
    await expectOAuthError(await refresh(tokens.refresh_token), 400, 'invalid_grant');
  });
});

describe('standalone', () => {
  it('prints its URL and serves until SIGTERM', async () => {
    const { code } = await runStandaloneFixture(
      'yooai-emulator.ts',
      ['--port', '0'],
      async (line) => {
        const match = /^yooai emulator (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        expect(match).not.toBeNull();
        expect((await fetch(`${match?.[1]}/api/v1/me`)).status).toBe(401);
      },
    );
    expect(code).toBe(0);
  });
});
