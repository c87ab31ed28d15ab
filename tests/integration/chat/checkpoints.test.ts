import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, EventChannel, EventContract } from '../../../preload/api';
import { ChatService } from '../../../main/chat/chat-service';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { ModelsCache } from '../../../main/chat/models-cache';
import { createMemoryLogger } from '../../../main/log';
import { obtainKey } from '../../fixtures/obtain-key';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';

const MODEL = 'openai/gpt-4o-mini';

let emulator: OpenRouterEmulator;
let dir: string;
const services: ChatService[] = [];

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
  dir = mkdtempSync(join(tmpdir(), 'latchkey-checkpoints-'));
});
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A chat service on the store in `dir`, as a process of the app would have it. */
async function service(key: string) {
  const { store } = ConversationStore.open({ dir });
  const events: { channel: EventChannel; payload: unknown; at: number }[] = [];
  const chat = new ChatService({
    target: (provider) =>
      provider === 'openrouter'
        ? {
            baseUrl: new URL(`${emulator.url}/api/v1`),
            attribution: true,
            token: async () => key,
            unauthorized: async () => null,
          }
        : null,
    fetch: (input, init) => fetch(input, init),
    store,
    models: ModelsCache.open({ dir }).cache,
    emit: (channel, payload) => events.push({ channel, payload, at: Date.now() }),
    log: createMemoryLogger(),
    connectTimeoutMs: 2_000,
  });
  services.push(chat);
  const of = <C extends EventChannel>(channel: C) =>
    events
      .filter((e) => e.channel === channel)
      .map((e) => ({ ...(e.payload as EventContract[C]), at: e.at }));
  return { chat, store, of };
}

describe('checkpoints of a streaming answer', () => {
  it('keeps all but at most the last second of an answer cut off mid-stream, as incomplete', async () => {
    const key = await obtainKey(emulator.url);
    const first = await service(key);
    const conversation = first.chat.create('openrouter', MODEL);
    // About 8 s of answer: it is still streaming when the disk is read.
    emulator.scriptChat({ length: 40_000, pieceSize: 10, paceMs: 2 });
    const sent = await first.chat.send(conversation.id, 'Write at length', MODEL);
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    // Read from disk as a new process would, while the first one still streams (a kill now
    // would leave exactly this on disk).
    const readAt = Date.now();
    const onDisk = ConversationStore.open({ dir }).store.load(conversation.id);
    const stored = onDisk.messages.find((m) => m.id === sent.assistantMessage.id)!;
    expect(stored.status).toBe('streaming');

    const deltas = first.of('chat:delta');
    const shown = deltas.map((d) => d.text).join('');
    expect(first.of('chat:message')).toEqual([]);
    // What reached the screen more than a second (and a little slack for a loaded machine)
    // before the read is on disk; nothing that did not arrive is.
    const secondAgo = deltas
      .filter((d) => d.at <= readAt - 1_250)
      .map((d) => d.text)
      .join('');
    expect(secondAgo.length).toBeGreaterThan(1_000);
    expect(stored.content.length).toBeGreaterThanOrEqual(secondAgo.length);
    expect(shown.length + 16 * 1024).toBeGreaterThanOrEqual(stored.content.length);
    expect(shown.startsWith(stored.content) || stored.content.startsWith(shown)).toBe(true);

    // Checkpoints are small appends of the new text, not rewrites of the conversation.
    const log = readFileSync(join(dir, 'conversations', `${conversation.id}.log`), 'utf8');
    const grows = log
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { op: string })
      .filter((r) => r.op === 'grow');
    expect(grows.length).toBeGreaterThanOrEqual(1);
    expect(grows.length).toBeLessThanOrEqual(6);

    // A new process shows it as incomplete, with its text, Regenerate and Continue offered.
    const second = await service(key);
    const reopened = second.chat.open(conversation.id).messages.at(-1) as ChatMessage;
    expect(reopened).toMatchObject({ status: 'incomplete', content: stored.content });

    first.chat.stop(conversation.id);
    await vi.waitFor(() => expect(first.of('chat:message')).toHaveLength(1));
  }, 15_000);

  it('saves the text that came before a pause within a second, with no new token to trigger it', async () => {
    const key = await obtainKey(emulator.url);
    const { chat } = await service(key);
    const conversation = chat.create('openrouter', MODEL);
    // One chunk, then a long pause before the next (the stream stays open).
    const text = 'Short start. '.repeat(40);
    emulator.scriptChat({ content: text, pieceSize: text.length / 2, paceMs: 3_000 });
    const sent = await chat.send(conversation.id, 'Hi', MODEL);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const stored = ConversationStore.open({ dir })
      .store.load(conversation.id)
      .messages.find((m) => m.id === sent.assistantMessage.id)!;
    expect(stored.content).toBe(text.slice(0, text.length / 2));
    chat.stop(conversation.id);
  }, 10_000);

  it('continues a cut-off answer after a restart: the partial text is sent as an assistant prefill, the rest appended to it', async () => {
    const key = await obtainKey(emulator.url);
    const first = await service(key);
    const conversation = first.chat.create('openrouter', MODEL);
    emulator.scriptChat({ content: 'The first half, and more', pieceSize: 4, endWithoutDone: 4 });
    await first.chat.send(conversation.id, 'Tell me', MODEL);
    await vi.waitFor(() => expect(first.of('chat:message')).toHaveLength(1));
    const cut = first.of('chat:message')[0]!.message;
    expect(cut).toMatchObject({ status: 'incomplete', content: 'The first half, ' });
    first.chat.dispose();

    const second = await service(key);
    emulator.scriptChat({ content: 'and the rest.' });
    const result = await second.chat.continue(conversation.id, cut.id);
    expect(result.assistantMessage).toMatchObject({ id: cut.id, status: 'streaming' });
    expect(result.userMessage).toBeNull();
    await vi.waitFor(() => expect(second.of('chat:message')).toHaveLength(1));
    const done = second.of('chat:message')[0]!.message;
    expect(done).toMatchObject({
      id: cut.id,
      status: 'complete',
      content: 'The first half, and the rest.',
    });
    expect(done.revision).toBeGreaterThan(result.assistantMessage.revision);
    // The deltas carry only the new text, on top of what the page already shows.
    expect(
      second
        .of('chat:delta')
        .map((d) => d.text)
        .join(''),
    ).toBe('and the rest.');
    const request = emulator.chatRequests().at(-1)!;
    expect(request.messages.at(-1)).toEqual({ role: 'assistant', content: 'The first half, ' });
    expect(request.messages.at(-2)).toMatchObject({ role: 'user', content: 'Tell me' });
    const stored = ConversationStore.open({ dir }).store.load(conversation.id).messages;
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Tell me'],
      ['assistant', 'The first half, and the rest.'],
    ]);
    // A complete answer, or one that is not the last, is not continued.
    await expect(second.chat.continue(conversation.id, cut.id)).rejects.toMatchObject({
      code: 'CHAT_BAD_REQUEST',
    });
  }, 10_000);
});
