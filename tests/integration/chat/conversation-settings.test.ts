import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_CONVERSATION_SETTINGS,
  type ConversationList,
  type ConversationSettings,
  type EventChannel,
  type EventContract,
} from '../../../preload/api';
import { ChatService } from '../../../main/chat/chat-service';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { ModelsCache } from '../../../main/chat/models-cache';
import { SettingsStore } from '../../../main/credentials/settings-store';
import { LatchkeyError } from '../../../main/errors';
import { createMemoryLogger } from '../../../main/log';
import { obtainKey } from '../../fixtures/obtain-key';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';

const SETTINGS: ConversationSettings = {
  systemPrompt: 'Answer like a pirate.',
  temperature: 0.4,
  maxTokens: 300,
  reasoningEffort: 'high',
};

const tempDir = () => mkdtempSync(join(tmpdir(), 'latchkey-settings-'));

function caught(run: () => unknown): LatchkeyError {
  try {
    run();
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('conversation store: settings', () => {
  it('creates with settings, persists changes, and reads them back after a restart', () => {
    const dir = tempDir();
    const { store } = ConversationStore.open({ dir });
    const created = store.create('openrouter', 'openai/gpt-4o', SETTINGS);
    expect(created.settings).toEqual(SETTINGS);
    const plain = store.create('openrouter', null);
    expect(plain.settings).toEqual(DEFAULT_CONVERSATION_SETTINGS);

    store.setSettings(plain.id, { ...SETTINGS, temperature: null });
    const reopened = ConversationStore.open({ dir }).store;
    expect(reopened.load(created.id).settings).toEqual(SETTINGS);
    expect(reopened.load(plain.id).settings).toEqual({ ...SETTINGS, temperature: null });
  });

  it('a 1 MB system prompt is refused; the stored settings and messages stay as they were', () => {
    const dir = tempDir();
    const { store } = ConversationStore.open({ dir });
    const { id } = store.create('openrouter', 'openai/gpt-4o', SETTINGS);
    store.appendMessages(id, [
      {
        id: 'm1',
        revision: 0,
        role: 'user',
        content: 'Keep me',
        createdAt: 1,
        status: 'complete',
        model: null,
        usage: null,
        finishReason: null,
        error: null,
      },
    ]);
    const before = readFileSync(join(dir, 'conversations', `${id}.json`), 'utf8');
    const error = caught(() =>
      store.setSettings(id, { ...SETTINGS, systemPrompt: 'x'.repeat(1024 * 1024) }),
    );
    expect(error.code).toBe('CHAT_SETTINGS_INVALID');
    expect(error.details.field).toBe('systemPrompt');
    expect(readFileSync(join(dir, 'conversations', `${id}.json`), 'utf8')).toBe(before);
    const reopened = ConversationStore.open({ dir }).store.load(id);
    expect(reopened.settings).toEqual(SETTINGS);
    expect(reopened.messages.map((m) => m.content)).toEqual(['Keep me']);
  });

  it('a file from before settings reads as the defaults', () => {
    const dir = tempDir();
    const { store } = ConversationStore.open({ dir });
    const { id } = store.create('openrouter', null, SETTINGS);
    const file = join(dir, 'conversations', `${id}.json`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete json['settings'];
    writeFileSync(file, JSON.stringify(json));
    expect(ConversationStore.open({ dir }).store.load(id).settings).toEqual(
      DEFAULT_CONVERSATION_SETTINGS,
    );
  });
});

describe('settings store: defaults for new chats', () => {
  it('keeps the default system prompt across restarts', () => {
    const dir = tempDir();
    SettingsStore.open({ dir }).store.set('conversationDefaults', SETTINGS);
    expect(SettingsStore.open({ dir }).store.get('conversationDefaults')).toEqual(SETTINGS);
  });
});

describe('models cache: supported parameters', () => {
  it('a list cached before supported parameters were read has none', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'models.json'),
      JSON.stringify({
        version: 2,
        providers: {
          openrouter: {
            fetchedAt: 1,
            defaultModel: null,
            models: [
              {
                id: 'openai/gpt-4o',
                name: 'GPT-4o',
                contextLength: null,
                promptPrice: null,
                completionPrice: null,
                free: false,
              },
            ],
          },
        },
      }),
    );
    const { cache, problems } = ModelsCache.open({ dir });
    expect(problems).toEqual([]);
    expect(cache.read('openrouter')?.models[0]?.supportedParameters).toEqual([]);
  });
});

describe('chat service: settings in requests, the model saved at once', () => {
  let emulator: OpenRouterEmulator;
  const services: ChatService[] = [];
  beforeEach(async () => {
    emulator = await startOpenRouterEmulator();
  });
  afterEach(async () => {
    for (const s of services.splice(0)) s.dispose();
    await emulator.close();
  });

  async function rig() {
    const dir = tempDir();
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
    const finished = () =>
      events
        .filter((e) => e.channel === 'chat:message')
        .map((e) => e.payload as EventContract['chat:message']);
    const answered = async (count: number) =>
      vi.waitFor(() => expect(finished().length).toBe(count), { timeout: 10_000 });
    return { chat, store, dir, events, answered };
  }

  it('reads supported_parameters from the model list', async () => {
    const r = await rig();
    const view = await r.chat.listModels('openrouter', true);
    const of = (id: string) => view.models.find((m) => m.id === id)?.supportedParameters;
    expect(of('anthropic/claude-3.5-sonnet')).toContain('reasoning');
    expect(of('openai/gpt-4o-mini')).toEqual(expect.arrayContaining(['temperature', 'max_tokens']));
    expect(of('meta-llama/llama-3.1-8b-instruct:free')).not.toContain('temperature');
  });

  it('sends the system prompt first and only the parameters the model lists', async () => {
    const r = await rig();
    await r.chat.listModels('openrouter', true);

    const claude = 'anthropic/claude-3.5-sonnet';
    const a = r.chat.create('openrouter', claude, SETTINGS);
    emulator.scriptChat({ content: 'Arr.' });
    await r.chat.send(a.id, 'Hi', claude);
    await r.answered(1);
    const first = emulator.chatRequests().at(-1)!;
    expect(first.messages).toEqual([
      { role: 'system', content: 'Answer like a pirate.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(first.body).toMatchObject({
      temperature: 0.4,
      max_tokens: 300,
      reasoning: { effort: 'high' },
    });

    const llama = 'meta-llama/llama-3.1-8b-instruct:free';
    const b = r.chat.create('openrouter', llama, SETTINGS);
    emulator.scriptChat({ content: 'Ok.' });
    await r.chat.send(b.id, 'Hi', llama);
    await r.answered(2);
    const second = emulator.chatRequests().at(-1)!;
    expect(second.messages[0]).toEqual({ role: 'system', content: 'Answer like a pirate.' });
    expect(second.body['max_tokens']).toBe(300);
    expect(second.body).not.toHaveProperty('temperature');
    expect(second.body).not.toHaveProperty('reasoning');

    // Changed settings apply from the next request on; defaults send nothing.
    r.chat.setSettings(b.id, DEFAULT_CONVERSATION_SETTINGS);
    emulator.scriptChat({ content: 'Plain.' });
    await r.chat.send(b.id, 'Again', llama);
    await r.answered(3);
    const third = emulator.chatRequests().at(-1)!;
    expect(third.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(third.body).not.toHaveProperty('max_tokens');
  });

  it('a model the list does not know gets no parameters (its support is unknown)', async () => {
    const r = await rig();
    const c = r.chat.create('openrouter', 'openai/gpt-4o', SETTINGS);
    emulator.scriptChat({ content: 'Ok.' });
    await r.chat.send(c.id, 'Hi', 'openai/gpt-4o');
    await r.answered(1);
    const request = emulator.chatRequests().at(-1)!;
    expect(request.messages[0]?.role).toBe('system');
    expect(request.body).not.toHaveProperty('temperature');
  });

  it('saves the model picked for a conversation at once, and tells the list', async () => {
    const r = await rig();
    const c = r.chat.create('openrouter', 'openai/gpt-4o-mini');
    const summary = r.chat.setModel(c.id, 'anthropic/claude-3.5-sonnet');
    expect(summary.model).toBe('anthropic/claude-3.5-sonnet');
    expect(summary.revision).toBeGreaterThan(c.revision);
    const lists = r.events
      .filter((e) => e.channel === 'chat:conversations')
      .map((e) => e.payload as ConversationList);
    expect(lists.at(-1)?.conversations[0]?.model).toBe('anthropic/claude-3.5-sonnet');
    expect(ConversationStore.open({ dir: r.dir }).store.load(c.id).model).toBe(
      'anthropic/claude-3.5-sonnet',
    );
    expect(emulator.chatRequests()).toHaveLength(0);
  });
});
