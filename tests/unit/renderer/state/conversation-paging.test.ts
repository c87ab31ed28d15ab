/**
 * The conversation list at scale: the newest page first, then the rest in pages after a cursor,
 * against a main that pages as ChatService does (a fake API: only the list is real here).
 */
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  ConversationList,
  ConversationSummary,
  LatchkeyApi,
  ListCursor,
} from '../../../../preload/api';
import { ChatStore } from '../../../../renderer/lib/state/chat.svelte';

function summary(i: number, updatedAt: number): ConversationSummary {
  return {
    id: `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
    revision: 0,
    provider: 'openrouter',
    title: `c${i}`,
    createdAt: 0,
    updatedAt,
    model: null,
    messageCount: 1,
    streaming: false,
  };
}

const byRecency = (a: ListCursor, b: ListCursor) =>
  b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);

/** Main's list, paged as `ChatService.list(limit, after)` pages it. */
function pagingApi(all: ConversationSummary[]) {
  const asked: { limit: number | undefined; after: ListCursor | undefined }[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const listConversations = async (limit?: number, after?: ListCursor) => {
    asked.push({ limit, after });
    // The pages after the first wait for the test.
    if (after) await released;
    const sorted = [...all].sort(byRecency);
    const start = after ? sorted.findIndex((s) => byRecency(after, s) < 0) : 0;
    const from = start === -1 ? sorted.length : start;
    const page = limit === undefined ? sorted : sorted.slice(from, from + limit);
    const partial = limit !== undefined && (after !== undefined || sorted.length > limit);
    return { revision: 1, conversations: page, ...(partial && { partial }) } as ConversationList;
  };
  const api = new Proxy({} as LatchkeyApi, {
    get(_target, name: string) {
      if (name === 'listConversations') return listConversations;
      if (name === 'newChatDraft') return async () => '';
      if (name === 'checkConnectivity') return async () => ({ online: true, checkedAt: 0, seq: 0 });
      if (name === 'listModels')
        return async () => ({ models: [], defaultModel: null, fetchedAt: 0, stale: false });
      if (name.startsWith('on')) return () => () => undefined;
      return async () => undefined;
    },
  });
  return { api, asked, release };
}

let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  stop = null;
});

describe('the conversation list, page by page', () => {
  it('shows the newest 100 first, then takes the rest in pages of 1,000 after the last shown', async () => {
    const count = 2_345;
    const all = Array.from({ length: count }, (_, i) => summary(i, 10_000 - i));
    const { api, asked, release } = pagingApi(all);
    const store = new ChatStore(api, () => ['openrouter']);
    store.preloadList();
    stop = store.start();
    // The next page is asked for once the first is shown (after a frame).
    await vi.waitFor(() => expect(asked).toHaveLength(2), { timeout: 5_000 });
    flushSync();
    expect(store.conversations).toHaveLength(100);
    expect(store.listState).toBe('ready');
    // While the rest comes in, the newest conversation moves down (it changed elsewhere).
    all[0] = summary(0, 1);
    release();
    await vi.waitFor(() => expect(asked).toHaveLength(4), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked.map((a) => a.limit)).toEqual([100, 1000, 1000, 1000]);
    const shown = store.conversations;
    expect(shown).toHaveLength(count);
    expect(new Set(shown.map((s) => s.id)).size).toBe(count);
    // Each page starts after the last summary of the one before.
    expect(asked[1]?.after).toEqual({
      updatedAt: all[99]!.updatedAt,
      createdAt: 0,
      id: all[99]!.id,
    });
    expect(shown.map((s) => s.id)).toEqual([...shown].sort(byRecency).map((s) => s.id));
  });

  it('asks once when everything fits in the first page', async () => {
    const all = Array.from({ length: 40 }, (_, i) => summary(i, 1_000 - i));
    const { api, asked } = pagingApi(all);
    const store = new ChatStore(api, () => ['openrouter']);
    stop = store.start();
    await vi.waitFor(() => expect(store.conversations).toHaveLength(40));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(asked).toEqual([{ limit: 100, after: undefined }]);
  });
});
