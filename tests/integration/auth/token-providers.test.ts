/**
 * YOO-AI and the generic OAuth/OIDC provider through the real AuthService, against the YOO-AI
 * emulator (seed 002, injectable clock) and oidc-provider running in-process: full flows, the
 * refresh lifecycle (security.md 12) and mix-up defence (security.md 13).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProviderId, ProviderState } from '../../../preload/api';
import { AuthService, type CredentialStorePort } from '../../../main/auth/auth-service';
import { CredentialStore } from '../../../main/credentials/credential-store';
import { createKeyfilePort } from '../../../main/credentials/keyfile-port';
import type { FetchLike } from '../../../main/http/request';
import { toErrorView } from '../../../main/errors';
import { fromNetFetch } from '../../../main/http/net-fetch';
import { createMemoryLogger } from '../../../main/log';
import { startOidcServer, type OidcFault, type OidcServer } from '../../fixtures/oidc-server';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { testRegistry } from '../../fixtures/test-registry';
import type { Fault } from '../../fixtures/http-kit';
import { ManualClock, startYooAiEmulator, type YooAiEmulator } from '../../fixtures/yooai-emulator';
import { fakeNetFetch } from '../http/fake-net-fetch';
import { expectDistinctRevisions } from './revisions';

const SCHEME = 'app.latchkey.dev';
const APP_ID = 'latchkey-test-app';
const UNION_ID = 'tk84441';
const SKEW_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

let clock: ManualClock;
let yooai: YooAiEmulator;
let oidc: OidcServer;
let openrouter: OpenRouterEmulator;
const services: AuthService[] = [];

beforeEach(async () => {
  // Real time to start: oidc-provider stamps ID tokens with the real clock.
  clock = new ManualClock();
  [yooai, oidc, openrouter] = await Promise.all([
    startYooAiEmulator({ now: clock.now }),
    startOidcServer({ accessTokenTtlSeconds: 600 }),
    startOpenRouterEmulator(),
  ]);
});
afterEach(async () => {
  for (const service of services.splice(0)) service.dispose();
  await Promise.all([yooai.close(), oidc.close(), openrouter.close()]);
});

interface Rig {
  service: AuthService;
  dir: string;
  opened: string[];
  states: ProviderState[];
  log: ReturnType<typeof createMemoryLogger>;
}

function rig(
  options: {
    dir?: string;
    store?: (store: CredentialStore) => CredentialStorePort;
    fetch?: FetchLike;
    env?: Record<string, string>;
    pendingTtlMs?: number;
  } = {},
): Rig {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'latchkey-tokens-'));
  const { store } = CredentialStore.open({ dir, encryption: createKeyfilePort(dir) });
  const opened: string[] = [];
  const states: ProviderState[] = [];
  const log = createMemoryLogger();
  const service = new AuthService({
    registry: testRegistry(
      {
        LATCHKEY_OPENROUTER_URL: openrouter.url,
        LATCHKEY_YOOAI_URL: yooai.url,
        LATCHKEY_YOOAI_APP_ID: APP_ID,
        LATCHKEY_YOOAI_UNION_ID: UNION_ID,
        LATCHKEY_OIDC_ISSUER: oidc.issuer,
        LATCHKEY_OIDC_CLIENT_ID: oidc.clientId,
        ...options.env,
      },
      SCHEME,
    ),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    store: options.store ? options.store(store) : store,
    storagePolicy: 'secure',
    openExternal: async (url) => {
      opened.push(url);
    },
    scheme: SCHEME,
    keyLabel: 'Latchkey on test-host',
    emit: (state) => states.push(state),
    notify: () => undefined,
    log,
    now: clock.now,
    refreshSkewMs: SKEW_MS,
    timeouts: { exchangeMs: 2_000, accountMs: 2_000, refreshMs: 2_000 },
    ...(options.pendingTtlMs !== undefined && { pendingTtlMs: options.pendingTtlMs }),
  });
  services.push(service);
  return { service, dir, opened, states, log };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function signInYooai(r: Rig): Promise<string> {
  await r.service.signIn('yooai', 'deep-link');
  const callback = await yooai.approve(r.opened.at(-1)!);
  const state = await r.service.handleCallbackUrl(callback, 'os');
  expect(state?.auth.status).toBe('signed-in');
  await settle();
  return callback;
}

async function signInOidc(r: Rig, route: 'deep-link' | 'loopback' = 'deep-link'): Promise<void> {
  await r.service.signIn('oidc', route);
  const callback = await oidc.authorize(r.opened.at(-1)!);
  if (route === 'loopback') {
    // The browser follows the redirect to the loopback listener.
    await fetch(callback);
    for (let i = 0; i < 50 && r.service.state('oidc').auth.status !== 'signed-in'; i++) {
      await settle();
    }
  } else {
    await r.service.handleCallbackUrl(callback, 'os');
  }
  expect(r.service.state('oidc').auth.status).toBe('signed-in');
  await settle();
}

function accessExpiresAt(r: Rig, provider: ProviderId): number {
  const auth = r.service.state(provider).auth;
  if (auth.status !== 'signed-in' || !auth.session?.accessExpiresAt) throw new Error('no session');
  return auth.session.accessExpiresAt;
}

/** Moves the clock to just inside the refresh margin of the current access token. */
function makeDue(r: Rig, provider: ProviderId): void {
  clock.set(accessExpiresAt(r, provider) - SKEW_MS + 1);
}

/** What the credential store holds on disk for `provider` now (a fresh open, as a restart). */
function storedCredential(dir: string, provider: ProviderId) {
  return CredentialStore.open({ dir, encryption: createKeyfilePort(dir) }).store.load(provider);
}

function everyFile(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');
}

describe('YOO-AI (seed 002)', () => {
  it('signs in with the documented authorize and token requests and stores the tokens encrypted', async () => {
    const r = rig();
    await r.service.signIn('yooai', 'deep-link');
    const authorize = new URL(r.opened[0]!);
    expect(authorize.origin + authorize.pathname).toBe(`${yooai.url}/oauth/authorize`);
    expect([...authorize.searchParams.keys()]).toEqual([
      'response_type',
      'app_id',
      'redirect_uri',
      'state',
      'code_challenge',
      'code_challenge_method',
      'scope',
    ]);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${SCHEME}://oauth/yooai`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    const callback = await yooai.approve(r.opened[0]!);
    expect(callback.startsWith(`${SCHEME}://oauth/yooai?`)).toBe(true);
    await r.service.handleCallbackUrl(callback, 'os');
    await settle();

    const token = yooai.requests.find((q) => q.path === '/oauth/token')!;
    const body = JSON.parse(token.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['app_id', 'code', 'code_verifier', 'expire_date', 'union_id'].sort(),
    );
    expect(body['union_id']).toBe(UNION_ID);

    const state = r.service.state('yooai');
    if (state.auth.status !== 'signed-in') throw new Error('not signed in');
    expect(state.auth.account.label).toBe(UNION_ID);
    expect(state.auth.session?.endsAt).toBe(clock.now() + 30 * DAY_MS);
    const accessToken = r.service.credential('yooai')!;
    expect(yooai.isAccessTokenValid(accessToken)).toBe(true);
    // On disk: ciphertext only.
    expect(everyFile(r.dir)).not.toContain(accessToken);
    expect(everyFile(r.dir)).not.toContain(yooai.liveRefreshTokens()[0]!);

    // A restart is signed in from disk, without the network.
    await yooai.close();
    const again = rig({ dir: r.dir });
    again.service.restore();
    expect(again.service.state('yooai').auth.status).toBe('signed-in');
    expect(again.service.credential('yooai')).toBe(accessToken);
  });

  it('refreshes ahead of expiry and stores the rotated pair before handing out the new token', async () => {
    const events: string[] = [];
    const r = rig({
      store: (store) => ({
        load: (p) => store.load(p),
        save: (p, secret, meta, options) => {
          events.push(`save:${p}`);
          store.save(p, secret, meta, options);
        },
        updateMeta: (p, meta) => store.updateMeta(p, meta),
        delete: (p) => store.delete(p),
      }),
    });
    await signInYooai(r);
    const first = r.service.credential('yooai')!;
    // Not due yet: no refresh.
    clock.set(accessExpiresAt(r, 'yooai') - SKEW_MS - 1000);
    expect(await r.service.accessToken('yooai')).toBe(first);
    expect(yooai.refreshCount()).toBe(0);

    makeDue(r, 'yooai');
    events.length = 0;
    const second = await r.service.accessToken('yooai').then((token) => {
      events.push('handed-out');
      return token;
    });
    expect(second).not.toBe(first);
    expect(events).toEqual(['save:yooai', 'handed-out']);
    expect(yooai.refreshCount()).toBe(1);
    expect(yooai.isAccessTokenValid(second)).toBe(true);
    expect(yooai.isAccessTokenValid(first)).toBe(false);
    const refresh = yooai.requests.find((q) => q.path === yooai.refreshPath)!;
    expect(JSON.parse(refresh.body)).toMatchObject({ app_id: APP_ID, union_id: UNION_ID });

    // A restart uses the rotated pair, never the one rotated away.
    const again = rig({ dir: r.dir });
    again.service.restore();
    makeDue(again, 'yooai');
    expect(await again.service.accessToken('yooai')).not.toBe(second);
    expect(yooai.reuseDetected()).toBe(0);
  });

  it('lets ten concurrent callers share one refresh', async () => {
    const r = rig();
    await signInYooai(r);
    makeDue(r, 'yooai');
    const release = yooai.holdRefresh();
    const callers = Array.from({ length: 10 }, () => r.service.accessToken('yooai'));
    await settle();
    release();
    const tokens = await Promise.all(callers);
    expect(new Set(tokens).size).toBe(1);
    expect(yooai.refreshCount()).toBe(1);
    expect(yooai.isAccessTokenValid(tokens[0]!)).toBe(true);
  });

  it('never presents a rotated refresh token over many refreshes', async () => {
    const r = rig();
    await signInYooai(r);
    for (let i = 0; i < 5; i++) {
      makeDue(r, 'yooai');
      await Promise.all([r.service.accessToken('yooai'), r.service.accessToken('yooai')]);
    }
    expect(yooai.refreshCount()).toBe(5);
    expect(yooai.reuseDetected()).toBe(0);
    expect(r.service.state('yooai').auth.status).toBe('signed-in');
  });

  it('after a crash between receiving and storing a rotated pair, asks to sign in once (no loop)', async () => {
    let crashed = false;
    const r = rig({
      store: (store) => ({
        load: (p) => store.load(p),
        save: (p, secret, meta, options) => {
          if (crashed) throw new Error('process died');
          store.save(p, secret, meta, options);
        },
        updateMeta: (p, meta) => store.updateMeta(p, meta),
        delete: (p) => {
          if (crashed) throw new Error('process died');
          store.delete(p);
        },
      }),
    });
    await signInYooai(r);
    makeDue(r, 'yooai');
    crashed = true; // The refresh response arrives, then the process dies before the write.
    await r.service.accessToken('yooai');
    r.service.dispose();
    expect(yooai.refreshCount()).toBe(1);

    // Restart: the disk still holds the pair the provider rotated away.
    const again = rig({ dir: r.dir });
    again.service.restore();
    again.service.refreshAllInBackground();
    for (let i = 0; i < 40 && again.service.state('yooai').auth.status === 'signed-in'; i++) {
      await settle();
    }
    const state = again.service.state('yooai');
    expect(state.auth).toEqual({ status: 'signed-out', reason: 'session-ended' });
    expect(yooai.reuseDetected()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(yooai.refreshCount()).toBe(2);
    expect(storedCredential(r.dir, 'yooai')).toBeNull();
  });

  it('signs out with an explanation when the refresh token is rejected (invalid_grant)', async () => {
    const r = rig();
    await signInYooai(r);
    yooai.revokeAll();
    makeDue(r, 'yooai');
    await expect(r.service.accessToken('yooai')).rejects.toMatchObject({
      code: 'AUTH_SESSION_ENDED',
    });
    expect(r.service.state('yooai').auth).toEqual({
      status: 'signed-out',
      reason: 'session-ended',
    });
    await expect(r.service.accessToken('yooai')).rejects.toMatchObject({
      code: 'CHAT_NOT_SIGNED_IN',
    });
    expect(yooai.refreshCount()).toBe(1);
  });

  it('keeps the session through 503, 429 and a dropped connection, then refreshes', async () => {
    const r = rig();
    await signInYooai(r);
    const first = r.service.credential('yooai')!;
    yooai.injectFault(yooai.refreshPath, { kind: 'status', status: 503 });
    yooai.injectFault(yooai.refreshPath, {
      kind: 'status',
      status: 429,
      headers: { 'Retry-After': '30' },
    });
    yooai.injectFault(yooai.refreshPath, { kind: 'reset' });
    makeDue(r, 'yooai');
    for (let attempt = 0; attempt < 3; attempt++) {
      // Still valid: the caller gets the current token, the session is marked "will retry".
      expect(await r.service.accessToken('yooai')).toBe(first);
      expect(r.service.state('yooai').auth).toMatchObject({
        status: 'signed-in',
        session: { refreshPending: true },
      });
    }
    const refreshes = () => yooai.requests.filter((q) => q.path === yooai.refreshPath).length;
    expect(refreshes()).toBe(3);
    // The stored pair was never touched: a restart now is still signed in.
    const restarted = rig({ dir: r.dir });
    restarted.service.restore();
    expect(restarted.service.credential('yooai')).toBe(first);
    restarted.service.dispose();

    const fresh = await r.service.accessToken('yooai');
    expect(fresh).not.toBe(first);
    expect(yooai.isAccessTokenValid(fresh)).toBe(true);
    expect(r.service.state('yooai').auth).toMatchObject({
      status: 'signed-in',
      session: { refreshPending: false },
    });
    expect(yooai.reuseDetected()).toBe(0);
  });

  it('signs out without asking the network once the refresh token is older than 30 days', async () => {
    const r = rig();
    await signInYooai(r);
    clock.advance(30 * DAY_MS + 1000);
    await expect(r.service.accessToken('yooai')).rejects.toMatchObject({
      code: 'AUTH_SESSION_ENDED',
    });
    expect(yooai.refreshCount()).toBe(0);
    expect(r.service.state('yooai').auth).toMatchObject({ reason: 'session-ended' });
  });

  it.each([
    ['a connection reset', { kind: 'reset' } as const, 'NETWORK_OFFLINE'],
    ['a 503', { kind: 'status', status: 503 } as const, 'HTTP_SERVER_ERROR'],
    [
      'a 429 with Retry-After',
      { kind: 'status', status: 429, headers: { 'retry-after': '120' } } as const,
      'HTTP_RATE_LIMITED',
    ],
    ['an HTML page', { kind: 'html' } as const, 'HTTP_BAD_RESPONSE'],
  ])('keeps the session through %s and retries later', async (_name, fault, code) => {
    const r = rig();
    await signInYooai(r);
    const first = r.service.credential('yooai')!;
    yooai.injectFault(yooai.refreshPath, fault, Infinity);
    makeDue(r, 'yooai');
    // Inside the margin but not yet expired: the current token still works.
    expect(await r.service.accessToken('yooai')).toBe(first);
    const state = r.service.state('yooai');
    expect(state.auth).toMatchObject({ status: 'signed-in', session: { refreshPending: true } });
    // Expired: the caller is told why, and the session stays.
    clock.set(accessExpiresAt(r, 'yooai') + 1);
    await expect(r.service.accessToken('yooai')).rejects.toMatchObject({ code });
    expect(r.service.state('yooai').auth.status).toBe('signed-in');
    // Back online: the retry succeeds with the same refresh token.
    yooai.clearFaults();
    const fresh = await r.service.accessToken('yooai');
    expect(fresh).not.toBe(first);
    expect(yooai.reuseDetected()).toBe(0);
    expect(r.service.state('yooai').auth).toMatchObject({ session: { refreshPending: false } });
  });

  it('rejects a callback whose iss names another server, without an exchange', async () => {
    const r = rig();
    await r.service.signIn('yooai', 'deep-link');
    const callback = await yooai.approve(r.opened[0]!);
    const forged = `${callback}&iss=${encodeURIComponent('https://evil.example')}`;
    const state = await r.service.handleCallbackUrl(forged, 'os');
    expect(state?.error?.code).toBe('AUTH_ISSUER_MISMATCH');
    expect(yooai.tokenCount()).toBe(0);
  });

  it('keeps secrets out of states and logs', async () => {
    const r = rig();
    await signInYooai(r);
    makeDue(r, 'yooai');
    await r.service.accessToken('yooai');
    const outputs = JSON.stringify(r.states) + r.log.lines.join('\n');
    for (const token of [r.service.credential('yooai')!, ...yooai.liveRefreshTokens()]) {
      expect(outputs).not.toContain(token);
    }
  });
});

/**
 * security.md 16 with every secret that crossed the wire: each code, verifier, access, refresh
 * and ID token and access_key_id seen in a request or response body, live or rotated away, is
 * in no state, log line, error view or file (the store holds ciphertext only).
 */
describe('no secret in any output', () => {
  const SECRET_FIELDS = [
    'code',
    'code_verifier',
    'access_token',
    'refresh_token',
    'id_token',
    'access_key_id',
  ];

  function recordingFetch(secrets: Set<string>): FetchLike {
    const collect = (text: string) => {
      const values = [
        ...new URLSearchParams(text).entries(),
        ...Object.entries(
          ((): Record<string, unknown> => {
            try {
              const parsed: unknown = JSON.parse(text);
              return typeof parsed === 'object' && parsed !== null
                ? (parsed as Record<string, unknown>)
                : {};
            } catch {
              return {};
            }
          })(),
        ),
      ];
      for (const [key, value] of values) {
        if (SECRET_FIELDS.includes(key) && typeof value === 'string' && value.length >= 8) {
          secrets.add(value);
        }
      }
    };
    return async (input, init) => {
      if (typeof init?.body === 'string') collect(init.body);
      if (init?.body instanceof URLSearchParams) collect(init.body.toString());
      const response = await fetch(input, init);
      collect(await response.clone().text());
      return response;
    };
  }

  it('through sign-in, refreshes, a failed refresh and sign-out of both token providers', async () => {
    const secrets = new Set<string>();
    const r = rig({ fetch: recordingFetch(secrets) });
    const errors: string[] = [];
    await signInYooai(r);
    await signInOidc(r);
    for (const provider of ['yooai', 'oidc'] as const) {
      for (let i = 0; i < 2; i++) {
        makeDue(r, provider);
        await r.service.accessToken(provider);
      }
    }
    yooai.injectFault(yooai.refreshPath, {
      kind: 'status',
      status: 400,
      body: '{"error":"invalid_grant","error_description":"refresh token revoked"}',
    });
    makeDue(r, 'yooai');
    await r.service.accessToken('yooai').catch((error: unknown) => {
      errors.push(JSON.stringify(toErrorView(error)), String(error));
    });
    expect(r.service.state('yooai').auth.status).toBe('signed-out');
    r.service.signOut('oidc');

    // Codes, verifiers and three generations of tokens per provider were seen.
    expect(secrets.size).toBeGreaterThan(12);
    const outputs = [JSON.stringify(r.states), r.log.lines.join('\n'), ...errors, everyFile(r.dir)];
    for (const secret of secrets) {
      for (const output of outputs) expect(output).not.toContain(secret);
    }
  });
});

/**
 * One transient refresh failure (`inject` sets it up for the next refresh request): the caller
 * still gets the current token, the session is kept and marked "will retry", the files are
 * byte-for-byte what they were; once the fault is gone the next ask refreshes to a token the
 * server accepts (so the refresh token presented was never a rotated-away one).
 */
async function expectTransientRefresh(
  provider: 'yooai' | 'oidc',
  inject: () => void,
  accepted: (token: string) => boolean | Promise<boolean>,
): Promise<void> {
  const r = rig();
  await (provider === 'yooai' ? signInYooai(r) : signInOidc(r));
  const first = r.service.credential(provider)!;
  const storedBefore = everyFile(r.dir);
  inject();
  makeDue(r, provider);
  expect(await r.service.accessToken(provider)).toBe(first);
  expect(r.service.state(provider).auth).toMatchObject({
    status: 'signed-in',
    session: { refreshPending: true },
  });
  expect(everyFile(r.dir)).toBe(storedBefore);
  const fresh = await r.service.accessToken(provider);
  expect(fresh).not.toBe(first);
  expect(await accepted(fresh)).toBe(true);
}

/**
 * The refresh part of the bad-input corpus (security.md): every answer that is not a clean
 * rotation either keeps the session untouched (transient: retried later) or, where the provider
 * rejected the refresh token, ends it. Nothing is half-stored either way.
 */
describe('YOO-AI refresh against the bad-input corpus', () => {
  const transient: [string, Fault][] = [
    ...[408, 500, 501, 502, 503, 504].map((status): [string, Fault] => [
      `${status}`,
      { kind: 'status', status, body: '{"error":"server_error"}' },
    ]),
    ['429 with Retry-After', { kind: 'status', status: 429, headers: { 'Retry-After': '7' } }],
    ['429 without Retry-After', { kind: 'status', status: 429 }],
    ['200 HTML', { kind: 'html' }],
    ['200 empty', { kind: 'empty' }],
    ['200 null', { kind: 'json', body: 'null' }],
    ['200 truncated JSON', { kind: 'json', body: '{"access_token":"abc' }],
    ['200 access_token ""', { kind: 'json', body: '{"access_token":""}' }],
    ['200 access_token 123', { kind: 'json', body: '{"access_token":123}' }],
    ['200 of 10 MB', { kind: 'huge', bytes: 10 * 1024 * 1024 }],
    ['a redirect', { kind: 'redirect', location: 'https://elsewhere.example/' }],
    ['a connection reset', { kind: 'reset' }],
    ['a server that never answers', { kind: 'hang' }],
  ];

  it.each(transient)('%s: session kept, stored pair untouched, retried later', async (_, fault) => {
    await expectTransientRefresh(
      'yooai',
      () => yooai.injectFault(yooai.refreshPath, fault),
      (token) => yooai.isAccessTokenValid(token),
    );
    expect(yooai.reuseDetected()).toBe(0);
  });

  it.each<[number, string, string | null]>([
    [400, '{"error":"invalid_grant","error_description":"refresh token expired"}', null],
    [401, '{"error":"invalid_grant"}', null],
    [403, '{"error":"invalid_grant"}', null],
    [400, '{"error":"invalid_request"}', 'HTTP_CLIENT_ERROR'],
    [403, '{"code":40301,"msg":"app disabled"}', 'HTTP_CLIENT_ERROR'],
    [404, '{"error":"not_found"}', 'AUTH_REFRESH_UNAVAILABLE'],
    [405, '', 'AUTH_REFRESH_UNAVAILABLE'],
    [409, '{"error":"conflict"}', 'HTTP_CLIENT_ERROR'],
    [413, '', 'HTTP_CLIENT_ERROR'],
    [422, '{"code":42200,"msg":"bad body"}', 'HTTP_CLIENT_ERROR'],
  ])(
    '%s %s: no retry can cure it — signed out, explained (%s), nothing left on disk',
    async (status, body, shown) => {
      const r = rig();
      await signInYooai(r);
      yooai.injectFault(yooai.refreshPath, { kind: 'status', status, body }, Infinity);
      makeDue(r, 'yooai');
      await expect(r.service.accessToken('yooai')).rejects.toMatchObject({
        code: 'AUTH_SESSION_ENDED',
      });
      expect(r.service.state('yooai').auth).toEqual({
        status: 'signed-out',
        reason: 'session-ended',
      });
      expect(r.service.state('yooai').error?.code ?? null).toBe(shown);
      expect(storedCredential(r.dir, 'yooai')).toBeNull();
      await settle();
      expect(yooai.requests.filter((q) => q.path === yooai.refreshPath)).toHaveLength(1);
    },
  );
});

describe('OIDC refresh against the bad-input corpus', () => {
  const html = { 'Content-Type': 'text/html; charset=utf-8' };
  const transient: [string, OidcFault][] = [
    ...[408, 500, 501, 502, 503, 504].map((status): [string, OidcFault] => [
      `${status} server_error`,
      { kind: 'status', status },
    ]),
    ['429 with Retry-After', { kind: 'status', status: 429, headers: { 'Retry-After': '7' } }],
    ['429 without Retry-After', { kind: 'status', status: 429, body: '' }],
    ['200 HTML', { kind: 'status', status: 200, body: '<html>Sign in</html>', headers: html }],
    ['200 empty', { kind: 'status', status: 200, body: '' }],
    ['200 null', { kind: 'status', status: 200, body: 'null' }],
    ['200 truncated JSON', { kind: 'status', status: 200, body: '{"access_token":"abc' }],
    [
      '200 access_token ""',
      { kind: 'status', status: 200, body: '{"access_token":"","token_type":"Bearer"}' },
    ],
    [
      '200 access_token 123',
      { kind: 'status', status: 200, body: '{"access_token":123,"token_type":"Bearer"}' },
    ],
    [
      '200 of 10 MB',
      { kind: 'status', status: 200, body: `{"access_token":"${'a'.repeat(10 * 1024 * 1024)}"}` },
    ],
    [
      'a redirect',
      {
        kind: 'status',
        status: 302,
        body: '',
        headers: { Location: 'https://elsewhere.example/' },
      },
    ],
    ['a connection reset', { kind: 'reset' }],
    ['a server that never answers', { kind: 'hang' }],
  ];

  it.each(transient)('%s: session kept, stored pair untouched, retried later', async (_, fault) => {
    await expectTransientRefresh(
      'oidc',
      () => oidc.injectFault('/token', fault),
      (token) => oidc.isAccessTokenValid(token),
    );
  });

  it.each<[number, string]>([
    [400, '{"error":"invalid_request"}'],
    [400, '{"error":"invalid_scope"}'],
    [401, '{"error":"invalid_client"}'],
    [403, '<html>Forbidden</html>'],
    [404, ''],
    [405, ''],
    [409, '{"error":"server_error"}'],
    [413, ''],
    [422, '{"error":"unsupported_grant_type"}'],
  ])('%s %s: no retry can cure it — signed out, nothing left on disk', async (status, body) => {
    const r = rig();
    await signInOidc(r);
    oidc.injectFault('/token', { kind: 'status', status, body }, Infinity);
    makeDue(r, 'oidc');
    await expect(r.service.accessToken('oidc')).rejects.toMatchObject({
      code: 'AUTH_SESSION_ENDED',
    });
    expect(r.service.state('oidc').auth).toEqual({ status: 'signed-out', reason: 'session-ended' });
    expect(storedCredential(r.dir, 'oidc')).toBeNull();
    expect(oidc.refreshCount()).toBe(1);
  });
});

/**
 * The same refreshes over Electron's `net.fetch` (a fake that rejects the way Electron does, see
 * ../http/fake-net-fetch.ts), wrapped as main/index.ts wraps the real one: every `net::ERR_*`
 * that means "no way to the provider from here" — the network, the proxy, a certificate the
 * organization has not installed yet, a timeout — keeps the session and its stored pair, tells
 * the caller why, and is retried with the same refresh token once the way is clear.
 */
describe("refresh over Electron's net.fetch failing", () => {
  it.each<['yooai' | 'oidc', string, string]>([
    ['yooai', 'ERR_PROXY_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['yooai', 'ERR_TUNNEL_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['yooai', 'ERR_CERT_AUTHORITY_INVALID', 'NETWORK_CERTIFICATE'],
    ['yooai', 'ERR_INTERNET_DISCONNECTED', 'NETWORK_OFFLINE'],
    ['yooai', 'ERR_CONNECTION_TIMED_OUT', 'HTTP_TIMEOUT'],
    ['oidc', 'ERR_PROXY_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['oidc', 'ERR_MANDATORY_PROXY_CONFIGURATION_FAILED', 'NETWORK_PROXY'],
    ['oidc', 'ERR_CERT_DATE_INVALID', 'NETWORK_CERTIFICATE'],
    ['oidc', 'ERR_NAME_NOT_RESOLVED', 'NETWORK_OFFLINE'],
    ['oidc', 'ERR_TIMED_OUT', 'HTTP_TIMEOUT'],
  ])(
    '%s keeps the session through net::%s (%s) and retries later',
    async (provider, name, code) => {
      const net = fakeNetFetch();
      const r = rig({ fetch: fromNetFetch(net.fetch) });
      await (provider === 'yooai' ? signInYooai(r) : signInOidc(r));
      const first = r.service.credential(provider)!;
      const storedBefore = everyFile(r.dir);
      net.fail(provider === 'yooai' ? yooai.url : new URL(oidc.issuer).origin, name);
      makeDue(r, provider);
      // Inside the margin but not yet expired: the current token still works.
      expect(await r.service.accessToken(provider)).toBe(first);
      expect(r.service.state(provider).auth).toMatchObject({
        status: 'signed-in',
        session: { refreshPending: true },
      });
      // Expired: the caller is told why, and the session stays.
      clock.set(accessExpiresAt(r, provider) + 1);
      await expect(r.service.accessToken(provider)).rejects.toMatchObject({ code });
      expect(r.service.state(provider).auth.status).toBe('signed-in');
      expect(everyFile(r.dir)).toBe(storedBefore);
      // The way is clear again: the retry succeeds with the same refresh token.
      net.heal();
      const fresh = await r.service.accessToken(provider);
      expect(fresh).not.toBe(first);
      expect(r.service.state(provider).auth).toMatchObject({ session: { refreshPending: false } });
      if (provider === 'yooai') expect(yooai.reuseDetected()).toBe(0);
      expect(net.calls.every((c) => c.init?.credentials === 'omit')).toBe(true);
    },
  );
});

describe('settings and sessions', () => {
  it('does not use a stored session for another app than the one configured now, and deletes it', async () => {
    const r = await rigSignedIn();
    const same = rig({ dir: r.dir });
    same.service.restore();
    expect(same.service.state('yooai').auth.status).toBe('signed-in');
    same.service.dispose();
    // Nothing in the UI could sign those tokens out, and they must not reach the new app.
    const other = rig({ dir: r.dir, env: { LATCHKEY_YOOAI_APP_ID: 'another-app' } });
    other.service.restore();
    expect(other.service.state('yooai').auth.status).toBe('signed-out');
    expect(storedCredential(r.dir, 'yooai')).toBeNull();
  });

  it('a restored OIDC session is not used for another chat endpoint', async () => {
    const env = { LATCHKEY_OIDC_CHAT_URL: 'https://gateway.corp.example/v1' };
    const r = rig({ env });
    await signInOidc(r);
    const again = rig({ dir: r.dir, env });
    again.service.restore();
    expect(again.service.chatCredentials('oidc')?.baseUrl.href).toBe(
      'https://gateway.corp.example/v1',
    );
    again.service.dispose();
    const moved = rig({ dir: r.dir, env: { LATCHKEY_OIDC_CHAT_URL: 'https://other.example/v1' } });
    moved.service.restore();
    expect(moved.service.state('oidc').auth.status).toBe('signed-out');
    expect(moved.service.chatCredentials('oidc')).toBeNull();
  });

  it('refuses to change settings while signed in, and explains not-configured sign-ins', async () => {
    const r = await rigSignedIn();
    const current = r.service.state('yooai').settings;
    if (current?.provider !== 'yooai') throw new Error('no settings');
    expect(() =>
      r.service.configure({ provider: 'yooai', settings: { ...current.settings, appId: 'x' } }),
    ).toThrow(expect.objectContaining({ code: 'SETTINGS_LOCKED' }));

    const bare = rig({ env: { LATCHKEY_YOOAI_APP_ID: '', LATCHKEY_YOOAI_UNION_ID: '' } });
    expect(bare.service.state('yooai').configured).toBe(false);
    const state = await bare.service.signIn('yooai', 'deep-link');
    expect(state.error?.code).toBe('AUTH_NOT_CONFIGURED');
    expect(bare.opened).toHaveLength(0);
  });
});

async function rigSignedIn(): Promise<Rig> {
  const r = rig();
  await signInYooai(r);
  return r;
}

/** Races and lifetimes a user never plans for, each of which once went wrong. */
describe('races and odd lifetimes', () => {
  /** A fetch that holds requests to paths ending in `suffix` until `release()`. */
  function holdingFetch(suffix: string) {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const fetchLike: FetchLike = async (input, init) => {
      if (String(input).endsWith(suffix)) await held;
      return fetch(input, init);
    };
    return { fetch: fetchLike, release: () => release() };
  }

  it('tokens that live shorter than the skew margin are refreshed at half-life, not in a storm', async () => {
    const short = await startYooAiEmulator({ now: clock.now, maxAccessTtlSeconds: 30 });
    try {
      const r = rig({ env: { LATCHKEY_YOOAI_URL: short.url } });
      await r.service.signIn('yooai', 'deep-link');
      await r.service.handleCallbackUrl(await short.approve(r.opened.at(-1)!), 'os');
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the clock stands still
      expect(short.refreshCount()).toBe(0);
      const first = r.service.credential('yooai')!;
      clock.advance(14_000);
      expect(await r.service.accessToken('yooai')).toBe(first);
      clock.advance(2_000); // past half of its 30 s
      expect(await r.service.accessToken('yooai')).not.toBe(first);
      expect(short.refreshCount()).toBe(1);
    } finally {
      await short.close();
    }
  });

  it('settings cannot change while a code exchange is in flight', async () => {
    const hold = holdingFetch('/oauth/token');
    const r = rig({ fetch: hold.fetch });
    await r.service.signIn('yooai', 'deep-link');
    const done = r.service.handleCallbackUrl(await yooai.approve(r.opened.at(-1)!), 'os');
    await settle();
    const current = r.service.state('yooai').settings!;
    if (current.provider !== 'yooai') throw new Error('expected YOO-AI settings');
    expect(() =>
      r.service.configure({
        provider: 'yooai',
        settings: { ...current.settings, baseUrl: 'https://elsewhere.example' },
      }),
    ).toThrow(expect.objectContaining({ code: 'SETTINGS_LOCKED' }));
    hold.release();
    await done;
    expect(r.service.state('yooai').auth.status).toBe('signed-in');
    expect(r.service.state('yooai').settings).toEqual(current);
  });

  it('sign-out while the exchange runs wins: the late tokens are dropped, never stored', async () => {
    const hold = holdingFetch('/oauth/token');
    const r = rig({ fetch: hold.fetch });
    await r.service.signIn('yooai', 'deep-link');
    const done = r.service.handleCallbackUrl(await yooai.approve(r.opened.at(-1)!), 'os');
    await settle();
    r.service.signOut('yooai');
    hold.release();
    await done;
    await settle();
    expect(r.service.state('yooai').auth).toEqual({ status: 'signed-out', reason: 'user' });
    expect(r.service.state('yooai').error).toBeNull();
    expect(storedCredential(r.dir, 'yooai')).toBeNull();
  });

  it('a forged loopback request with a wrong state does not close the listener', async () => {
    const r = rig();
    await r.service.signIn('oidc', 'loopback');
    const redirect = new URL(r.opened.at(-1)!).searchParams.get('redirect_uri')!;
    const forged = await fetch(`${redirect}?code=forged&state=${'A'.repeat(43)}`);
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(oidc.tokenRequests().length).toBe(0);
    const callback = await oidc.authorize(r.opened.at(-1)!);
    expect((await fetch(callback)).status).toBe(200);
    for (let i = 0; i < 50 && r.service.state('oidc').auth.status !== 'signed-in'; i++) {
      await settle();
    }
    expect(r.service.state('oidc').auth.status).toBe('signed-in');
  });

  it('two quick clicks share one attempt: one listener, one URL, and it completes', async () => {
    const r = rig();
    await Promise.all([r.service.signIn('oidc', 'loopback'), r.service.signIn('oidc', 'loopback')]);
    expect(new Set(r.opened).size).toBe(1);
    const callback = await oidc.authorize(r.opened[0]!);
    expect((await fetch(callback)).status).toBe(200);
    for (let i = 0; i < 50 && r.service.state('oidc').auth.status !== 'signed-in'; i++) {
      await settle();
    }
    expect(r.service.state('oidc').auth.status).toBe('signed-in');
  });

  it('a refresh still running for an old session is not joined by the next session', async () => {
    const r = rig();
    await signInYooai(r);
    makeDue(r, 'yooai');
    const release = yooai.holdRefresh();
    const old = r.service.accessToken('yooai').catch((error: unknown) => error);
    await settle();
    r.service.signOut('yooai');
    await signInYooai(r);
    const signedIn = r.service.credential('yooai')!;
    makeDue(r, 'yooai');
    const next = r.service.accessToken('yooai');
    await settle();
    release();
    expect(await old).toMatchObject({ code: 'AUTH_SESSION_ENDED' });
    const token = await next;
    expect(token).not.toBe(signedIn); // its own refresh, not the old session's failed one
    expect(yooai.isAccessTokenValid(token)).toBe(true);
    expect(r.service.state('yooai').auth.status).toBe('signed-in');
    expect(r.service.credential('yooai')).toBe(token);
  });
});

describe('mix-up defence: one provider never completes another sign-in', () => {
  it('ignores a YOO-AI callback on the OpenRouter path and the reverse', async () => {
    const r = rig();
    await r.service.signIn('yooai', 'deep-link');
    await r.service.signIn('openrouter', 'deep-link');
    const [yooaiUrl, openrouterUrl] = r.opened;
    const yooaiCallback = new URL(await yooai.approve(yooaiUrl!));
    const code = yooaiCallback.searchParams.get('code')!;
    const state = yooaiCallback.searchParams.get('state')!;
    const openrouterNonce = new URL(
      new URL(openrouterUrl!).searchParams.get('callback_url')!,
    ).pathname
      .split('/')
      .at(-1)!;

    // YOO-AI's code and state delivered on OpenRouter's path (state as the nonce, or none).
    expect(
      await r.service.handleCallbackUrl(`${SCHEME}://oauth/openrouter/${state}?code=${code}`, 'os'),
    ).toBeNull();
    expect(
      await r.service.handleCallbackUrl(
        `${SCHEME}://oauth/openrouter?code=${code}&state=${state}`,
        'os',
      ),
    ).toBeNull();
    // OpenRouter's nonce delivered on YOO-AI's path.
    expect(
      await r.service.handleCallbackUrl(
        `${SCHEME}://oauth/yooai?code=abc&state=${openrouterNonce}`,
        'os',
      ),
    ).toBeNull();
    expect(
      await r.service.handleCallbackUrl(
        `${SCHEME}://oauth/yooai/${openrouterNonce}?code=abc`,
        'os',
      ),
    ).toBeNull();
    expect(openrouter.exchangeCount()).toBe(0);
    expect(yooai.tokenCount()).toBe(0);
    expect(r.service.state('yooai').auth.status).toBe('signing-in');
    expect(r.service.state('openrouter').auth.status).toBe('signing-in');

    // The genuine callback still completes its own sign-in.
    await r.service.handleCallbackUrl(yooaiCallback.href, 'os');
    expect(r.service.state('yooai').auth.status).toBe('signed-in');
    expect(r.service.state('openrouter').auth.status).toBe('signing-in');
  });

  it('pins each sign-in to its own state: a replayed callback does nothing', async () => {
    const r = rig();
    const callback = await signInYooai(r);
    r.service.signOut('yooai');
    expect(await r.service.handleCallbackUrl(callback, 'os')).toBeNull();
    expect(yooai.tokenCount()).toBe(1);
  });
});

describe('generic OAuth 2.0 / OpenID Connect (oidc-provider)', () => {
  it('discovers the server and signs in with code + PKCE + state, checking iss', async () => {
    const r = rig();
    await r.service.signIn('oidc', 'deep-link');
    const authorize = new URL(r.opened[0]!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${SCHEME}://oauth/oidc`);
    expect(authorize.searchParams.get('prompt')).toBe('consent');
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const callback = new URL(await oidc.authorize(authorize.href));
    expect(callback.searchParams.get('iss')).toBe(oidc.issuer);
    await r.service.handleCallbackUrl(callback.href, 'os');
    const state = r.service.state('oidc');
    expect(state.error).toBeNull();
    expect(state.auth).toMatchObject({ status: 'signed-in', account: { label: 'Ada Lovelace' } });
    expect(await oidc.isAccessTokenValid(r.service.credential('oidc')!)).toBe(true);
  });

  it('signs in through the loopback listener on any port', async () => {
    const r = rig();
    await signInOidc(r, 'loopback');
    expect(new URL(new URL(r.opened[0]!).searchParams.get('redirect_uri')!).hostname).toBe(
      '127.0.0.1',
    );
  });

  it('rejects a callback whose iss is not the issuer, without an exchange', async () => {
    const r = rig();
    await r.service.signIn('oidc', 'deep-link');
    const callback = new URL(await oidc.authorize(r.opened[0]!));
    callback.searchParams.set('iss', 'https://evil.example');
    const state = await r.service.handleCallbackUrl(callback.href, 'os');
    expect(state?.error?.code).toBe('AUTH_ISSUER_MISMATCH');
    expect(oidc.tokenRequests()).toHaveLength(0);
    expect(state?.auth.status).toBe('signed-out');
  });

  it('refreshes with rotation ahead of expiry, once for ten callers', async () => {
    const r = rig();
    await signInOidc(r);
    const first = r.service.credential('oidc')!;
    makeDue(r, 'oidc');
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => r.service.accessToken('oidc')),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(oidc.refreshCount()).toBe(1);
    expect(await oidc.isAccessTokenValid(tokens[0]!)).toBe(true);
    makeDue(r, 'oidc');
    await r.service.accessToken('oidc');
    expect(oidc.refreshCount()).toBe(2);
    expect(r.service.state('oidc').auth.status).toBe('signed-in');
  });

  it('refreshes once on a 401 and signs out when the grant is gone', async () => {
    const r = rig();
    await signInOidc(r);
    const first = r.service.credential('oidc')!;
    const fresh = await r.service.unauthorized('oidc', first);
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(first);
    // A second caller reporting the old token gets the fresh one, no second refresh.
    expect(await r.service.unauthorized('oidc', first)).toBe(fresh);
    expect(oidc.refreshCount()).toBe(1);

    await oidc.revokeGrants();
    expect(await r.service.unauthorized('oidc', fresh!)).toBeNull();
    expect(r.service.state('oidc').auth).toEqual({ status: 'signed-out', reason: 'session-ended' });
  });

  it('keeps the session when the token endpoint is unreachable', async () => {
    const r = rig();
    await signInOidc(r);
    oidc.injectFault('/token', { kind: 'reset' }, Infinity);
    makeDue(r, 'oidc');
    const current = r.service.credential('oidc')!;
    expect(await r.service.accessToken('oidc')).toBe(current);
    expect(r.service.state('oidc').auth).toMatchObject({
      status: 'signed-in',
      session: { refreshPending: true },
    });
  });
});

/** A network on which OIDC discovery waits until released; `requested` once it was asked for. */
function heldDiscovery() {
  let release!: () => void;
  let asked!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const requested = new Promise<void>((resolve) => (asked = resolve));
  const fetchFn: FetchLike = async (input, init) => {
    if (new URL(input).pathname.startsWith('/.well-known/')) {
      asked();
      await released;
    }
    return fetch(input, init);
  };
  return { fetch: fetchFn, requested, release };
}

describe('revisions: a state read after any change carries a new one', () => {
  it('signing-in is published when the attempt begins, not after OIDC discovery', async () => {
    const network = heldDiscovery();
    const r = rig({ fetch: network.fetch });
    const before = r.service.state('oidc');
    const signingIn = r.service.signIn('oidc', 'deep-link');
    await network.requested;
    const during = r.service.state('oidc');
    expect(during.auth).toMatchObject({ status: 'signing-in', route: 'deep-link' });
    expect(during.revision).toBeGreaterThan(before.revision);
    expect(r.states.at(-1)).toEqual(during);
    network.release();
    await signingIn;
    expect(r.opened).toHaveLength(1);
    expectDistinctRevisions([before, during, ...r.states, r.service.state('oidc')]);
  });

  it('a sign-in whose preparation outlasts its lifetime ends, published, without a browser', async () => {
    const network = heldDiscovery();
    const r = rig({ fetch: network.fetch, pendingTtlMs: 100 });
    const signingIn = r.service.signIn('oidc', 'loopback');
    await network.requested;
    await vi.waitFor(() =>
      expect(r.states.at(-1)).toMatchObject({
        auth: { status: 'signed-out' },
        error: { code: 'AUTH_SIGN_IN_EXPIRED' },
      }),
    );
    network.release();
    await signingIn;
    expect(r.opened).toEqual([]);
    const after = r.service.state('oidc');
    expect(after).toEqual(r.states.at(-1));
    expectDistinctRevisions([...r.states, after]);
    // Nothing is left pending: the settings are free again.
    expect(r.service.configure(after.settings!).auth.status).toBe('signed-out');
  });
});
