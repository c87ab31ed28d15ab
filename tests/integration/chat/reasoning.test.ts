import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventChannel, EventContract } from '../../../preload/api';
import { REASONING_LIMITS } from '../../../preload/api';
import { ChatService } from '../../../main/chat/chat-service';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { ModelsCache } from '../../../main/chat/models-cache';
import { createMemoryLogger } from '../../../main/log';
import { obtainKey } from '../../fixtures/obtain-key';
import {
  EMULATED_REASONING_SIGNATURE,
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';

const MODEL = 'anthropic/claude-sonnet-4';
const REASONING = 'Let me think.\n\n1. **First** the sum;\n2. then the 答案.';
const ANSWER = 'The answer is **42**.';

let emulator: OpenRouterEmulator;
const services: ChatService[] = [];

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
});
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose();
  await emulator.close();
});

async function rig(dir = mkdtempSync(join(tmpdir(), 'latchkey-reasoning-'))) {
  const key = await obtainKey(emulator.url);
  const { store } = ConversationStore.open({ dir });
  const { cache } = ModelsCache.open({ dir });
  const events: { channel: EventChannel; payload: unknown }[] = [];
  let clock = 1_000_000;
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
    // Each reading of the clock is 250 ms later: reasoningMs is deterministic.
    now: () => (clock += 250),
    connectTimeoutMs: 2_000,
  });
  services.push(chat);
  const of = <C extends EventChannel>(channel: C) =>
    events.filter((e) => e.channel === channel).map((e) => e.payload as EventContract[C]);
  const finished = async () => {
    await vi.waitFor(() => expect(of('chat:message').length).toBeGreaterThan(0), {
      timeout: 10_000,
    });
    const message = of('chat:message').at(-1)!.message;
    lastDeltas = of('chat:delta');
    events.length = 0;
    return message;
  };
  let lastDeltas: EventContract['chat:delta'][] = [];
  /** Deltas so far, or those of the answer `finished` returned last. */
  const deltas = () => (events.length > 0 ? of('chat:delta') : lastDeltas);
  return { chat, store, dir, deltas, finished };
}

describe('reasoning against the OpenRouter emulator', () => {
  it('streams reasoning apart from the answer, persists it, and sends reasoning_details back', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({
      reasoning: REASONING,
      encryptedReasoning: 'opaque==',
      content: ANSWER,
      pieceSize: 3,
      paceMs: 1,
    });
    await r.chat.send(conversation.id, 'What is 6 × 7?', MODEL);
    const message = await r.finished();
    const deltas = r.deltas();

    expect(message.content).toBe(ANSWER);
    expect(message.content).not.toContain('think');
    expect(message.reasoning).toBe(REASONING);
    expect(deltas.map((d) => d.text).join('')).toBe(ANSWER);
    expect(deltas.map((d) => d.reasoning ?? '').join('')).toBe(REASONING);
    // Reasoning and text share the one revision rule: one seq per delta, the final one more.
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    expect(message.revision).toBe(deltas.length + 1);
    // All reasoning pieces come before the first answer text.
    const firstText = deltas.findIndex((d) => d.text !== '');
    expect(deltas.slice(firstText + 1).every((d) => !d.reasoning)).toBe(true);

    expect(message.reasoningDetails).toEqual([
      {
        type: 'reasoning.text',
        text: REASONING,
        format: 'anthropic-claude-v1',
        index: 0,
        signature: EMULATED_REASONING_SIGNATURE,
      },
      { type: 'reasoning.encrypted', data: 'opaque==', format: 'anthropic-claude-v1', index: 1 },
    ]);
    expect(message.reasoningMs).toBeGreaterThan(0);
    expect(message.reasoningMs! % 250).toBe(0);
    expect(message.usage?.reasoningTokens).toBe(Math.ceil(REASONING.length / 4));

    const reopened = ConversationStore.open({ dir: r.dir }).store.load(conversation.id);
    expect(reopened.messages.at(-1)).toMatchObject({
      reasoning: REASONING,
      reasoningDetails: message.reasoningDetails,
      reasoningMs: message.reasoningMs,
      usage: { reasoningTokens: message.usage?.reasoningTokens },
    });

    emulator.scriptChat({ content: 'Sure.' });
    await r.chat.send(conversation.id, 'And 7 × 8?', MODEL);
    await r.finished();
    const request = emulator.chatRequests().at(-1)!;
    expect(request.body.messages).toEqual([
      { role: 'user', content: 'What is 6 × 7?' },
      { role: 'assistant', content: ANSWER, reasoning_details: message.reasoningDetails },
      { role: 'user', content: 'And 7 × 8?' },
    ]);
    // Reasoning text itself never travels as content.
    expect(JSON.stringify(request.body)).not.toContain('"reasoning":"');
    // The answer without reasoning has none of the fields.
    const second = r.store.load(conversation.id).messages.at(-1)!;
    expect(second).not.toHaveProperty('reasoning');
    expect(second).not.toHaveProperty('reasoningDetails');
    expect(second).not.toHaveProperty('reasoningMs');
  });

  it('a snapshot mid-reasoning holds the reasoning sent so far at the last delta', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ reasoning: 'x'.repeat(4_000), content: ANSWER, paceMs: 5 });
    await r.chat.send(conversation.id, 'Think long', MODEL);
    await vi.waitFor(() => expect(r.deltas().length).toBeGreaterThan(2));
    const snapshot = r.chat.open(conversation.id).messages.at(-1)!;
    const sent = r.deltas().filter((d) => d.seq <= snapshot.revision);
    expect(snapshot.status).toBe('streaming');
    expect(snapshot.revision).toBe(sent.length);
    expect(snapshot.reasoning).toBe(sent.map((d) => d.reasoning ?? '').join(''));
    expect(snapshot.content).toBe('');

    r.chat.stop(conversation.id);
    const final = await r.finished();
    expect(final.status).toBe('stopped');
    // Stopped while thinking: the reasoning so far is kept, timed to the stop.
    expect(final.reasoning?.length).toBeGreaterThan(0);
    expect(final.reasoningMs).toBeGreaterThan(0);
    expect(final.content).toBe('');
  });

  it('reasoning past the cap is cut, on screen and on disk alike', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    // Over both caps: the text's (kept up to it) and the details' (dropped whole).
    const size = REASONING_LIMITS.maxDetailsChars + 5_000;
    emulator.scriptChat({ reasoning: 'y'.repeat(size), content: ANSWER, pieceSize: 20_000 });
    await r.chat.send(conversation.id, 'Think too much', MODEL);
    const message = await r.finished();
    const deltas = r.deltas();
    expect(message.reasoning?.length).toBe(REASONING_LIMITS.maxChars);
    expect(message.reasoning === 'y'.repeat(REASONING_LIMITS.maxChars)).toBe(true);
    expect(deltas.map((d) => d.reasoning ?? '').join('').length).toBe(REASONING_LIMITS.maxChars);
    expect(message.content).toBe(ANSWER);
    // The details went over their size cap: dropped whole (a partial chain would not verify).
    expect(message.reasoningDetails === undefined).toBe(true);
    expect(r.store.load(conversation.id).messages.at(-1)?.reasoning?.length).toBe(
      REASONING_LIMITS.maxChars,
    );
  });

  it('a stored message with damaged reasoning fields keeps its answer; old files read as before', async () => {
    const r = await rig();
    const conversation = r.chat.create('openrouter', MODEL);
    emulator.scriptChat({ reasoning: REASONING, content: ANSWER });
    await r.chat.send(conversation.id, 'Hi', MODEL);
    await r.finished();
    r.chat.dispose();
    r.store.compact(conversation.id);

    const file = join(r.dir, 'conversations', `${conversation.id}.json`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      messages: Record<string, unknown>[];
    };
    const assistant = json.messages.at(-1)!;
    assistant.reasoning = 42;
    assistant.reasoningDetails = 'not an array';
    assistant.reasoningMs = -5;
    delete (json.messages[0] as Record<string, unknown>).reasoning;
    writeFileSync(file, JSON.stringify(json));

    const reopened = ConversationStore.open({ dir: r.dir }).store.load(conversation.id);
    const message = reopened.messages.at(-1)!;
    expect(message.content).toBe(ANSWER);
    expect(message.status).toBe('complete');
    expect(message.reasoning).toBeUndefined();
    expect(message.reasoningDetails === undefined).toBe(true);
    expect(message.reasoningMs).toBeUndefined();
    expect(reopened.messages[0]?.content).toBe('Hi');
  });
});
