/**
 * The app's request paths — `send()`, the chat stream, oauth4webapi's `[customFetch]` and the
 * connectivity tracker — over a fake Electron `net.fetch` (./fake-net-fetch.ts) wrapped the way
 * main/index.ts wraps the real one (`fromNetFetch`), against real HTTP servers on 127.0.0.1:
 * Chromium's `net::ERR_*` failures come out as the typed codes of main/http/net-errors.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoverOidcMetadata } from '../../../main/auth/oidc';
import {
  buildChatRequest,
  checkChatResponse,
  openStream,
  readChatStream,
  type ChatStreamEvent,
} from '../../../main/chat/openrouter-chat';
import { ConnectivityTracker } from '../../../main/connectivity';
import { LatchkeyError } from '../../../main/errors';
import { fromNetFetch } from '../../../main/http/net-fetch';
import { send, type FetchLike } from '../../../main/http/request';
import { startOidcServer, type OidcServer } from '../../fixtures/oidc-server';
import { fakeNetFetch, type FakeNetFetch } from './fake-net-fetch';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler = (_req, res) => res.end();
let net: FakeNetFetch;
let fetchFn: FetchLike;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  net = fakeNetFetch();
  fetchFn = fromNetFetch(net.fetch);
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=abc' });
    res.end(`{"data":"${'x'.repeat(4096)}"}`);
  };
});

const get = (path = '/api/v1/key', timeoutMs = 2_000) =>
  send(
    fetchFn,
    { url: new URL(path, base), init: { method: 'GET' } },
    { timeoutMs, maxBytes: 1e6 },
  );

async function failure(promise: Promise<unknown>): Promise<LatchkeyError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatchkeyError);
  return error as LatchkeyError;
}

describe('send() over net.fetch', () => {
  it('asks net.fetch for no cookies and no cache, with the URL as a string, every call', async () => {
    await get();
    await get('/api/v1/models');
    expect(net.calls.map((c) => [typeof c.url, c.init?.credentials, c.init?.cache])).toEqual([
      ['string', 'omit', 'no-store'],
      ['string', 'omit', 'no-store'],
    ]);
    expect(net.calls[0]?.init?.redirect).toBe('error');
  });

  it.each([
    ['ERR_INTERNET_DISCONNECTED', 'NETWORK_OFFLINE'],
    ['ERR_NAME_NOT_RESOLVED', 'NETWORK_OFFLINE'],
    ['ERR_ADDRESS_UNREACHABLE', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_REFUSED', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_RESET', 'NETWORK_OFFLINE'],
    ['ERR_TIMED_OUT', 'HTTP_TIMEOUT'],
    ['ERR_CONNECTION_TIMED_OUT', 'HTTP_TIMEOUT'],
    ['ERR_PROXY_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['ERR_TUNNEL_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['ERR_PROXY_AUTH_REQUESTED', 'NETWORK_PROXY'],
    ['ERR_PAC_SCRIPT_FAILED', 'NETWORK_PROXY'],
    ['ERR_CERT_AUTHORITY_INVALID', 'NETWORK_CERTIFICATE'],
    ['ERR_CERT_DATE_INVALID', 'NETWORK_CERTIFICATE'],
    ['ERR_SSL_PROTOCOL_ERROR', 'NETWORK_CERTIFICATE'],
  ])('net::%s before the headers → %s', async (name, code) => {
    net.fail(base, name);
    const error = await failure(get());
    expect(error.code).toBe(code);
    expect((error.cause as Error).message).toBe(`net::${name}`);
  });

  it.each([
    ['ERR_CONNECTION_RESET', 'NETWORK_OFFLINE'],
    ['ERR_INTERNET_DISCONNECTED', 'NETWORK_OFFLINE'],
    ['ERR_TIMED_OUT', 'HTTP_TIMEOUT'],
    ['ERR_INCOMPLETE_CHUNKED_ENCODING', 'HTTP_BAD_RESPONSE'],
  ])('net::%s while reading the body → %s', async (name, code) => {
    net.breakBody(base, name, 100);
    expect((await failure(get())).code).toBe(code);
  });

  it('a redirect is refused the way Electron refuses it → HTTP_BAD_RESPONSE', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/' });
      res.end();
    };
    const error = await failure(get());
    expect(error.code).toBe('HTTP_BAD_RESPONSE');
    expect((error.cause as Error).message).toMatch(/redirect policy was 'error'/);
  });

  it('our deadline is HTTP_TIMEOUT', async () => {
    handler = () => undefined;
    expect((await failure(get('/hang', 100))).code).toBe('HTTP_TIMEOUT');
  });
});

const sse = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const delta = (content: string, finish: string | null = null) =>
  sse({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] });

async function chat(): Promise<{ events: ChatStreamEvent[]; error: unknown }> {
  const request = buildChatRequest({ baseUrl: new URL('/api/v1', base), attribution: true }, 'k', {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  const events: ChatStreamEvent[] = [];
  try {
    const response = await openStream(fetchFn, request, { connectTimeoutMs: 2_000 });
    await checkChatResponse(response);
    for await (const event of readChatStream(response.body!)) events.push(event);
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

describe('the chat stream over net.fetch', () => {
  beforeEach(() => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
      res.write(delta('Hello, '));
      res.write(delta('wor'));
      // Never ends: the break comes from the network.
    };
  });

  it.each([
    ['ERR_INTERNET_DISCONNECTED', 'NETWORK_OFFLINE'],
    ['ERR_PROXY_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['ERR_CERT_COMMON_NAME_INVALID', 'NETWORK_CERTIFICATE'],
    ['ERR_CONNECTION_TIMED_OUT', 'HTTP_TIMEOUT'],
  ])('net::%s before the headers → %s', async (name, code) => {
    net.fail(base, name);
    const { events, error } = await chat();
    expect(events).toEqual([]);
    expect((error as LatchkeyError).code).toBe(code);
  });

  it.each([
    ['ERR_INTERNET_DISCONNECTED', 'NETWORK_OFFLINE'],
    ['ERR_NAME_NOT_RESOLVED', 'NETWORK_OFFLINE'],
    ['ERR_TIMED_OUT', 'HTTP_TIMEOUT'],
    ['ERR_CONNECTION_RESET', 'CHAT_STREAM_INCOMPLETE'],
    ['ERR_CONNECTION_CLOSED', 'CHAT_STREAM_INCOMPLETE'],
    ['ERR_NETWORK_CHANGED', 'CHAT_STREAM_INCOMPLETE'],
    ['ERR_HTTP2_PROTOCOL_ERROR', 'CHAT_STREAM_INCOMPLETE'],
  ])('net::%s mid-answer → %s, after the partial answer', async (name, code) => {
    net.breakBody(base, name, delta('Hello, ').length);
    const { events, error } = await chat();
    expect(events).toEqual([{ type: 'delta', text: 'Hello, ' }]);
    expect((error as LatchkeyError).code).toBe(code);
    expect(((error as LatchkeyError).cause as Error).message).toBe(`net::${name}`);
  });

  it('a break after the finish reason loses nothing', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
      res.write(delta('All of it.', 'stop'));
    };
    net.breakBody(base, 'ERR_INTERNET_DISCONNECTED', delta('All of it.', 'stop').length);
    const { events, error } = await chat();
    expect(error).toBeNull();
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });
});

describe('connectivity over net.fetch', () => {
  it('lights offline on a network or proxy failure, not on a certificate failure', async () => {
    const tracker = new ConnectivityTracker({ onChange: () => undefined });
    fetchFn = tracker.wrap(fromNetFetch(net.fetch));
    const seen = async (name: string | null) => {
      net.heal();
      if (name) net.fail(base, name);
      await get().catch(() => undefined);
      return tracker.state.online;
    };
    expect(await seen('ERR_CERT_AUTHORITY_INVALID')).toBe(true);
    expect(await seen('ERR_INTERNET_DISCONNECTED')).toBe(false);
    expect(await seen(null)).toBe(true);
    expect(await seen('ERR_PROXY_CONNECTION_FAILED')).toBe(false);
    expect(await seen(null)).toBe(true);
    expect(await seen('ERR_CONNECTION_TIMED_OUT')).toBe(true);
  });
});

describe("oauth4webapi's customFetch over net.fetch", () => {
  let oidc: OidcServer;
  beforeAll(async () => {
    oidc = await startOidcServer();
  });
  afterAll(() => oidc.close());

  const discover = () =>
    discoverOidcMetadata(new URL(oidc.issuer), {
      fetch: fetchFn,
      now: Date.now,
      timeoutMs: 2_000,
    });

  it('discovers through it, without cookies or cache', async () => {
    const as = await discover();
    expect(as.issuer).toBe(oidc.issuer);
    expect(net.calls.every((c) => c.init?.credentials === 'omit')).toBe(true);
    expect(net.calls.every((c) => c.init?.cache === 'no-store')).toBe(true);
  });

  it.each([
    ['ERR_INTERNET_DISCONNECTED', 'NETWORK_OFFLINE'],
    ['ERR_PROXY_CONNECTION_FAILED', 'NETWORK_PROXY'],
    ['ERR_MANDATORY_PROXY_CONFIGURATION_FAILED', 'NETWORK_PROXY'],
    ['ERR_CERT_AUTHORITY_INVALID', 'NETWORK_CERTIFICATE'],
    ['ERR_TIMED_OUT', 'HTTP_TIMEOUT'],
  ])('net::%s → %s, not AUTH_DISCOVERY_FAILED', async (name, code) => {
    net.fail(new URL(oidc.issuer).origin, name);
    expect((await failure(discover())).code).toBe(code);
  });
});
