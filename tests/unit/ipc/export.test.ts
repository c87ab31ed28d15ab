import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONVERSATION_SETTINGS,
  type Conversation,
  type Result,
} from '../../../preload/api';
import { createLatchkeyApi } from '../../../preload/bridge';
import type { AuthService } from '../../../main/auth/auth-service';
import type { ChatService } from '../../../main/chat/chat-service';
import type { SaveFile } from '../../../main/chat/save-file';
import { LatchkeyError } from '../../../main/errors';
import { dispatch } from '../../../main/ipc/dispatch';
import { createHandlers } from '../../../main/ipc/handlers';
import { createMemoryLogger } from '../../../main/log';

const ID = '3b6f8a40-9d1e-4c55-8a5e-2f1f3c1d2e4f';
const OTHER = '9c0d2a55-1111-4c55-8a5e-2f1f3c1d2e4f';
const T0 = Date.UTC(2026, 11, 3, 13, 4);

const stored: Conversation = {
  id: ID,
  revision: 3,
  provider: 'openrouter',
  title: 'Plans: Q1/Q2',
  createdAt: T0,
  updatedAt: T0,
  model: 'openai/gpt-4o',
  messageCount: 1,
  streaming: false,
  draft: 'not sent',
  settings: DEFAULT_CONVERSATION_SETTINGS,
  messages: [
    {
      id: 'm1',
      revision: 0,
      role: 'user',
      content: 'Hi',
      createdAt: T0,
      status: 'complete',
      model: null,
      usage: null,
      finishReason: null,
      error: null,
    },
  ],
};

const MARKDOWN = '# Plans: Q1/Q2\n\n---\n\n**You** · 2026-12-03 13:04 UTC\n\nHi\n';

function run(saveFile: SaveFile | null) {
  const chat = {
    open: (id: string) => {
      if (id !== ID) throw new LatchkeyError('CHAT_NOT_FOUND');
      return stored;
    },
  } as unknown as ChatService;
  const handlers = createHandlers({
    auth: {} as AuthService,
    chat,
    checkConnectivity: () => Promise.reject(new Error('unused')),
    appInfo: () => {
      throw new Error('unused');
    },
    setLocale: (locale) => locale,
    openExternal: () => Promise.resolve(),
    conversationDefaults: {
      get: () => DEFAULT_CONVERSATION_SETTINGS,
      set: (settings) => settings,
    },
    saveFile,
  });
  const log = createMemoryLogger();
  return (channel: string, request: unknown): Promise<Result<unknown>> =>
    dispatch(handlers, channel, request, log);
}

describe('chat:export and chat:markdown', () => {
  it('without a save dialog (the harness) the page gets the document to download', async () => {
    expect(await run(null)('chat:export', { id: ID })).toEqual({
      ok: true,
      value: { kind: 'download', filename: 'Plans Q1 Q2.md', markdown: MARKDOWN },
    });
  });

  it('with a save dialog (Electron) main saves it; a cancelled dialog is no error', async () => {
    const saves: [string, string][] = [];
    const save: SaveFile = (name, content) => {
      saves.push([name, content]);
      return Promise.resolve({ filename: 'Renamed.md' });
    };
    expect(await run(save)('chat:export', { id: ID })).toEqual({
      ok: true,
      value: { kind: 'saved', filename: 'Renamed.md' },
    });
    expect(saves).toEqual([['Plans Q1 Q2.md', MARKDOWN]]);
    expect(await run(() => Promise.resolve(null))('chat:export', { id: ID })).toEqual({
      ok: true,
      value: { kind: 'cancelled' },
    });
    const failing: SaveFile = () => Promise.reject(new LatchkeyError('EXPORT_WRITE_FAILED'));
    expect(await run(failing)('chat:export', { id: ID })).toEqual({
      ok: false,
      error: { code: 'EXPORT_WRITE_FAILED' },
    });
  });

  it('copy gets the same document', async () => {
    expect(await run(null)('chat:markdown', { id: ID })).toEqual({
      ok: true,
      value: { filename: 'Plans Q1 Q2.md', markdown: MARKDOWN },
    });
  });

  it('a conversation that does not exist is CHAT_NOT_FOUND; anything but an id is refused', async () => {
    let asked = false;
    const save: SaveFile = () => {
      asked = true;
      return Promise.resolve(null);
    };
    for (const channel of ['chat:export', 'chat:markdown']) {
      expect(await run(save)(channel, { id: OTHER })).toEqual({
        ok: false,
        error: { code: 'CHAT_NOT_FOUND' },
      });
      for (const request of [{ id: '../../etc/passwd' }, { id: ID, path: '/tmp/x.md' }, {}, ID]) {
        expect(await run(save)(channel, request)).toEqual({
          ok: false,
          error: { code: 'IPC_INVALID_ARGUMENT' },
        });
      }
    }
    expect(asked).toBe(false);
  });

  it('the preload functions invoke these channels', async () => {
    const calls: [string, unknown][] = [];
    const api = createLatchkeyApi({
      invoke: (channel, request) => {
        calls.push([channel, request]);
        return Promise.resolve({ ok: true, value: null });
      },
      subscribe: () => () => undefined,
    });
    await api.exportConversation(ID);
    await api.conversationMarkdown(ID);
    expect(calls).toEqual([
      ['chat:export', { id: ID }],
      ['chat:markdown', { id: ID }],
    ]);
  });
});
