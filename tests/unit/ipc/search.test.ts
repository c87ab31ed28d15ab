import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONVERSATION_SETTINGS,
  MAX_SEARCH_QUERY_CHARS,
  type Result,
  type SearchResult,
} from '../../../preload/api';
import type { AuthService } from '../../../main/auth/auth-service';
import type { ChatService } from '../../../main/chat/chat-service';
import { dispatch } from '../../../main/ipc/dispatch';
import { createHandlers } from '../../../main/ipc/handlers';
import { createMemoryLogger } from '../../../main/log';

function run(search?: { query(q: string, limit: number): Promise<readonly SearchResult[]> }) {
  const handlers = createHandlers({
    auth: {} as AuthService,
    chat: {} as ChatService,
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
    saveFile: null,
    ...(search && { search }),
  });
  return (request: unknown): Promise<Result<unknown>> =>
    dispatch(handlers, 'search:query', request, createMemoryLogger());
}

describe('search:query', () => {
  it('passes a query of up to about 10 KB (and more) to the search, with its limit', async () => {
    const asked: [string, number][] = [];
    const search = {
      query: (q: string, limit: number) => {
        asked.push([q.slice(0, 5), limit]);
        return Promise.resolve([]);
      },
    };
    const query = 'x'.repeat(10_240);
    expect(await run(search)({ query, limit: 20 })).toEqual({ ok: true, value: [] });
    expect(await run(search)({ query: '*', limit: 1 })).toEqual({ ok: true, value: [] });
    expect(asked).toEqual([
      ['xxxxx', 20],
      ['*', 1],
    ]);
  });

  it('refuses what is not a bounded query', async () => {
    const search = { query: () => Promise.resolve([]) };
    for (const request of [
      { query: 'x'.repeat(MAX_SEARCH_QUERY_CHARS + 1), limit: 20 },
      { query: 'a', limit: 0 },
      { query: 'a', limit: 51 },
      { query: 'a', limit: 2.5 },
      { query: 42, limit: 20 },
      { query: 'a', limit: 20, extra: true },
      'a',
    ]) {
      expect(await run(search)(request)).toEqual({
        ok: false,
        error: { code: 'IPC_INVALID_ARGUMENT' },
      });
    }
  });

  it('finds nothing without a search service', async () => {
    expect(await run()({ query: 'anything', limit: 5 })).toEqual({ ok: true, value: [] });
  });
});
