import { describe, expect, it, vi } from 'vitest';
import type { ConversationSummary } from '../../../../preload/api';
import { Conversations } from '../../../../renderer/lib/state/conversation-list.svelte';
import { ConversationRows } from '../../../../renderer/lib/state/conversation-rows';

const DAY = 86_400_000;
const NOW = new Date(2026, 5, 15, 12).getTime();

function summary(id: string, updatedAt: number, revision = 1): ConversationSummary {
  return {
    id,
    revision,
    provider: 'openrouter',
    title: id,
    createdAt: 0,
    updatedAt,
    model: null,
    messageCount: 1,
    streaming: false,
  };
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);

describe('Conversations', () => {
  it('moves an updated conversation to its place, keeping the rest in order', () => {
    const list = new Conversations();
    list.applyList({
      revision: 1,
      conversations: [summary('a', 500), summary('b', 400), summary('c', 300), summary('d', 200)],
    });
    list.apply(summary('c', 600, 2), false);
    expect(ids(list.items)).toEqual(['c', 'a', 'b', 'd']);
    list.apply(summary('a', 100, 3), false);
    expect(ids(list.items)).toEqual(['c', 'b', 'd', 'a']);
    list.apply(summary('e', 450, 4), true);
    expect(ids(list.items)).toEqual(['c', 'e', 'b', 'd', 'a']);
    // Equal times: newest creation first, then id, as main orders them.
    list.apply({ ...summary('0', 450, 5), createdAt: 0 }, true);
    expect(ids(list.items)).toEqual(['c', '0', 'e', 'b', 'd', 'a']);
  });

  it('a partial list (the newest few) adds and updates, and removes nothing', () => {
    const list = new Conversations();
    list.applyList({ revision: 5, conversations: [summary('a', 300, 2)], partial: true });
    expect(ids(list.items)).toEqual(['a']);
    list.applyList({ revision: 6, conversations: [summary('a', 300, 2), summary('b', 200, 3)] });
    list.applyList({ revision: 9, conversations: [summary('c', 400, 8)], partial: true });
    expect(ids(list.items)).toEqual(['c', 'a', 'b']);
    // The whole list, newer, decides membership again.
    list.applyList({ revision: 10, conversations: [summary('a', 300, 2)] });
    expect(ids(list.items)).toEqual(['a']);
  });

  it('takes in the list page by page, in order, each summary by the revision rule', () => {
    const list = new Conversations();
    const count = 3_000;
    const all = Array.from({ length: count }, (_, i) => summary(`c${i}`, count - i));
    list.applyList({ revision: 4, conversations: all.slice(0, 100), partial: true });
    // Meanwhile c5 got a newer summary (an event), and c7 was deleted here.
    list.apply(summary('c5', count + 1, 9), false);
    list.drop('c7');
    for (let start = 100; start < count; start += 1000) {
      list.applyList({ revision: 4, conversations: all.slice(start, start + 1000), partial: true });
    }
    // A late page repeating an older copy of c5 changes nothing.
    list.applyList({ revision: 4, conversations: all.slice(0, 10), partial: true });
    expect(list.items).toHaveLength(count - 1);
    expect(ids(list.items.slice(0, 3))).toEqual(['c5', 'c0', 'c1']);
    expect(list.get('c5')?.revision).toBe(9);
    expect(list.get('c7')).toBeUndefined();
    expect(ids(list.items.slice(-2))).toEqual([`c${count - 2}`, `c${count - 1}`]);
    expect(ids(list.items)).toEqual(ids([...list.items].sort((a, b) => b.updatedAt - a.updatedAt)));
  });

  it('places an updated summary without sorting the whole list', () => {
    const list = new Conversations();
    const count = 10_000;
    list.applyList({
      revision: 1,
      conversations: Array.from({ length: count }, (_, i) => summary(`c${i}`, count - i)),
    });
    const sort = vi.spyOn(Array.prototype, 'sort');
    try {
      for (let i = 0; i < 100; i++) {
        list.apply(summary(`c${count - 1 - i}`, count + i, 2 + i), false);
      }
      expect(sort).not.toHaveBeenCalled();
    } finally {
      sort.mockRestore();
    }
    expect(ids(list.items.slice(0, 2))).toEqual([`c${count - 100}`, `c${count - 99}`]);
    expect(list.items).toHaveLength(count);
  });
});

describe('ConversationRows', () => {
  it('puts a heading before each recency group and reuses row objects', () => {
    const rows = new ConversationRows();
    const items = [
      summary('today', NOW - 1_000),
      summary('yesterday', NOW - DAY),
      summary('week-1', NOW - 3 * DAY),
      summary('week-2', NOW - 4 * DAY),
      summary('older', NOW - 90 * DAY),
    ];
    const first = rows.rows(items, NOW);
    expect(first.map((row) => (row.kind === 'group' ? `[${row.group}]` : row.id))).toEqual([
      '[today]',
      'today',
      '[yesterday]',
      'yesterday',
      '[week]',
      'week-1',
      'week-2',
      '[older]',
      'older',
    ]);
    expect(first[0]).toMatchObject({ kind: 'group', first: true });
    expect(first[2]).toMatchObject({ kind: 'group', first: false });
    const again = rows.rows(items, NOW);
    expect(again[5]).toBe(first[5]);
    expect(rows.rows([], NOW)).toEqual([]);
  });
});
