/**
 * The composition of main's services (main/app-services.ts) against the OpenRouter and YOO-AI
 * emulators and oidc-provider: what "Retry" (`app:check-connectivity`) sends, and the states a
 * page that has just loaded is given.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connectivity, EventChannel, ProviderId } from '../../preload/api';
import { createAppServices, type AppServices } from '../../main/app-services';
import { readConfig } from '../../main/config';
import { createKeyfilePort } from '../../main/credentials/keyfile-port';
import type { FetchLike } from '../../main/http/request';
import { createMemoryLogger } from '../../main/log';
import { startOidcServer, type OidcServer } from '../fixtures/oidc-server';
import { startOpenRouterEmulator, type OpenRouterEmulator } from '../fixtures/openrouter-emulator';
import { startYooAiEmulator, type YooAiEmulator } from '../fixtures/yooai-emulator';

const SCHEME = 'app.latchkey.dev';

let yooai: YooAiEmulator;
let oidc: OidcServer;
let openrouter: OpenRouterEmulator;
const running: AppServices[] = [];

beforeEach(async () => {
  [yooai, oidc, openrouter] = await Promise.all([
    startYooAiEmulator(),
    startOidcServer({ accessTokenTtlSeconds: 3600 }),
    startOpenRouterEmulator(),
  ]);
});
afterEach(async () => {
  for (const services of running.splice(0)) services.dispose();
  await Promise.all([yooai.close(), oidc.close(), openrouter.close()]);
});

interface Rig {
  services: AppServices;
  opened: string[];
  events: { channel: EventChannel; payload: unknown }[];
  /** URLs the app's fetch was asked for, in order. */
  requested: URL[];
  setOffline(offline: boolean): void;
}

/** The services as the harness composes them, over a network that can be switched off. */
function rig(): Rig {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-services-'));
  const opened: string[] = [];
  const events: Rig['events'] = [];
  const requested: URL[] = [];
  let offline = false;
  const network: FetchLike = (input, init) => {
    requested.push(new URL(input));
    if (offline) return Promise.reject(new Error('net::ERR_INTERNET_DISCONNECTED'));
    return fetch(input, init);
  };
  const services = createAppServices({
    config: readConfig({
      LATCHKEY_OPENROUTER_URL: openrouter.url,
      LATCHKEY_YOOAI_URL: yooai.url,
      LATCHKEY_YOOAI_APP_ID: 'latchkey-test-app',
      LATCHKEY_YOOAI_UNION_ID: 'tk84441',
      LATCHKEY_OIDC_ISSUER: oidc.issuer,
      LATCHKEY_OIDC_CLIENT_ID: oidc.clientId,
    }),
    dataDir: dir,
    fetch: network,
    encryption: createKeyfilePort(dir),
    openExternal: async (url) => {
      opened.push(url);
    },
    scheme: SCHEME,
    hostname: 'test-host',
    version: '0.0.0-test',
    systemLanguages: ['en-US'],
    deepLinks: { available: true },
    emit: (channel, payload) => events.push({ channel, payload }),
    log: createMemoryLogger(),
  });
  running.push(services);
  services.start();
  services.acceptDeepLinks();
  return {
    services,
    opened,
    events,
    requested,
    setOffline: (value) => {
      offline = value;
    },
  };
}

/** The consent page of the OpenRouter emulator, approved as the user's browser would. */
async function approveOpenRouter(authorizationUrl: string): Promise<string> {
  const page = await (await fetch(authorizationUrl)).text();
  const session = /name="session" value="([^"]+)"/.exec(page)?.[1];
  if (!session) throw new Error('no consent session on the page');
  const approve = await fetch(new URL('/auth/approve', openrouter.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
  return approve.headers.get('location') ?? '';
}

async function signIn(r: Rig, provider: ProviderId): Promise<void> {
  const { auth } = r.services;
  await auth.signIn(provider, 'deep-link');
  const url = r.opened.at(-1)!;
  const callback =
    provider === 'yooai'
      ? await yooai.approve(url)
      : provider === 'oidc'
        ? await oidc.authorize(url)
        : await approveOpenRouter(url);
  await auth.handleCallbackUrl(callback, 'os');
  expect(auth.state(provider).auth.status).toBe('signed-in');
  // The background account request after a key sign-in, so it is not counted below.
  await new Promise((resolve) => setTimeout(resolve, 100));
}

async function check(r: Rig): Promise<Connectivity> {
  return r.services.handlers['app:check-connectivity'](undefined);
}

describe('app:check-connectivity ("Retry")', () => {
  it('reaches every signed-in provider, token providers with no refresh due included', async () => {
    const r = rig();
    for (const provider of ['openrouter', 'yooai', 'oidc'] as const) await signIn(r, provider);
    const refreshes = { yooai: yooai.refreshCount(), oidc: oidc.refreshCount() };

    r.setOffline(true);
    const sent = r.requested.length;
    const offline = await check(r);
    expect(offline.online).toBe(false);
    const probed = r.requested.slice(sent).map((url) => `${url.origin}${url.pathname}`);
    expect(probed).toEqual(
      expect.arrayContaining([
        `${openrouter.url}/api/v1/key`,
        `${yooai.url}/oauth/authorize`,
        `${oidc.issuer}/.well-known/openid-configuration`,
      ]),
    );

    r.setOffline(false);
    const before = yooai.requests.length;
    const online = await check(r);
    expect(online.online).toBe(true);
    expect(online.seq).toBeGreaterThan(offline.seq);
    // YOO-AI answered its probe (a 400 for the missing parameters) without a query or token.
    const probe = yooai.requests.slice(before).find((q) => q.path === '/oauth/authorize');
    expect(probe).toMatchObject({ method: 'GET', query: {} });
    expect(probe?.headers['authorization']).toBeUndefined();
    // Nothing was refreshed: no token was due.
    expect({ yooai: yooai.refreshCount(), oidc: oidc.refreshCount() }).toEqual(refreshes);
    for (const provider of ['openrouter', 'yooai', 'oidc'] as const) {
      expect(r.services.auth.state(provider).auth.status).toBe('signed-in');
    }
  });

  it('answers a new observation on every check, also when `online` did not change', async () => {
    const r = rig();
    await signIn(r, 'yooai');
    const first = await check(r);
    const second = await check(r);
    expect(first.online).toBe(true);
    expect(second.online).toBe(true);
    expect(second.seq).toBeGreaterThan(first.seq);
    // The answer is what app:get-info reports now.
    expect((await r.services.handlers['app:get-info'](undefined)).connectivity).toEqual(second);
  });

  it('a token provider whose probe finds the network gone says so on its card', async () => {
    const r = rig();
    await signIn(r, 'oidc');
    r.setOffline(true);
    expect((await check(r)).online).toBe(false);
    const state = r.services.auth.state('oidc');
    expect(state.auth.status).toBe('signed-in');
    expect(state.error?.code).toBe('NETWORK_OFFLINE');
    r.setOffline(false);
    expect((await check(r)).online).toBe(true);
    expect(r.services.auth.state('oidc').error).toBeNull();
  });
});

describe('replayStates (a page that has just loaded)', () => {
  it('emits every provider’s current state and the connectivity, as the getters answer them', async () => {
    const r = rig();
    await signIn(r, 'yooai');
    r.events.length = 0;
    r.services.replayStates();
    const states = r.services.auth.states();
    expect(r.events).toEqual([
      ...states.map((payload) => ({ channel: 'auth:state', payload })),
      {
        channel: 'app:connectivity',
        payload: (await r.services.handlers['app:get-info'](undefined)).connectivity,
      },
    ]);
  });
});
