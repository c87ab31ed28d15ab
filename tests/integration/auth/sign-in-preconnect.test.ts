import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { AuthService } from '../../../main/auth/auth-service';
import { CredentialStore } from '../../../main/credentials/credential-store';
import { createKeyfilePort } from '../../../main/credentials/keyfile-port';
import { fetchPreconnect, type Preconnect } from '../../../main/http/preconnect';
import { createMemoryLogger, type Logger } from '../../../main/log';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { testRegistry } from '../../fixtures/test-registry';

const SCHEME = 'app.latchkey.dev';

let emulator: OpenRouterEmulator;
let service: AuthService | undefined;
/** Method, path, body length and client port of every request the emulator's server received. */
const arrivals: { method: string; path: string; length: string; port: number }[] = [];
const onRequest = (message: unknown) => {
  const { request } = message as { request: IncomingMessage };
  arrivals.push({
    method: request.method ?? '',
    path: request.url ?? '',
    length: request.headers['content-length'] ?? '',
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

function start(
  preconnect: Preconnect,
  env: Record<string, string> = {},
  log: Logger = createMemoryLogger(),
): { service: AuthService; opened: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-preconnect-'));
  const { store } = CredentialStore.open({ dir, encryption: createKeyfilePort(dir) });
  const opened: string[] = [];
  service = new AuthService({
    registry: testRegistry({ LATCHKEY_OPENROUTER_URL: emulator.url, ...env }, SCHEME, 'test'),
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
    log,
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

it('warms the key endpoint once per attempt, when the browser opens', async () => {
  const warmed: string[] = [];
  const { service: s, opened } = start((url) => warmed.push(url.href));
  await s.signIn('openrouter', 'deep-link');
  expect(warmed).toEqual([`${emulator.url}/api/v1/auth/keys`]);
  expect(opened).toHaveLength(1);
  await s.signIn('openrouter', 'deep-link'); // a second click joins the same attempt
  expect(opened).toHaveLength(2);
  expect(warmed).toHaveLength(1);
});

it('the code exchange reuses the connection the sign-in opened', async () => {
  const { service: s, opened } = start(fetchPreconnect((input, init) => fetch(input, init)));
  await s.signIn('openrouter', 'deep-link');
  await vi.waitFor(() =>
    expect(arrivals.filter((a) => a.method === 'OPTIONS').map((a) => a.length)).toEqual(['', '2']),
  );
  const [warm, withBody] = arrivals.filter((a) => a.method === 'OPTIONS');
  expect([warm!.path, withBody!.path]).toEqual(['/', '/']);
  // The body goes on its own connection (undici closes it after a body on OPTIONS).
  expect(withBody!.port).not.toBe(warm!.port);

  const link = await approve(opened[0]!);
  const state = await s.handleCallbackUrl(link, 'os');
  expect(state?.auth.status).toBe('signed-in');
  // This process's browser steps share the pool: no new connection is what matters.
  const at = arrivals.findIndex((a) => a.path === '/api/v1/auth/keys');
  const before = new Set(arrivals.slice(0, at).map((a) => a.port));
  expect(before.has(arrivals[at]!.port)).toBe(true);
  expect(arrivals[at]!.port).toBe(warm!.port);
  const headers = emulator.requests.find((q) => q.method === 'OPTIONS')!.headers;
  expect(headers.cookie).toBeUndefined();
  expect(headers.authorization).toBeUndefined();
});

it('logs nothing between the callback and the exchange request on the wire, and in order', async () => {
  // A log line is a write to stderr: no I/O before the request (performance.md).
  let wire = 0;
  const onHeaders = (message: unknown) => {
    const { request } = message as { request: { method: string; path: string } };
    if (request.method === 'POST' && request.path === '/api/v1/auth/keys') wire++;
  };
  subscribe('undici:client:sendHeaders', onHeaders);
  try {
    const events: string[] = [];
    const record = (event: string) => events.push(`${event}@${wire}`);
    const log: Logger = { info: record, warn: record };
    const { service: s, opened } = start(() => undefined, {}, log);
    await s.signIn('openrouter', 'deep-link');
    const first = await approve(opened[0]!);
    events.length = 0;
    expect((await s.handleCallbackUrl(first, 'os'))?.auth.status).toBe('signed-in');
    expect(events[0]).toBe('auth.exchange.start@1');

    // A failed exchange: the start line still comes before the failure.
    s.signOut('openrouter');
    emulator.injectFault('/api/v1/auth/keys', { kind: 'status', status: 500 });
    await s.signIn('openrouter', 'deep-link');
    const second = await approve(opened.at(-1)!);
    events.length = 0;
    await s.handleCallbackUrl(second, 'os');
    expect(events.slice(0, 2)).toEqual(['auth.exchange.start@2', 'auth.exchange.failed@2']);
  } finally {
    unsubscribe('undici:client:sendHeaders', onHeaders);
  }
});

it('YOO-AI: warms its token endpoint, under the configured base path', async () => {
  const warmed: string[] = [];
  const { service: s, opened } = start((url) => warmed.push(url.href), {
    LATCHKEY_YOOAI_URL: 'http://127.0.0.1:9/gateway',
    LATCHKEY_YOOAI_APP_ID: 'app-1',
    LATCHKEY_YOOAI_UNION_ID: 'union-1',
  });
  const state = await s.signIn('yooai', 'deep-link');
  expect(state.auth.status).toBe('signing-in');
  expect(new URL(opened[0]!).pathname).toBe('/gateway/oauth/authorize');
  expect(warmed).toEqual(['http://127.0.0.1:9/gateway/oauth/token']);
});

/** A server on 127.0.0.1 that records each request's method and path and answers `answer`. */
async function recordingServer(
  answer: (path: string) => { status: number; body?: unknown },
): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push(`${req.method ?? ''} ${path}`);
      const { status, body } = answer(path);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

it('OIDC: warms the discovered token endpoint, on another host than the authorization page', async () => {
  const tokens = await recordingServer(() => ({ status: 404 }));
  let issuer = '';
  const metadata = () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${tokens.url}/oauth2/token`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  });
  const idp = await recordingServer((path) =>
    path === '/.well-known/openid-configuration'
      ? { status: 200, body: metadata() }
      : { status: 404 },
  );
  issuer = idp.url;
  try {
    const env = { LATCHKEY_OIDC_ISSUER: issuer, LATCHKEY_OIDC_CLIENT_ID: 'latchkey-desktop' };
    const warmed: string[] = [];
    const spy = start((url) => warmed.push(url.href), env);
    expect((await spy.service.signIn('oidc', 'deep-link')).auth.status).toBe('signing-in');
    expect(new URL(spy.opened[0]!).origin).toBe(issuer);
    expect(warmed).toEqual([`${tokens.url}/oauth2/token`]);
    spy.service.dispose();

    // Through Node's fetch: the warm-up reaches the token host, and only it.
    const real = start(
      fetchPreconnect((input, init) => fetch(input, init)),
      env,
    );
    await real.service.signIn('oidc', 'deep-link');
    await vi.waitFor(() => expect(tokens.seen).toEqual(['OPTIONS /', 'OPTIONS /']));
    expect(idp.seen).toEqual([
      'GET /.well-known/openid-configuration',
      'GET /.well-known/openid-configuration',
    ]);
  } finally {
    tokens.server.closeAllConnections();
    idp.server.closeAllConnections();
    await Promise.all([
      new Promise((done) => tokens.server.close(done)),
      new Promise((done) => idp.server.close(done)),
    ]);
  }
});
