import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notice, ProviderState } from '../../../preload/api';
import { AuthService, type StoragePolicy } from '../../../main/auth/auth-service';
import { CredentialStore } from '../../../main/credentials/credential-store';
import type { EncryptionPort } from '../../../main/credentials/encryption';
import { createKeyfilePort } from '../../../main/credentials/keyfile-port';
import type { FetchLike } from '../../../main/http/request';
import { createMemoryLogger } from '../../../main/log';
import { testRegistry } from '../../fixtures/test-registry';
import {
  startOpenRouterEmulator,
  type Fault,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { expectDistinctRevisions } from './revisions';

const SCHEME = 'app.latchkey.dev';
const LABEL = 'Latchkey on test-host';

interface Rig {
  service: AuthService;
  store: CredentialStore;
  dir: string;
  opened: string[];
  states: ProviderState[];
  notices: Notice[];
  log: ReturnType<typeof createMemoryLogger>;
  fetchCalls: () => number;
}

let emulator: OpenRouterEmulator;
const services: AuthService[] = [];

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
});
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose();
  await emulator.close();
});

function rig(
  options: {
    dir?: string;
    policy?: StoragePolicy;
    fetch?: FetchLike;
    now?: () => number;
    pendingTtlMs?: number;
    exchangeMs?: number;
  } = {},
): Rig {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'latchkey-auth-'));
  const keyfile = createKeyfilePort(dir);
  const encryption: EncryptionPort =
    options.policy === 'weak' || options.policy === 'unavailable'
      ? {
          backend: options.policy === 'weak' ? 'basic_text' : 'unknown',
          isAvailable: () => options.policy === 'weak',
          encrypt: (text) => keyfile.encrypt(text),
          decrypt: (data) => keyfile.decrypt(data),
        }
      : keyfile;
  const { store } = CredentialStore.open({ dir, encryption });
  const opened: string[] = [];
  const states: ProviderState[] = [];
  const notices: Notice[] = [];
  const log = createMemoryLogger();
  let calls = 0;
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const service = new AuthService({
    registry: testRegistry({ LATCHKEY_OPENROUTER_URL: emulator.url }, SCHEME, LABEL),
    fetch: (input, init) => {
      calls++;
      return baseFetch(input, init);
    },
    store,
    storagePolicy: options.policy ?? 'secure',
    openExternal: async (url) => {
      opened.push(url);
    },
    scheme: SCHEME,
    keyLabel: LABEL,
    emit: (state) => states.push(state),
    notify: (notice) => notices.push(notice),
    log,
    ...(options.now && { now: options.now }),
    ...(options.pendingTtlMs !== undefined && { pendingTtlMs: options.pendingTtlMs }),
    timeouts: { exchangeMs: options.exchangeMs ?? 2_000, accountMs: 2_000 },
  });
  services.push(service);
  return { service, store, dir, opened, states, notices, log, fetchCalls: () => calls };
}

/** What a browser does on the consent page: GET /auth, POST approve/deny, follow Location. */
async function consent(authorizationUrl: string, choice: 'approve' | 'deny' = 'approve') {
  const page = await (await fetch(authorizationUrl)).text();
  const session = /name="session" value="([^"]+)"/.exec(page)?.[1];
  if (!session) throw new Error('no consent session in page');
  const response = await fetch(new URL(`/auth/${choice}`, emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (!location) throw new Error('no redirect');
  return location;
}

async function startAndApprove(r: Rig, route: 'deep-link' | 'loopback' = 'deep-link') {
  await r.service.signIn('openrouter', route);
  return consent(r.opened.at(-1)!);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

function everyOutput(r: Rig): string {
  const files = readdirSync(r.dir).map((f) => readFileSync(join(r.dir, f)).toString('latin1'));
  return [JSON.stringify(r.states), JSON.stringify(r.notices), r.log.lines.join(''), ...files].join(
    '\n',
  );
}

describe('OpenRouter sign-in against the emulator', () => {
  it('signs in through a deep link: S256 exchange, state, persistence, account', async () => {
    const r = rig();
    const link = await startAndApprove(r);
    expect(link.startsWith(`${SCHEME}://oauth/openrouter/`)).toBe(true);
    const state = await r.service.handleCallbackUrl(link, 'os');
    expect(state?.auth).toMatchObject({ status: 'signed-in', persistence: 'stored' });
    expect(state?.auth.status === 'signed-in' && state.auth.account.label).toBe(LABEL);

    const exchange = emulator.requests.find((q) => q.path === '/api/v1/auth/keys');
    expect(JSON.parse(exchange!.body)).toMatchObject({ code_challenge_method: 'S256' });
    expect(r.service.credential('openrouter')).toBe(emulator.issuedKeys()[0]);

    await vi.waitFor(() =>
      expect(r.store.load('openrouter')?.secret).toBe(emulator.issuedKeys()[0]),
    );
    await vi.waitFor(() =>
      expect(r.service.state('openrouter').auth).toMatchObject({
        account: { limitRemaining: 9.75, stale: false },
      }),
    );
  });

  it('says "signed in" before anything is written to disk', async () => {
    const r = rig();
    const save = vi.spyOn(r.store, 'save');
    const link = await startAndApprove(r);
    let savedBeforeSignedIn: boolean | null = null;
    const states = r.states;
    const push = states.push.bind(states);
    states.push = (...items) => {
      if (items.some((s) => s.auth.status === 'signed-in') && savedBeforeSignedIn === null) {
        savedBeforeSignedIn = save.mock.calls.length > 0;
      }
      return push(...items);
    };
    await r.service.handleCallbackUrl(link, 'os');
    expect(savedBeforeSignedIn).toBe(false);
    await vi.waitFor(() => expect(save).toHaveBeenCalledTimes(1));
  });

  it('a replayed link, a duplicate delivery and an unknown nonce cause no second exchange', async () => {
    const r = rig();
    const link = await startAndApprove(r);
    await Promise.all([
      r.service.handleCallbackUrl(link, 'os'),
      r.service.handleCallbackUrl(link, 'os'),
    ]);
    await r.service.handleCallbackUrl(link, 'os');
    expect(emulator.exchangeCount()).toBe(1);

    const r2 = rig();
    await r2.service.signIn('openrouter', 'deep-link');
    const foreign = `${SCHEME}://oauth/openrouter/${'A'.repeat(43)}?code=abc`;
    const before = r2.states.length;
    expect(await r2.service.handleCallbackUrl(foreign, 'os')).toBeNull();
    expect(r2.states.length).toBe(before);
    expect(r2.service.state('openrouter').auth.status).toBe('signing-in');
    await expect(r2.service.handleCallbackUrl(foreign, 'paste')).rejects.toMatchObject({
      code: 'AUTH_CALLBACK_UNKNOWN',
    });
    expect(emulator.exchangeCount()).toBe(1);
  });

  it('rejects malformed pasted links with AUTH_CALLBACK_INVALID and keeps the attempt', async () => {
    const r = rig();
    await r.service.signIn('openrouter', 'deep-link');
    for (const bad of [
      'hello',
      'https://example.com/?code=x',
      `${SCHEME}://oauth/yooai/x?code=1`,
    ]) {
      await expect(r.service.handleCallbackUrl(bad, 'paste')).rejects.toMatchObject({
        code: 'AUTH_CALLBACK_INVALID',
      });
    }
    expect(r.service.state('openrouter').auth.status).toBe('signing-in');
  });

  it('a second click joins the pending sign-in: same URL, one verifier', async () => {
    const r = rig();
    await r.service.signIn('openrouter', 'deep-link');
    await r.service.signIn('openrouter', 'deep-link');
    expect(r.opened).toHaveLength(2);
    expect(r.opened[0]).toBe(r.opened[1]);
  });

  it('cancel discards the verifier: the approved link then does nothing', async () => {
    const r = rig();
    const link = await startAndApprove(r);
    r.service.cancel('openrouter');
    expect(await r.service.handleCallbackUrl(link, 'os')).toBeNull();
    expect(emulator.exchangeCount()).toBe(0);
    expect(r.service.state('openrouter').auth.status).toBe('signed-out');
  });

  it('an expired sign-in exchanges nothing and says it expired', async () => {
    let now = 1_000_000;
    const r = rig({ now: () => now });
    const link = await startAndApprove(r);
    now += 10 * 60 * 1000;
    expect(await r.service.handleCallbackUrl(link, 'os')).toBeNull();
    expect(emulator.exchangeCount()).toBe(0);
    expect(r.service.state('openrouter')).toMatchObject({
      auth: { status: 'signed-out' },
      error: { code: 'AUTH_SIGN_IN_EXPIRED' },
    });
  });

  it('the pending sign-in expires by itself after its lifetime', async () => {
    const r = rig({ pendingTtlMs: 100 });
    await r.service.signIn('openrouter', 'deep-link');
    await vi.waitFor(() =>
      expect(r.service.state('openrouter')).toMatchObject({
        auth: { status: 'signed-out' },
        error: { code: 'AUTH_SIGN_IN_EXPIRED' },
      }),
    );
  });

  it('denied consent → AUTH_DENIED with the provider text, no exchange', async () => {
    const r = rig();
    await r.service.signIn('openrouter', 'deep-link');
    const link = await consent(r.opened[0]!, 'deny');
    const state = await r.service.handleCallbackUrl(link, 'os');
    expect(state).toMatchObject({
      auth: { status: 'signed-out' },
      error: { code: 'AUTH_DENIED', providerMessage: 'The user denied the request' },
    });
    expect(emulator.exchangeCount()).toBe(0);
  });

  it('a used code is rejected by the provider (403) → AUTH_EXCHANGE_REJECTED', async () => {
    const r = rig();
    const link = await startAndApprove(r);
    await r.service.handleCallbackUrl(link, 'os');
    r.service.signOut('openrouter');
    await r.service.signIn('openrouter', 'deep-link');
    const nonce = new URL(new URL(r.opened.at(-1)!).searchParams.get('callback_url')!).pathname
      .split('/')
      .at(-1);
    const code = new URL(link).searchParams.get('code');
    const state = await r.service.handleCallbackUrl(
      `${SCHEME}://oauth/openrouter/${nonce}?code=${code}`,
      'os',
    );
    expect(state).toMatchObject({
      auth: { status: 'signed-out' },
      error: { code: 'AUTH_EXCHANGE_REJECTED', status: 403 },
    });
  });

  const faults: [string, string, Fault][] = [
    [
      '400 method mismatch',
      'AUTH_EXCHANGE_METHOD_MISMATCH',
      {
        kind: 'status',
        status: 400,
        body: '{"error":{"code":400,"message":"Invalid code_challenge_method"}}',
        contentType: 'application/json',
      },
    ],
    [
      '403',
      'AUTH_EXCHANGE_REJECTED',
      { kind: 'status', status: 403, contentType: 'application/json', body: '{}' },
    ],
    ['405', 'AUTH_EXCHANGE_NOT_ALLOWED', { kind: 'status', status: 405 }],
    ['404', 'HTTP_CLIENT_ERROR', { kind: 'status', status: 404 }],
    [
      '429 with Retry-After',
      'HTTP_RATE_LIMITED',
      { kind: 'status', status: 429, headers: { 'retry-after': '12' } },
    ],
    ['429 without Retry-After', 'HTTP_RATE_LIMITED', { kind: 'status', status: 429 }],
    ['500', 'HTTP_SERVER_ERROR', { kind: 'status', status: 500 }],
    [
      '502 HTML',
      'HTTP_SERVER_ERROR',
      { kind: 'status', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' },
    ],
    ['503', 'HTTP_SERVER_ERROR', { kind: 'status', status: 503 }],
    ['504', 'HTTP_SERVER_ERROR', { kind: 'status', status: 504 }],
    ['200 HTML', 'HTTP_BAD_RESPONSE', { kind: 'html' }],
    ['200 empty', 'HTTP_BAD_RESPONSE', { kind: 'empty' }],
    ['200 null', 'HTTP_BAD_RESPONSE', { kind: 'json', body: 'null' }],
    ['200 truncated', 'HTTP_BAD_RESPONSE', { kind: 'json', body: '{"key":"sk-or-v1-' }],
    ['200 key ""', 'HTTP_BAD_RESPONSE', { kind: 'json', body: '{"key":""}' }],
    ['200 key 123', 'HTTP_BAD_RESPONSE', { kind: 'json', body: '{"key":123}' }],
    ['200 10 MB', 'HTTP_RESPONSE_TOO_LARGE', { kind: 'huge', bytes: 10 * 1024 * 1024 }],
    ['redirect', 'HTTP_BAD_RESPONSE', { kind: 'redirect', location: 'https://example.invalid/' }],
    ['connection reset', 'NETWORK_OFFLINE', { kind: 'reset' }],
    ['never answers', 'HTTP_TIMEOUT', { kind: 'hang' }],
  ];

  it.each(faults)(
    'exchange %s → %s, nothing stored, and a fresh attempt works',
    async (_n, code, fault) => {
      const r = rig({ exchangeMs: 500 });
      const link = await startAndApprove(r);
      emulator.injectFault('/api/v1/auth/keys', fault);
      const state = await r.service.handleCallbackUrl(link, 'os');
      expect(state).toMatchObject({ auth: { status: 'signed-out' }, error: { code } });
      if (fault.kind === 'status' && fault.status === 429 && fault.headers) {
        expect(state?.error?.retryAfter).toBe(12);
      }
      await settle();
      expect(r.store.load('openrouter')).toBeNull();
      expect(r.service.credential('openrouter')).toBeNull();

      const retry = await startAndApprove(r);
      const ok = await r.service.handleCallbackUrl(retry, 'os');
      expect(ok?.auth.status).toBe('signed-in');
    },
  );

  it('offline (nothing listening) → NETWORK_OFFLINE', async () => {
    const r = rig();
    const link = await startAndApprove(r);
    await emulator.close();
    const state = await r.service.handleCallbackUrl(link, 'os');
    expect(state?.error?.code).toBe('NETWORK_OFFLINE');
    emulator = await startOpenRouterEmulator();
  });

  it('starts signed in from disk with no network, last known account marked stale', async () => {
    const first = rig();
    await first.service.handleCallbackUrl(await startAndApprove(first), 'os');
    await vi.waitFor(() =>
      expect(first.service.state('openrouter').auth).toMatchObject({ account: { stale: false } }),
    );
    first.service.dispose();

    const offline: FetchLike = () => Promise.reject(new TypeError('fetch failed'));
    const second = rig({ dir: first.dir, fetch: offline });
    const before = second.service.state('openrouter');
    second.service.restore();
    expect(second.fetchCalls()).toBe(0);
    // Signed in now, signed out before: not the same revision.
    expectDistinctRevisions([before, second.service.state('openrouter')]);
    expect(second.service.state('openrouter').auth).toMatchObject({
      status: 'signed-in',
      account: { label: LABEL, limitRemaining: 9.75, stale: true },
    });
    second.service.refreshAllInBackground();
    await settle();
    expect(second.service.state('openrouter').auth).toMatchObject({
      status: 'signed-in',
      account: { stale: true },
    });
    expect(second.service.state('openrouter').error).toBeNull();
  });

  it('a 401 from the key endpoint signs out with an explanation and deletes the key', async () => {
    const r = rig();
    await r.service.handleCallbackUrl(await startAndApprove(r), 'os');
    await vi.waitFor(() => expect(r.store.load('openrouter')).not.toBeNull());
    emulator.revokeKey(emulator.issuedKeys()[0]!);
    await r.service.refreshAccount('openrouter');
    expect(r.service.state('openrouter').auth).toEqual({ status: 'signed-out', reason: 'revoked' });
    expect(r.store.load('openrouter')).toBeNull();
    expect(r.service.credential('openrouter')).toBeNull();
  });

  it('sign out deletes the stored and in-memory key and names the reason', async () => {
    const r = rig();
    await r.service.handleCallbackUrl(await startAndApprove(r), 'os');
    await vi.waitFor(() => expect(r.store.load('openrouter')).not.toBeNull());
    const state = r.service.signOut('openrouter');
    expect(state.auth).toEqual({ status: 'signed-out', reason: 'user' });
    expect(state.revokeUrl).toBe('https://openrouter.ai/settings/keys');
    expect(r.store.load('openrouter')).toBeNull();
    expect(r.service.credential('openrouter')).toBeNull();
    const reopened = rig({ dir: r.dir });
    reopened.service.restore();
    expect(reopened.service.state('openrouter').auth.status).toBe('signed-out');
  });

  it('weak keyring: the key is kept for the session only, until the user chooses otherwise', async () => {
    const r = rig({ policy: 'weak' });
    const state = await r.service.handleCallbackUrl(await startAndApprove(r), 'os');
    expect(state?.auth).toMatchObject({ status: 'signed-in', persistence: 'session-only' });
    await settle();
    expect(r.store.load('openrouter')).toBeNull();
    expect(r.service.rememberAnyway('openrouter').auth).toMatchObject({
      persistence: 'stored-weak',
    });
    const stored = r.store.load('openrouter');
    expect(stored?.weak).toBe(true);
  });

  it('no encryption at all: the key is kept in memory only and cannot be remembered', async () => {
    const r = rig({ policy: 'unavailable' });
    const state = await r.service.handleCallbackUrl(await startAndApprove(r), 'os');
    expect(state?.auth).toMatchObject({ status: 'signed-in', persistence: 'memory-only' });
    await settle();
    expect(r.service.rememberAnyway('openrouter').auth).toMatchObject({
      persistence: 'memory-only',
    });
    expect(r.store.load('openrouter')).toBeNull();
    expect(readdirSync(r.dir).filter((name) => name.startsWith('credentials'))).toEqual([]);
    expect(r.notices).toEqual([]);
  });

  it('loopback route: listener on 127.0.0.1, first valid callback wins, then it closes', async () => {
    const r = rig();
    await r.service.signIn('openrouter', 'loopback');
    const callback = new URL(new URL(r.opened[0]!).searchParams.get('callback_url')!);
    expect(callback.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const link = await consent(r.opened[0]!);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    await vi.waitFor(() => expect(r.service.state('openrouter').auth.status).toBe('signed-in'));
    await expect(fetch(link)).rejects.toThrow();
    expect(emulator.exchangeCount()).toBe(1);
  });

  it('a deep link for a loopback attempt also completes it and closes the listener', async () => {
    const r = rig();
    await r.service.signIn('openrouter', 'loopback');
    const loopbackLink = await consent(r.opened[0]!);
    const url = new URL(loopbackLink);
    const deepLink = `${SCHEME}://oauth${url.pathname.replace('/oauth', '')}${url.search}`;
    const state = await r.service.handleCallbackUrl(deepLink, 'os');
    expect(state?.auth.status).toBe('signed-in');
    await expect(fetch(loopbackLink)).rejects.toThrow();
  });

  it('canary: no key, code or verifier in states, notices, logs or files', async () => {
    const r = rig();
    await r.service.signIn('openrouter', 'deep-link');
    const link = await consent(r.opened[0]!);
    const code = new URL(link).searchParams.get('code')!;
    await r.service.handleCallbackUrl(link, 'os');
    await vi.waitFor(() => expect(r.store.load('openrouter')).not.toBeNull());
    await vi.waitFor(() =>
      expect(r.service.state('openrouter').auth).toMatchObject({ account: { stale: false } }),
    );
    const exchange = JSON.parse(
      emulator.requests.find((q) => q.path === '/api/v1/auth/keys')!.body,
    ) as { code_verifier: string };
    const key = emulator.issuedKeys()[0]!;
    emulator.injectFault('/api/v1/key', { kind: 'status', status: 500 });
    await r.service.refreshAccount('openrouter');
    const all = everyOutput(r);
    for (const secret of [key, code, exchange.code_verifier]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('revisions: a state read after any change carries a new one', () => {
  it('a sign-in past its expiry shows unchanged until its end is published', async () => {
    let now = 1_000_000;
    const r = rig({ now: () => now });
    const link = await startAndApprove(r);
    const reads = [r.service.state('openrouter')];
    // Expired by the clock; its timer (real time, ten minutes) has not run.
    now += 10 * 60 * 1000;
    reads.push(r.service.state('openrouter'), ...r.service.states());
    expect(reads[1]!.auth.status).toBe('signing-in');
    expectDistinctRevisions([...r.states, ...reads]);

    // The callback that comes too late ends it, and that is published under a new revision.
    expect(await r.service.handleCallbackUrl(link, 'os')).toBeNull();
    const ended = r.service.state('openrouter');
    expect(ended).toMatchObject({
      auth: { status: 'signed-out' },
      error: { code: 'AUTH_SIGN_IN_EXPIRED' },
    });
    expect(r.states.at(-1)).toEqual(ended);
    expectDistinctRevisions([...r.states, ...reads, ended]);
    expect(emulator.exchangeCount()).toBe(0);
  });

  it('a new sign-in over an expired one is published at once', async () => {
    let now = 1_000_000;
    const r = rig({ now: () => now });
    await r.service.signIn('openrouter', 'deep-link');
    const first = r.service.state('openrouter');
    now += 10 * 60 * 1000;
    await r.service.signIn('openrouter', 'deep-link');
    const second = r.service.state('openrouter');
    expect(second.auth).toMatchObject({ status: 'signing-in', expiresAt: now + 10 * 60 * 1000 });
    expect(second.revision).toBeGreaterThan(first.revision);
    expect(r.opened).toHaveLength(2);
    expect(r.opened[1]).not.toBe(r.opened[0]);
    expectDistinctRevisions([first, ...r.states, second]);
  });
});
