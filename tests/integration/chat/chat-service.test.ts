import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventChannel, EventContract, StreamDelta } from '../../../preload/api';
import { ChatService } from '../../../main/chat/chat-service';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { ModelsCache } from '../../../main/chat/models-cache';
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

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
});
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose();
  await emulator.close();
});

interface Rig {
  chat: ChatService;
  store: ConversationStore;
  dir: string;
  events: { channel: EventChannel; payload: unknown }[];
  deltas: () => StreamDelta[];
  finished: () => EventContract['chat:message'][];
  keyRejected: ReturnType<typeof vi.fn>;
  log: ReturnType<typeof createMemoryLogger>;
}

async function rig(options: { dir?: string; key?: string | null; fetch?: FetchLike } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'latchkey-chat-'));
  const key = options.key === undefined ? await obtainKey(emulator.url) : options.key;
  const { store } = ConversationStore.open({ dir });
  const { cache } = ModelsCache.open({ dir });
  const events: Rig['events'] = [];
  const keyRejected = vi.fn();
  const log = createMemoryLogger();
  const chat = new ChatService({
    baseUrl: new URL(emulator.url),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    credential: () => key,
    onKeyRejected: keyRejected,
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
  it('streams an answer: batched deltas, usage, persisted, attribution headers, Bearer key', async () => {
    const r = await rig();
    const conversation = r.chat.create(MODEL);
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
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));

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
    const conversation = r.chat.create(MODEL);
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
    const conversation = r.chat.create(MODEL);
    emulator.scriptChat({ status, retryAfter: '7' });
    await expect(r.chat.send(conversation.id, 'typed text', MODEL)).rejects.toMatchObject({ code });
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
    expect(r.keyRejected).toHaveBeenCalledTimes(status === 401 ? 1 : 0);
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
    const conversation = r.chat.create(MODEL);
    await emulator.close();
    await expect(r.chat.send(conversation.id, 'hello?', MODEL)).rejects.toMatchObject({
      code: 'NETWORK_OFFLINE',
    });
    expect(r.store.load(conversation.id).messages).toHaveLength(0);
    emulator = await startOpenRouterEmulator();
  });

  it('not signed in → CHAT_NOT_SIGNED_IN without a request', async () => {
    const r = await rig({ key: null });
    const conversation = r.chat.create(MODEL);
    await expect(r.chat.send(conversation.id, 'hi', MODEL)).rejects.toMatchObject({
      code: 'CHAT_NOT_SIGNED_IN',
    });
    expect(emulator.chatRequests()).toHaveLength(0);
  });

  it('an error chunk under HTTP 200 keeps the partial answer, marked as an error', async () => {
    const r = await rig();
    const conversation = r.chat.create(MODEL);
    emulator.scriptChat({ content: 'abcdefghijklmnopqrstuvwxyz', pieceSize: 2, errorAfter: 3 });
    await r.chat.send(conversation.id, 'go', MODEL);
    const message = await finishedMessage(r);
    expect(message.status).toBe('error');
    expect(message.error?.code).toBe('CHAT_STREAM_ERROR');
    expect(message.content).toBe('abcdef');
  });

  it('a 401 error chunk mid-stream signs out (the key was revoked)', async () => {
    const r = await rig();
    const conversation = r.chat.create(MODEL);
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
    const conversation = r.chat.create(MODEL);
    emulator.scriptChat({ content: 'abcdefghijklmnopqrstuvwxyz', pieceSize: 2, ...script });
    await r.chat.send(conversation.id, 'go', MODEL);
    const message = await finishedMessage(r);
    expect(message.status).toBe('incomplete');
    expect(message.content).toBe('abcdef');
  });

  it('stop aborts the request (the server sees the disconnect) and keeps the partial answer', async () => {
    const r = await rig();
    const conversation = r.chat.create(MODEL);
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
    const conversation = r.chat.create(MODEL);
    emulator.scriptChat({ length: 50_000, paceMs: 5 });
    await r.chat.send(conversation.id, 'one', MODEL);
    await expect(r.chat.send(conversation.id, 'two', MODEL)).rejects.toMatchObject({
      code: 'CHAT_BUSY',
    });
    r.chat.stop(conversation.id);
    await finishedMessage(r);
  });

  it('a 1 MB answer arrives whole', async () => {
    const r = await rig();
    const conversation = r.chat.create(MODEL);
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
    const conversation = r.chat.create(MODEL);
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
    const online = await r.chat.listModels(true);
    expect(online.stale).toBe(false);
    expect(online.models.some((m) => m.free)).toBe(true);
    expect(online.defaultModel).toBe(MODEL);
    r.chat.setDefaultModel('anthropic/claude-3.5-sonnet');
    await emulator.close();
    const again = await rig({ dir: r.dir, key: null });
    const offline = await again.chat.listModels(true);
    expect(offline.stale).toBe(true);
    expect(offline.models.map((m) => m.id)).toEqual(online.models.map((m) => m.id));
    expect(offline.defaultModel).toBe('anthropic/claude-3.5-sonnet');
    emulator = await startOpenRouterEmulator();
  });

  it('the key never appears in events, logs or conversation files', async () => {
    const r = await rig();
    const conversation = r.chat.create(MODEL);
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
