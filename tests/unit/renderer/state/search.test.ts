import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LatchkeyApi, SearchResult } from '../../../../preload/api';
import { SearchState } from '../../../../renderer/lib/state/search.svelte';

function result(conversationId: string, messageId: string | null = null): SearchResult {
  return {
    conversationId,
    messageId,
    title: conversationId,
    snippet: { text: conversationId, ranges: [[0, 1]] },
    score: 1,
  };
}

/** A main whose answers the test releases one by one, in any order. */
function fakeMain() {
  const pending: { query: string; resolve: (r: SearchResult[]) => void }[] = [];
  const api = {
    searchConversations: vi.fn(
      (query: string) =>
        new Promise<SearchResult[]>((resolve) => {
          pending.push({ query, resolve });
        }),
    ),
  } as unknown as LatchkeyApi;
  return { api, pending };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SearchState', () => {
  it('asks main for nothing without a letter or digit (`*`, `"`, blank)', () => {
    vi.useFakeTimers();
    const { api, pending } = fakeMain();
    const search = new SearchState(api);
    search.show();
    pending.length = 0; // the warm-up
    for (const text of ['*', '"', '   ', '*"*']) {
      search.setQuery(text);
      vi.advanceTimersByTime(200);
      expect(search.status).toBe('idle');
    }
    expect(pending).toEqual([]);
  });

  it('shows only the answer to the latest text, whatever order answers arrive in', async () => {
    vi.useFakeTimers();
    const { api, pending } = fakeMain();
    const search = new SearchState(api);
    search.show();
    pending.length = 0;
    search.setQuery('lis');
    vi.advanceTimersByTime(100);
    search.setQuery('lisbon');
    vi.advanceTimersByTime(100);
    expect(pending.map((p) => p.query)).toEqual(['lis', 'lisbon']);
    pending[1]?.resolve([result('b')]);
    await vi.waitFor(() => expect(search.status).toBe('ready'));
    pending[0]?.resolve([result('a'), result('c')]);
    await Promise.resolve();
    await Promise.resolve();
    expect(search.results.map((r) => r.conversationId)).toEqual(['b']);
  });

  it('Enter right after typing waits for that text, and arrows wrap', async () => {
    vi.useFakeTimers();
    const { api, pending } = fakeMain();
    const search = new SearchState(api);
    search.show();
    pending.length = 0;
    search.setQuery('first');
    const settled = search.settled();
    expect(pending.map((p) => p.query)).toEqual(['first']);
    pending[0]?.resolve([result('x', 'm1'), result('y')]);
    await settled;
    expect(search.target()).toEqual({ conversationId: 'x', messageId: 'm1' });
    search.move(-1);
    expect(search.target()).toEqual({ conversationId: 'y', messageId: null });
    search.move(1);
    expect(search.active).toBe(0);
  });
});
