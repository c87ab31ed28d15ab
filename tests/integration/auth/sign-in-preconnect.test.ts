import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { AuthService } from '../../../main/auth/auth-service';
import { CredentialStore } from '../../../main/credentials/credential-store';
import { createKeyfilePort } from '../../../main/credentials/keyfile-port';
import { fetchPreconnect, type Preconnect } from '../../../main/http/preconnect';
import { createMemoryLogger } from '../../../main/log';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { testRegistry } from '../../fixtures/test-registry';

const SCHEME = 'app.latchkey.dev';

let emulator: OpenRouterEmulator;
let service: AuthService | undefined;
/** Method, path and client port of every request the emulator's server received. */
const arrivals: { method: string; path: string; port: number }[] = [];
const onRequest = (message: unknown) => {
  const { request } = message as { request: IncomingMessage };
  arrivals.push({
    method: request.method ?? '',
    path: request.url ?? '',
    port: request.socket.remotePort ?? -1,
  });
};

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
  arrivals.length = 0;
  subscribe('http.server.request.start', onRequest);
});
afterEach(async () => {
  unsubscribe('http.server.request.start', onRequest);
  service?.dispose();
  await emulator.close();
});

function start(preconnect: Preconnect): { service: AuthService; opened: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-preconnect-'));
  const { store } = CredentialStore.open({ dir, encryption: createKeyfilePort(dir) });
  const opened: string[] = [];
  service = new AuthService({
    registry: testRegistry({ LATCHKEY_OPENROUTER_URL: emulator.url }, SCHEME, 'test'),
    fetch: (input, init) => fetch(input, init),
    preconnect,
    store,
    storagePolicy: 'secure',
    openExternal: async (url) => {
      opened.push(url);
    },
    scheme: SCHEME,
    keyLabel: 'test',
    emit: () => undefined,
    notify: () => undefined,
    log: createMemoryLogger(),
  });
  return { service, opened };
}

async function approve(authorizationUrl: string): Promise<string> {
  const page = await (await fetch(authorizationUrl)).text();
  const session = /name="session" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const approved = await fetch(new URL('/auth/approve', emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
  return approved.headers.get('location') ?? '';
}

it('warms the provider origin once per attempt, when the browser opens', async () => {
  const warmed: string[] = [];
  const { service: s, opened } = start((url) => warmed.push(url.origin));
  await s.signIn('openrouter', 'deep-link');
  expect(warmed).toEqual([emulator.url]);
  expect(opened).toHaveLength(1);
  await s.signIn('openrouter', 'deep-link'); // a second click joins the same attempt
  expect(opened).toHaveLength(2);
  expect(warmed).toHaveLength(1);
});

it('the code exchange reuses the connection the sign-in opened', async () => {
  const { service: s, opened } = start(fetchPreconnect((input, init) => fetch(input, init)));
  await s.signIn('openrouter', 'deep-link');
  await vi.waitFor(() => expect(arrivals.map((a) => a.method)).toContain('OPTIONS'));
  const warm = arrivals.find((a) => a.method === 'OPTIONS')!;
  expect(warm.path).toBe('/');

  const link = await approve(opened[0]!);
  const state = await s.handleCallbackUrl(link, 'os');
  expect(state?.auth.status).toBe('signed-in');
  // This process's browser steps share the pool: no new connection is what matters.
  const at = arrivals.findIndex((a) => a.path === '/api/v1/auth/keys');
  const before = new Set(arrivals.slice(0, at).map((a) => a.port));
  expect(before.has(arrivals[at]!.port)).toBe(true);
  const headers = emulator.requests.find((q) => q.method === 'OPTIONS')!.headers;
  expect(headers.cookie).toBeUndefined();
  expect(headers.authorization).toBeUndefined();
});
