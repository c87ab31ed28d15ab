import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  ChatMessage,
  ConversationList,
  EventChannel,
  EventContract,
} from '../../../preload/api';
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
const services: ChatService[] = [];

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
});
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose();
  await emulator.close();
});

async function rig(dir = mkdtempSync(join(tmpdir(), 'latchkey-edit-'))) {
  const key = await obtainKey(emulator.url);
  const { store } = ConversationStore.open({ dir });
  const { cache } = ModelsCache.open({ dir });
  const events: { channel: EventChannel; payload: unknown }[] = [];
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
    models: cache,
    emit: (channel, payload) => events.push({ channel, payload }),
    log: createMemoryLogger(),
    connectTimeoutMs: 2_000,
  });
  services.push(chat);
  const of = <C extends EventChannel>(channel: C) =>
    events.filter((e) => e.channel === channel).map((e) => e.payload as EventContract[C]);
  return { chat, store, dir, of };
}

type Rig = Awaited<ReturnType<typeof rig>>;

/** Sends `text` and waits for its answer to end. */
async function turn(r: Rig, id: string, text: string, answer: string): Promise<void> {
  const before = r.of('chat:message').length;
  emulator.scriptChat({ content: answer });
  await r.chat.send(id, text, MODEL);
  await vi.waitFor(() => expect(r.of('chat:message').length).toBe(before + 1), {
    timeout: 10_000,
  });
}

/** A conversation of three turns: q1/a1, q2/a2, q3/a3. */
async function threeTurns(r: Rig): Promise<{ id: string; messages: readonly ChatMessage[] }> {
  const { id } = r.chat.create('openrouter', MODEL);
  for (const n of [1, 2, 3]) await turn(r, id, `q${n}`, `a${n}`);
  return { id, messages: r.store.load(id).messages };
}

describe('ConversationStore.replaceFrom', () => {
  it('cuts from a message and appends, in one write of the conversation file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-edit-store-'));
    const { store } = ConversationStore.open({ dir });
    const message = (id: string, role: ChatMessage['role'], content: string): ChatMessage => ({
      id,
      revision: 0,
      role,
      content,
      createdAt: 1,
      status: 'complete',
      model: null,
      usage: null,
      finishReason: null,
      error: null,
    });
    const { id } = store.create('openrouter', MODEL);
    store.appendMessages(id, [
      message('u1', 'user', 'first'),
      message('a1', 'assistant', 'one'),
      message('u2', 'user', 'second'),
      message('a2', 'assistant', 'two'),
    ]);
    const { summary, removed } = store.replaceFrom(id, 'u2', [
      message('u3', 'user', 'second, edited'),
      message('a3', 'assistant', 'three'),
    ]);
    expect(removed).toEqual(['u2', 'a2']);
    expect(summary.messageCount).toBe(4);
    expect(summary.title).toBe('first');
    // One change: one line of the log. Compacted, the snapshot holds the same.
    const log = readFileSync(join(dir, 'conversations', `${id}.log`), 'utf8');
    expect(JSON.parse(log.trimEnd().split('\n').at(-1)!)).toMatchObject({
      op: 'cut',
      fromId: 'u2',
    });
    store.compact(id);
    const onDisk = JSON.parse(readFileSync(join(dir, 'conversations', `${id}.json`), 'utf8')) as {
      messages: ChatMessage[];
    };
    expect(onDisk.messages.map((m) => m.id)).toEqual(['u1', 'a1', 'u3', 'a3']);
    // A fresh store (a restart) reads the same.
    const again = ConversationStore.open({ dir }).store;
    expect(again.load(id).messages.map((m) => m.content)).toEqual([
      'first',
      'one',
      'second, edited',
      'three',
    ]);
    // Unknown message, duplicate id: refused, nothing changed.
    expect(() => again.replaceFrom(id, 'nope', [])).toThrow(
      expect.objectContaining({ code: 'CHAT_NOT_FOUND' }),
    );
    expect(() => again.replaceFrom(id, 'u3', [message('u1', 'user', 'x')])).toThrow(
      expect.objectContaining({ code: 'STORE_WRITE_FAILED' }),
    );
    expect(again.load(id).messages.map((m) => m.id)).toEqual(['u1', 'a1', 'u3', 'a3']);
  });
});

describe('ChatService.edit', () => {
  it('replaces the edited message and every later turn, sends only the history before it, keeps the draft', async () => {
    const r = await rig();
    const { id, messages } = await threeTurns(r);
    r.chat.setDraft(id, 'half-typed');
    const q2 = messages[2] as ChatMessage;
    const listBefore = r.chat.list().revision;
    const summaryBefore = r.chat.open(id).revision;

    emulator.scriptChat({ content: 'a2, again' });
    const result = await r.chat.edit(id, q2.id, 'q2, edited', MODEL);

    expect(result.removedMessageIds).toEqual(messages.slice(2).map((m) => m.id));
    expect(result.userMessage?.content).toBe('q2, edited');
    expect(result.userMessage?.id).not.toBe(q2.id);
    expect(result.assistantMessage.status).toBe('streaming');
    expect(result.conversation.messageCount).toBe(4);
    // Summary and list revisions ticked, and the list was published.
    expect(result.conversation.revision).toBeGreaterThan(summaryBefore);
    const lists = r.of('chat:conversations') as ConversationList[];
    expect(lists.at(-1)?.revision).toBeGreaterThan(listBefore);
    expect(emulator.chatRequests().at(-1)?.messages).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2, edited' },
    ]);
    await vi.waitFor(() => expect(r.chat.open(id).streaming).toBe(false), { timeout: 10_000 });
    const stored = r.store.load(id);
    expect(stored.messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2, edited', 'a2, again']);
    expect(stored.draft).toBe('half-typed');

    // After a restart: the later turns are gone for good.
    const again = ConversationStore.open({ dir: r.dir }).store;
    expect(again.load(id).messages.map((m) => m.content)).toEqual([
      'q1',
      'a1',
      'q2, edited',
      'a2, again',
    ]);
  });

  it.each([
    [402, 'CHAT_OUT_OF_CREDITS'],
    [429, 'CHAT_RATE_LIMITED'],
    [500, 'HTTP_SERVER_ERROR'],
  ])('HTTP %i → %s: nothing is replaced', async (status, code) => {
    const r = await rig();
    const { id, messages } = await threeTurns(r);
    const file = join(r.dir, 'conversations', `${id}.json`);
    const bytes = readFileSync(file, 'utf8');
    emulator.scriptChat({ status });
    await expect(
      r.chat.edit(id, (messages[0] as ChatMessage).id, 'new', MODEL),
    ).rejects.toMatchObject({ code });
    expect(readFileSync(file, 'utf8')).toBe(bytes);
    expect(r.store.load(id).messages).toEqual(messages);
  });

  it('offline → NETWORK_OFFLINE: the stored conversation is untouched', async () => {
    const r = await rig();
    const { id, messages } = await threeTurns(r);
    const file = join(r.dir, 'conversations', `${id}.json`);
    const bytes = readFileSync(file, 'utf8');
    await emulator.close();
    await expect(
      r.chat.edit(id, (messages[4] as ChatMessage).id, 'new', MODEL),
    ).rejects.toMatchObject({ code: 'NETWORK_OFFLINE' });
    expect(readFileSync(file, 'utf8')).toBe(bytes);
    emulator = await startOpenRouterEmulator();
  });

  it('refuses an answer, an unknown message, and an edit while an answer streams', async () => {
    const r = await rig();
    const { id, messages } = await threeTurns(r);
    await expect(
      r.chat.edit(id, (messages[1] as ChatMessage).id, 'x', MODEL),
    ).rejects.toMatchObject({ code: 'CHAT_BAD_REQUEST' });
    await expect(r.chat.edit(id, 'not-a-message', 'x', MODEL)).rejects.toMatchObject({
      code: 'CHAT_NOT_FOUND',
    });
    emulator.scriptChat({ content: 'slow answer', paceMs: 200 });
    await r.chat.send(id, 'q4', MODEL);
    await expect(
      r.chat.edit(id, (messages[0] as ChatMessage).id, 'x', MODEL),
    ).rejects.toMatchObject({ code: 'CHAT_BUSY' });
    r.chat.stop(id);
    expect(emulator.chatRequests()).toHaveLength(4);
  });

  it('a stopped edit (Stop before the provider answered) replaces nothing', async () => {
    const r = await rig();
    const { id, messages } = await threeTurns(r);
    emulator.scriptChat({ content: 'late', paceMs: 50 });
    const editing = r.chat.edit(id, (messages[0] as ChatMessage).id, 'x', MODEL);
    r.chat.stop(id);
    await expect(editing).rejects.toMatchObject({ code: 'CHAT_STOPPED' });
    expect(r.store.load(id).messages).toEqual(messages);
  });
});
