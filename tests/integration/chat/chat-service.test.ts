import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  ConversationList,
  EventChannel,
  EventContract,
  ProviderId,
  StreamDelta,
} from '../../../preload/api';
import { ChatService, type ChatTarget } from '../../../main/chat/chat-service';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { ModelsCache } from '../../../main/chat/models-cache';
import { LatchkeyError } from '../../../main/errors';
import type { FetchLike } from '../../../main/http/request';
import { createMemoryLogger } from '../../../main/log';
import { obtainKey } from '../../fixtures/obtain-key';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';

const MODEL = 'openai/gpt-4o-mini';

let emulator: OpenRouterEmulator;
const services: ChatService[] = [];
/** Servers a test started besides the shared emulator. */
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
});
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose();
  for (const close of cleanups.splice(0)) await close();
  await emulator.close();
});

interface Rig {
  chat: ChatService;
  store: ConversationStore;
  dir: string;
  events: { channel: EventChannel; payload: unknown }[];
  deltas: () => StreamDelta[];
  finished: () => EventContract['chat:message'][];
  /** OpenRouter's `unauthorized`: signs out (the key is gone), never a fresh key. */
  keyRejected: ReturnType<typeof vi.fn<(rejected: string) => Promise<string | null>>>;
  log: ReturnType<typeof createMemoryLogger>;
}

/** OpenRouter as the app wires it: the emulator's `/api/v1`, attribution, a 401 signs out. */
function openRouterTarget(
  key: string,
  keyRejected: ChatTarget['unauthorized'],
  base = emulator.url,
): ChatTarget {
  return {
    baseUrl: new URL(`${base}/api/v1`),
    attribution: true,
    token: async () => key,
    unauthorized: keyRejected,
  };
}

async function rig(
  options: {
    dir?: string;
    key?: string | null;
    fetch?: FetchLike;
    /** Targets of other providers (OpenRouter's comes from `key`). */
    targets?: Partial<Record<ProviderId, ChatTarget | null>>;
  } = {},
) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'latchkey-chat-'));
  const key = options.key === undefined ? await obtainKey(emulator.url) : options.key;
  const { store } = ConversationStore.open({ dir });
  const { cache } = ModelsCache.open({ dir });
  const events: Rig['events'] = [];
  const keyRejected = vi.fn(async (_rejected: string): Promise<string | null> => null);
  const log = createMemoryLogger();
  const chat = new ChatService({
    target: (provider) =>
      provider === 'openrouter'
        ? key === null
          ? null
          : openRouterTarget(key, keyRejected)
        : (options.targets?.[provider] ?? null),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    store,
    models: cache,
    emit: (channel, payload) => events.push({ channel, payload }),
    log,
    connectTimeoutMs: 2_000,
  });
  services.push(chat);
  const of = <C extends EventChannel>(channel: C) =>
    events.filter((e) => e.channel === channel).map((e) => e.payload as EventContract[C]);
  return {
    chat,
    store,
    dir,
    events,
    deltas: () => of('chat:delta'),
    finished: () => of('chat:message'),
    keyRejected,
    log,
  } satisfies Rig;
}

async function finishedMessage(r: Rig) {
  await vi.waitFor(() => expect(r.finished().length).toBeGreaterThan(0), { timeout: 10_000 });
  return r.finished().at(-1)!.message;
}

describe('chat service against the OpenRouter emulator', () => {
  it('revisions: a snapshot mid-stream holds the text sent so far at the last delta; summaries and lists share one clock', async () => {
    const r = await rig();
    const first = r.chat.create('openrouter', MODEL);
    const second = r.chat.create('openrouter', MODEL);
    expect(second.revision).toBeGreaterThan(first.revision);
    expect(r.chat.list().revision).toBe(second.revision);

    emulator.scriptChat({ length: 4_000, paceMs: 5 });
    const result = await r.chat.send(first.id, 'Tell me more', MODEL);
    expect(result.conversation.revision).toBeGreaterThan(second.revision);
    expect(result.conversation.streaming).toBe(true);
    await vi.waitFor(() => expect(r.deltas().length).toBeGreaterThan(2));

    const snapshot = r.chat.open(first.id).messages.at(-1)!;
    const sent = r.deltas().filter((d) => d.seq <= snapshot.revision);
    expect(snapshot.status).toBe('streaming');
    expect(snapshot.revision).toBe(sent.length);
    expect(snapshot.content).toBe(sent.map((d) => d.text).join(''));

    r.chat.stop(first.id);
    const final = await finishedMessage(r);
    expect(final.revision).toBe(r.deltas().length + 1);
    await vi.waitFor(() => expect(r.chat.list().conversations[0]?.streaming).toBe(false));
    const lists = r.events
      .filter((e) => e.channel === 'chat:conversations')
      .map((e) => (e.payload as ConversationList).revision);
    expect(lists).toEqual([...lists].sort((a, b) => a - b));
    expect(new Set(lists).size).toBe(lists.length);

    const afterDelete = await r.chat.delete(second.id);
    expect(afterDelete.revision).toBeGreaterThan(lists.at(-1)!);
    expect(afterDelete.conversations.map((c) => c.id)).toEqual([first.id]);
  });

  it('tells the page about one changed conversation with its summary alone; a delete sends the whole list', async () => {
    const r = await rig();
    const ids = Array.from({ length: 5 }, () => r.chat.create('openrouter', MODEL).id);
    const lists = () =>
      r.events
        .filter((e) => e.channel === 'chat:conversations')
        .map((e) => e.payload as ConversationList);
    const renamed = r.chat.rename(ids[1]!, 'Trip plans');
    expect(lists().at(-1)).toEqual({
      revision: renamed.revision,
      conversations: [renamed],
      partial: true,
    });
    emulator.scriptChat({ content: 'Hello' });
    const sent = await r.chat.send(ids[0]!, 'Hi', MODEL);
    expect(lists().at(-1)).toMatchObject({
      conversations: [{ id: ids[0], streaming: true, revision: sent.conversation.revision }],
      partial: true,
    });
    await finishedMessage(r);
    await vi.waitFor(() =>
      expect(lists().at(-1)?.conversations).toMatchObject([{ id: ids[0], streaming: false }]),
    );
    await r.chat.delete(ids[2]!);
    expect(lists().at(-1)?.partial).toBeUndefined();
    expect(
      lists()
        .at(-1)
        ?.conversations.map((c) => c.id)
        .sort(),
    ).toEqual([ids[0], ids[1], ids[3], ids[4]].sort());
  });

  it('streams an answer: batched deltas, usage, persisted, attribution headers, Bearer key', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ content: 'Hello **world**, this is a streamed answer.', paceMs: 1 });
    const result = await r.chat.send(conversation.id, 'Hi!', MODEL);
    expect(result.userMessage?.content).toBe('Hi!');
    expect(result.assistantMessage.status).toBe('streaming');

    const message = await finishedMessage(r);
    expect(message).toMatchObject({
      status: 'complete',
      content: 'Hello **world**, this is a streamed answer.',
      finishReason: 'stop',
    });
    expect(message.usage?.totalTokens).toBeGreaterThan(0);
    const deltas = r.deltas();
    expect(deltas.map((d) => d.text).join('')).toBe(message.content);
    // One revision per delta after the created message's 0, the final state one more.
    expect(result.assistantMessage.revision).toBe(0);
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    expect(message.revision).toBe(deltas.length + 1);
    expect(r.store.load(conversation.id).messages.at(-1)?.revision).toBe(message.revision);

    const request = emulator.chatRequests().at(-1)!;
    expect(request.model).toBe(MODEL);
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'Hi!' });
    expect(request.headers['x-title']).toBe('Latchkey');
    expect(request.headers['http-referer']).toMatch(/^https:\/\//);
    expect(String(request.headers['authorization'])).toMatch(/^Bearer sk-or-v1-/);

    const reopened = ConversationStore.open({ dir: r.dir }).store.load(conversation.id);
    expect(reopened.messages.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'Hi!'],
      ['assistant', 'complete', message.content],
    ]);
    expect(reopened.title).toBe('Hi!');
  });

  it('sends at most one delta per 16 ms, the first at once', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ length: 20_000, pieceSize: 2, paceMs: 0 });
    const started = performance.now();
    await r.chat.send(conversation.id, 'fast', MODEL);
    const message = await finishedMessage(r);
    const elapsed = performance.now() - started;
    const deltas = r.deltas();
    expect(deltas.map((d) => d.text).join('')).toBe(message.content);
    expect(deltas.length).toBeLessThanOrEqual(Math.ceil(elapsed / 16) + 2);
  });

  it.each([
    [401, 'AUTH_KEY_REVOKED'],
    [402, 'CHAT_OUT_OF_CREDITS'],
    [429, 'CHAT_RATE_LIMITED'],
    [500, 'HTTP_SERVER_ERROR'],
    [503, 'HTTP_SERVER_ERROR'],
  ])('HTTP %i before the stream → %s, nothing stored', async (status, code) => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ status, retryAfter: '7' });
    await expect(r.chat.send(conversation.id, 'typed text', MODEL)).rejects.toMatchObject({ code });
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
    expect(r.keyRejected).toHaveBeenCalledTimes(status === 401 ? 1 : 0);
    // OpenRouter gives no fresh key: no retry.
    expect(emulator.chatRequests()).toHaveLength(1);
    if (status === 429) {
      await expect(
        (async () => {
          emulator.scriptChat({ status: 429, retryAfter: '7' });
          await r.chat.send(conversation.id, 'again', MODEL);
        })(),
      ).rejects.toMatchObject({ details: { retryAfter: 7 } });
    }
  });

  it('offline → NETWORK_OFFLINE, nothing stored', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    await emulator.close();
    await expect(r.chat.send(conversation.id, 'hello?', MODEL)).rejects.toMatchObject({
      code: 'NETWORK_OFFLINE',
    });
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
    emulator = await startOpenRouterEmulator();
  });

  it('not signed in → CHAT_NOT_SIGNED_IN without a request', async () => {
    const r = await rig({ key: null });
    const conversation = r.chat.create('openrouter', MODEL);
    await expect(r.chat.send(conversation.id, 'hi', MODEL)).rejects.toMatchObject({
      code: 'CHAT_NOT_SIGNED_IN',
    });
    expect(emulator.chatRequests()).toHaveLength(0);
  });

  it('an error chunk under HTTP 200 keeps the partial answer, marked as an error', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ content: 'abcdefghijklmnopqrstuvwxyz', pieceSize: 2, errorAfter: 3 });
    await r.chat.send(conversation.id, 'go', MODEL);
    const message = await finishedMessage(r);
    expect(message.status).toBe('error');
    expect(message.error?.code).toBe('CHAT_STREAM_ERROR');
    expect(message.content).toBe('abcdef');
  });

  it('a 401 error chunk mid-stream signs out (the key was revoked)', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ content: 'abcdefgh', pieceSize: 2, errorAfter: 1, errorCode: 401 });
    await r.chat.send(conversation.id, 'go', MODEL);
    const message = await finishedMessage(r);
    expect(message.status).toBe('error');
    expect(r.keyRejected).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['ends without a finish reason', { endWithoutDone: 3 }],
    ['drops the connection', { dropAfter: 3 }],
  ])('a stream that %s is incomplete; the partial answer is kept', async (_name, script) => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ content: 'abcdefghijklmnopqrstuvwxyz', pieceSize: 2, ...script });
    await r.chat.send(conversation.id, 'go', MODEL);
    const message = await finishedMessage(r);
    expect(message.status).toBe('incomplete');
    expect(message.content).toBe('abcdef');
  });

  it('stop aborts the request (the server sees the disconnect) and keeps the partial answer', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ length: 100_000, paceMs: 5 });
    await r.chat.send(conversation.id, 'long', MODEL);
    await vi.waitFor(() => expect(r.deltas().length).toBeGreaterThan(2));
    r.chat.stop(conversation.id);
    const message = await finishedMessage(r);
    expect(message.status).toBe('stopped');
    expect(message.content.length).toBeGreaterThan(0);
    expect(message.content.length).toBeLessThan(100_000);
    await vi.waitFor(() => expect(emulator.disconnects().length).toBe(1));
    expect(r.store.load(conversation.id).messages.at(-1)?.status).toBe('stopped');
  });

  it('a second send while streaming is CHAT_BUSY', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ length: 50_000, paceMs: 5 });
    await r.chat.send(conversation.id, 'one', MODEL);
    await expect(r.chat.send(conversation.id, 'two', MODEL)).rejects.toMatchObject({
      code: 'CHAT_BUSY',
    });
    r.chat.stop(conversation.id);
    await finishedMessage(r);
  });

  it('Stop before the provider answered calls the send off: CHAT_STOPPED, nothing stored', async () => {
    // The provider takes its time to answer: the request waits here until released.
    let release: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (release = resolve));
    const slow: FetchLike = (input, init) =>
      new Promise((resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as unknown));
        void answered.then(() => fetch(input, init).then(resolve, reject));
      });
    const r = await rig({ fetch: slow });
    const conversation = r.chat.create('openrouter', MODEL);
    const sending = r.chat.send(conversation.id, 'never mind', MODEL);
    r.chat.stop(conversation.id);
    await expect(sending).rejects.toMatchObject({ code: 'CHAT_STOPPED' });
    release();
    expect(r.store.load(conversation.id).messages).toEqual([]);
    expect(emulator.chatRequests()).toHaveLength(0);
    // The conversation is free again.
    emulator.scriptChat({ content: 'Now it answers.' });
    await r.chat.send(conversation.id, 'ask again', MODEL);
    expect((await finishedMessage(r)).content).toBe('Now it answers.');
  });

  it('a 1 MB answer arrives whole', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ length: 1_000_000, pieceSize: 64 });
    await r.chat.send(conversation.id, 'big', MODEL);
    const message = await finishedMessage(r);
    expect(message.status).toBe('complete');
    expect(message.content.length).toBe(1_000_000);
    expect(
      r
        .deltas()
        .map((d) => d.text)
        .join(''),
    ).toBe(message.content);
  });

  it('regenerate replaces the last answer using the same history', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ content: 'first answer' });
    await r.chat.send(conversation.id, 'question', MODEL);
    await finishedMessage(r);
    emulator.scriptChat({ content: 'second answer' });
    await r.chat.regenerate(conversation.id, MODEL);
    await vi.waitFor(() => expect(r.finished()).toHaveLength(2));
    const messages = r.store.load(conversation.id).messages;
    expect(messages.map((m) => m.content)).toEqual(['question', 'second answer']);
    expect(emulator.chatRequests().at(-1)?.messages).toEqual([
      { role: 'user', content: 'question' },
    ]);
  });

  it('models: fetched, cached for offline use, free ones marked, default remembered', async () => {
    const r = await rig();
    const online = await r.chat.listModels('openrouter', true);
    expect(online.stale).toBe(false);
    expect(online.models.some((m) => m.free)).toBe(true);
    expect(online.defaultModel).toBe(MODEL);
    const models = emulator.requests.filter((q) => q.path === '/api/v1/models');
    expect(models).toHaveLength(1);
    expect(String(models[0]?.headers['authorization'])).toMatch(/^Bearer sk-or-v1-/);
    expect(models[0]?.headers['x-title']).toBe('Latchkey');
    r.chat.setDefaultModel('openrouter', 'anthropic/claude-3.5-sonnet');
    await emulator.close();
    const again = await rig({ dir: r.dir, key: null });
    const offline = await again.chat.listModels('openrouter', true);
    expect(offline.stale).toBe(true);
    expect(offline.models.map((m) => m.id)).toEqual(online.models.map((m) => m.id));
    expect(offline.defaultModel).toBe('anthropic/claude-3.5-sonnet');
    emulator = await startOpenRouterEmulator();
  });

  it('models: a cache that cannot be written still shows the list just fetched', async () => {
    const r = await rig();
    await r.chat.listModels('openrouter', true);
    // models.json becomes a directory: the atomic rename over it fails, for root too.
    rmSync(join(r.dir, 'models.json'));
    mkdirSync(join(r.dir, 'models.json'));
    const fetched = await r.chat.listModels('openrouter', true);
    expect(fetched.stale).toBe(false);
    expect(fetched.models.length).toBeGreaterThan(0);
  });

  it('the key never appears in events, logs or conversation files', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    await r.chat.send(conversation.id, 'hello', MODEL);
    await finishedMessage(r);
    emulator.scriptChat({ status: 401 });
    await r.chat.send(conversation.id, 'again', MODEL).catch(() => undefined);
    const key = emulator.issuedKeys()[0]!;
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : [path];
      });
    const everything = [
      JSON.stringify(r.events),
      r.log.lines.join(''),
      ...files(r.dir).map((f) => readFileSync(f, 'utf8')),
    ].join('\n');
    expect(everything).not.toContain(key);
  });
});

// ---------------------------------------------------------------------------------------------
// Other providers: an OpenAI-compatible gateway behind an OAuth / OIDC sign-in.

interface GatewayRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Gateway {
  /** The chat base URL, with its path: `http://127.0.0.1:<port>/gw/v1`. */
  readonly base: URL;
  readonly requests: GatewayRequest[];
  /** Bearer tokens answered; any other gets 401 in OpenAI's error shape. */
  readonly accepted: Set<string>;
  /** How the next chat answers: a short answer (default), a long paced one, or a 401 chunk. */
  next: 'answer' | 'long' | 'unauthorized-chunk' | 'hang';
  readonly disconnects: () => number;
}

const GATEWAY_MODELS = [
  { id: 'corp/llama-3.1-70b', object: 'model', created: 1721606400, owned_by: 'corp' },
  { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
  { id: MODEL, object: 'model', created: 1721260800, owned_by: 'system' },
];

/** A tiny OpenAI-compatible server under `/gw/v1` (not OpenRouter's paths, no attribution). */
async function startGateway(accepted: string[]): Promise<Gateway> {
  const requests: GatewayRequest[] = [];
  let disconnects = 0;
  const sse = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
  const chunk = (content: string, finish: string | null = null) =>
    sse({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    });
  const gateway: Gateway = {
    base: new URL('http://127.0.0.1/'),
    requests,
    accepted: new Set(accepted),
    next: 'answer',
    disconnects: () => disconnects,
  };
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !gateway.accepted.has(token)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'invalid token', code: 'invalid' } }));
    }
    if (req.method === 'GET' && req.url === '/gw/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: GATEWAY_MODELS }));
    }
    if (req.method !== 'POST' || req.url !== '/gw/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'not found' } }));
    }
    const mode = gateway.next;
    gateway.next = 'answer';
    if (mode === 'hang') return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (mode === 'unauthorized-chunk') {
      res.write(chunk('par'));
      res.end(sse({ error: { code: 401, message: 'token expired' } }));
      return;
    }
    if (mode === 'long') {
      let n = 0;
      const timer = setInterval(() => res.write(chunk(`t${n++} `)), 5);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableEnded) disconnects += 1;
      });
      return;
    }
    res.write(chunk('Hello from '));
    res.write(chunk('the gateway.'));
    res.write(chunk('', 'stop'));
    res.write(
      sse({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        model: 'gpt-4o-2024-08-06',
        choices: [],
        usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
      }),
    );
    res.end('data: [DONE]\n\n');
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (body += part));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(gateway, { base: new URL(`http://127.0.0.1:${port}/gw/v1`) });
}

/** An OIDC-like target: the gateway's base path, no attribution, a token that can refresh. */
function gatewayTarget(
  base: URL,
  token: () => Promise<string>,
  unauthorized: (rejected: string) => Promise<string | null>,
) {
  const target = {
    baseUrl: base,
    attribution: false,
    token: vi.fn(token),
    unauthorized: vi.fn(unauthorized),
  };
  return target satisfies ChatTarget;
}

describe('chat service with other providers (an OAuth / OIDC gateway)', () => {
  it('chats through the configured base path with the access token, no OpenRouter attribution', async () => {
    const gateway = await startGateway(['access-1']);
    const target = gatewayTarget(
      gateway.base,
      async () => 'access-1',
      async () => null,
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    expect(conversation.provider).toBe('oidc');
    const result = await r.chat.send(conversation.id, 'Hi gateway', 'gpt-4o');
    expect(result.conversation.provider).toBe('oidc');
    const message = await finishedMessage(r);
    expect(message).toMatchObject({
      status: 'complete',
      content: 'Hello from the gateway.',
      finishReason: 'stop',
      model: 'gpt-4o-2024-08-06',
      usage: { promptTokens: 5, completionTokens: 4, totalTokens: 9, cost: null },
    });

    const request = gateway.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/gw/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer access-1');
    expect(request.headers['http-referer']).toBeUndefined();
    expect(request.headers['x-title']).toBeUndefined();
    expect(JSON.parse(request.body)).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi gateway' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(target.unauthorized).not.toHaveBeenCalled();
    // OpenRouter was not involved.
    expect(emulator.chatRequests()).toHaveLength(0);
    expect(r.chat.list().conversations[0]).toMatchObject({ id: conversation.id, provider: 'oidc' });
  });

  it('401 → unauthorized → retried once with the fresh token (the emulator checking bearers)', async () => {
    const valid = new Set(['fresh-token']);
    const gatewayEmulator = await startOpenRouterEmulator({ bearer: (t) => valid.has(t) });
    cleanups.push(() => gatewayEmulator.close());
    const target = gatewayTarget(
      new URL(`${gatewayEmulator.url}/api/v1`),
      async () => 'stale-token',
      async () => 'fresh-token',
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', MODEL);
    gatewayEmulator.scriptChat({ content: 'after a refresh' });
    await r.chat.send(conversation.id, 'hello', MODEL);
    const message = await finishedMessage(r);
    expect(message).toMatchObject({ status: 'complete', content: 'after a refresh' });
    expect(gatewayEmulator.chatRequests().map((q) => q.key)).toEqual([
      'stale-token',
      'fresh-token',
    ]);
    expect(gatewayEmulator.chatRequests()[1]?.headers['x-title']).toBeUndefined();
    expect(target.unauthorized.mock.calls).toEqual([['stale-token']]);
    expect(r.store.load(conversation.id).messages.map((m) => m.content)).toEqual([
      'hello',
      'after a refresh',
    ]);
  });

  it('401 again with the fresh token → AUTH_KEY_REVOKED, no second refresh, nothing stored', async () => {
    const gateway = await startGateway([]);
    const target = gatewayTarget(
      gateway.base,
      async () => 'old',
      async (rejected) => (rejected === 'old' ? 'new' : null),
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    await expect(r.chat.send(conversation.id, 'typed text', 'gpt-4o')).rejects.toMatchObject({
      code: 'AUTH_KEY_REVOKED',
      details: { status: 401 },
    });
    expect(gateway.requests.map((q) => q.headers.authorization)).toEqual([
      'Bearer old',
      'Bearer new',
    ]);
    expect(target.unauthorized.mock.calls).toEqual([['old']]);
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
    expect(r.finished()).toHaveLength(0);
  });

  it('the credential gone (unauthorized → null) → AUTH_KEY_REVOKED without a retry', async () => {
    const gateway = await startGateway([]);
    const target = gatewayTarget(
      gateway.base,
      async () => 'old',
      async () => null,
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    await expect(r.chat.send(conversation.id, 'x', 'gpt-4o')).rejects.toMatchObject({
      code: 'AUTH_KEY_REVOKED',
    });
    expect(gateway.requests).toHaveLength(1);
    expect(target.unauthorized).toHaveBeenCalledTimes(1);
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
  });

  it.each([
    ['token() is offline', 'token'],
    ['the refresh after a 401 is offline', 'unauthorized'],
  ] as const)('%s → the send fails with NETWORK_OFFLINE, nothing stored', async (_name, where) => {
    const gateway = await startGateway([]);
    const offline = async (): Promise<never> => {
      throw new LatchkeyError('NETWORK_OFFLINE');
    };
    const target = gatewayTarget(
      gateway.base,
      where === 'token' ? offline : async () => 'old',
      offline,
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    await expect(r.chat.send(conversation.id, 'typed', 'gpt-4o')).rejects.toMatchObject({
      code: 'NETWORK_OFFLINE',
    });
    expect(gateway.requests).toHaveLength(where === 'token' ? 0 : 1);
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
    expect(r.store.load(conversation.id).draft).toBe('');
    // The conversation is not left busy.
    target.token.mockImplementation(async () => 'good');
    gateway.accepted.add('good');
    await r.chat.send(conversation.id, 'typed', 'gpt-4o');
    expect((await finishedMessage(r)).status).toBe('complete');
  });

  it('not signed in (no target) → CHAT_NOT_SIGNED_IN', async () => {
    const r = await rig({ targets: { oidc: null } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    await expect(r.chat.send(conversation.id, 'hi', 'gpt-4o')).rejects.toMatchObject({
      code: 'CHAT_NOT_SIGNED_IN',
    });
    await expect(r.chat.listModels('oidc', false)).rejects.toMatchObject({
      code: 'CHAT_NOT_SIGNED_IN',
    });
  });

  it('a 401 error chunk mid-stream tells the target and keeps the partial answer (no retry)', async () => {
    const gateway = await startGateway(['access-1']);
    const target = gatewayTarget(
      gateway.base,
      async () => 'access-1',
      async () => 'access-2',
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    gateway.next = 'unauthorized-chunk';
    await r.chat.send(conversation.id, 'go', 'gpt-4o');
    const message = await finishedMessage(r);
    expect(message).toMatchObject({
      status: 'error',
      content: 'par',
      error: { code: 'CHAT_STREAM_ERROR', status: 401, providerMessage: 'token expired' },
    });
    await vi.waitFor(() => expect(target.unauthorized.mock.calls).toEqual([['access-1']]));
    expect(gateway.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('models per provider: with the token, cached separately, defaults apart', async () => {
    const gateway = await startGateway(['fresh']);
    const target = gatewayTarget(
      gateway.base,
      async () => 'stale',
      async () => 'fresh',
    );
    const r = await rig({ targets: { oidc: target } });

    const gatewayModels = await r.chat.listModels('oidc', true);
    // The 401 was refreshed once.
    expect(gateway.requests.map((q) => [q.method, q.path, q.headers.authorization])).toEqual([
      ['GET', '/gw/v1/models', 'Bearer stale'],
      ['GET', '/gw/v1/models', 'Bearer fresh'],
    ]);
    expect(gateway.requests[1]?.headers['x-title']).toBeUndefined();
    expect(gatewayModels.stale).toBe(false);
    expect(gatewayModels.models.map((m) => m.id)).toEqual(GATEWAY_MODELS.map((m) => m.id));
    expect(gatewayModels.models[1]).toEqual({
      id: 'gpt-4o',
      name: 'gpt-4o',
      contextLength: null,
      promptPrice: null,
      completionPrice: null,
      free: false,
      supportedParameters: [],
      inputModalities: ['text'],
    });
    // OpenRouter's preferred default does not apply: the first model, though MODEL is listed.
    expect(gatewayModels.defaultModel).toBe('corp/llama-3.1-70b');

    const openRouterModels = await r.chat.listModels('openrouter', true);
    expect(openRouterModels.defaultModel).toBe(MODEL);
    expect(openRouterModels.models.map((m) => m.id)).not.toEqual(
      gatewayModels.models.map((m) => m.id),
    );

    expect(r.chat.setDefaultModel('oidc', 'gpt-4o').defaultModel).toBe('gpt-4o');
    expect((await r.chat.listModels('openrouter', false)).defaultModel).toBe(MODEL);
    // Fresh enough: from the cache, no request.
    expect((await r.chat.listModels('oidc', false)).defaultModel).toBe('gpt-4o');
    expect(gateway.requests).toHaveLength(2);

    // After a restart, signed out everywhere: each provider's own list, marked stale.
    const again = await rig({ dir: r.dir, key: null, targets: {} });
    const oidcOffline = await again.chat.listModels('oidc', true);
    expect(oidcOffline).toMatchObject({ stale: true, defaultModel: 'gpt-4o' });
    expect(oidcOffline.models.map((m) => m.id)).toEqual(GATEWAY_MODELS.map((m) => m.id));
    const openRouterOffline = await again.chat.listModels('openrouter', true);
    expect(openRouterOffline).toMatchObject({ stale: true, defaultModel: MODEL });
    expect(openRouterOffline.models.map((m) => m.id)).toEqual(
      openRouterModels.models.map((m) => m.id),
    );
    await expect(again.chat.listModels('yooai', true)).rejects.toMatchObject({
      code: 'CHAT_NOT_SIGNED_IN',
    });
  });

  it("stopProvider stops that provider's streams only, and waits for them", async () => {
    const gateway = await startGateway(['access-1']);
    const target = gatewayTarget(
      gateway.base,
      async () => 'access-1',
      async () => null,
    );
    const r = await rig({ targets: { oidc: target } });
    const viaGateway = r.chat.create('oidc', 'gpt-4o');
    const viaOpenRouter = r.chat.create('openrouter', MODEL);
    gateway.next = 'long';
    emulator.scriptChat({ length: 100_000, paceMs: 5 });
    await r.chat.send(viaGateway.id, 'long', 'gpt-4o');
    await r.chat.send(viaOpenRouter.id, 'long', MODEL);
    await vi.waitFor(() => {
      const streaming = new Set(r.deltas().map((d) => d.conversationId));
      expect(streaming.size).toBe(2);
    });

    await r.chat.stopProvider('oidc');
    expect(r.finished().map((f) => [f.conversationId, f.message.status])).toEqual([
      [viaGateway.id, 'stopped'],
    ]);
    expect(r.store.load(viaGateway.id).messages.at(-1)?.status).toBe('stopped');
    expect(r.chat.list().conversations.find((s) => s.id === viaOpenRouter.id)?.streaming).toBe(
      true,
    );
    await vi.waitFor(() => expect(gateway.disconnects()).toBe(1));

    await r.chat.stopAll();
    expect(r.finished().map((f) => f.message.status)).toEqual(['stopped', 'stopped']);
    expect(r.chat.list().conversations.every((s) => !s.streaming)).toBe(true);
  });

  it('a request still connecting at sign-out fails with CHAT_NOT_SIGNED_IN, nothing stored', async () => {
    const gateway = await startGateway(['access-1']);
    const target = gatewayTarget(
      gateway.base,
      async () => 'access-1',
      async () => null,
    );
    const r = await rig({ targets: { oidc: target } });
    const conversation = r.chat.create('oidc', 'gpt-4o');
    gateway.next = 'hang';
    const pending = r.chat.send(conversation.id, 'slow', 'gpt-4o');
    await vi.waitFor(() => expect(gateway.requests).toHaveLength(1));
    await expect(r.chat.send(conversation.id, 'again', 'gpt-4o')).rejects.toMatchObject({
      code: 'CHAT_BUSY',
    });
    await r.chat.stopProvider('oidc');
    await expect(pending).rejects.toMatchObject({ code: 'CHAT_NOT_SIGNED_IN' });
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
  });

  it('a conversation saved before providers existed chats through OpenRouter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-chat-'));
    const id = '0b9f7c52-4a8e-4d47-9a57-1f3f5f0e2c11';
    mkdirSync(join(dir, 'conversations'), { recursive: true, mode: 0o700 });
    writeFileSync(
      join(dir, 'conversations', `${id}.json`),
      JSON.stringify({
        version: 1,
        id,
        title: 'From last year',
        createdAt: 1,
        updatedAt: 1,
        model: MODEL,
        messages: [],
      }),
    );
    // The models cache of that time: OpenRouter's list and default, no provider.
    writeFileSync(
      join(dir, 'models.json'),
      JSON.stringify({
        version: 1,
        fetchedAt: Date.now(),
        models: [
          {
            id: 'anthropic/claude-3.5-sonnet',
            name: 'Claude',
            contextLength: 200000,
            promptPrice: 0.000003,
            completionPrice: 0.000015,
            free: false,
          },
        ],
        defaultModel: 'anthropic/claude-3.5-sonnet',
      }),
    );
    const r = await rig({ dir });
    expect(r.chat.list().conversations).toMatchObject([
      { id, provider: 'openrouter', title: 'From last year' },
    ]);
    expect(await r.chat.listModels('openrouter', false)).toMatchObject({
      stale: false,
      defaultModel: 'anthropic/claude-3.5-sonnet',
    });
    emulator.scriptChat({ content: 'still here' });
    await r.chat.send(id, 'hello again', MODEL);
    expect((await finishedMessage(r)).content).toBe('still here');
    expect(emulator.chatRequests()).toHaveLength(1);
  });
});
