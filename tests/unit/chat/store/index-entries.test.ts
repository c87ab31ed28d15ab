import { describe, expect, it } from 'vitest';
import type { IndexEntry } from '../../../../main/chat/store/conversation-file-schema';
import { byRecency } from '../../../../main/chat/store/conversation-summary';
import { IndexEntries } from '../../../../main/chat/store/index-entries';
import { mulberry32 as random } from '../../../fixtures/seeded-random';

const ids = Array.from(
  { length: 40 },
  (_, i) => `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
);

function entry(id: string, updatedAt: number, createdAt: number): IndexEntry {
  return {
    id,
    provider: 'openrouter',
    title: id,
    createdAt,
    updatedAt,
    model: null,
    messageCount: 1,
  };
}

describe('IndexEntries', () => {
  it('lists the newest first, ties broken by creation then id, and the newest few alone', () => {
    const entries = new IndexEntries();
    entries.set(ids[0]!, entry(ids[0]!, 10, 1));
    entries.set(ids[1]!, entry(ids[1]!, 30, 1));
    entries.set(ids[2]!, entry(ids[2]!, 20, 5));
    entries.set(ids[3]!, entry(ids[3]!, 20, 7));
    entries.set(ids[4]!, entry(ids[4]!, 20, 7));
    const order = [ids[1], ids[3], ids[4], ids[2], ids[0]];
    expect(entries.newest().map((e) => e.id)).toEqual(order);
    expect(entries.newest(2).map((e) => e.id)).toEqual(order.slice(0, 2));
    expect(entries.newest(99)).toHaveLength(5);
    expect(entries.size).toBe(5);
  });

  it('keeps the order through sets, moves and deletes, as a full sort would give', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rand = random(seed);
      const entries = new IndexEntries();
      const model = new Map<string, IndexEntry>();
      for (let step = 0; step < 400; step++) {
        const id = ids[Math.floor(rand() * ids.length)]!;
        if (rand() < 0.2) {
          entries.delete(id);
          model.delete(id);
        } else {
          // Few distinct times, so ties (broken by creation time, then id) are common.
          const next = entry(id, Math.floor(rand() * 8), Math.floor(rand() * 3));
          entries.set(id, next);
          model.set(id, next);
        }
        // Sometimes read in between: the order is then kept instead of built.
        if (rand() < 0.3) {
          const limit = Math.floor(rand() * 10);
          const sorted = [...model.values()].sort(byRecency);
          expect(entries.newest(limit), `seed ${seed}, step ${step}`).toEqual(
            sorted.slice(0, limit),
          );
          // A page after a key: an entry's, or one where no entry is.
          const key = {
            id: ids[Math.floor(rand() * ids.length)]!,
            updatedAt: Math.floor(rand() * 8),
            createdAt: Math.floor(rand() * 3),
          };
          const after = sorted.filter((e) => byRecency(key, e) < 0).slice(0, limit);
          expect(entries.newest(limit, key), `seed ${seed}, step ${step}`).toEqual(after);
        }
      }
      expect(entries.newest(), `seed ${seed}`).toEqual([...model.values()].sort(byRecency));
      expect(entries.size).toBe(model.size);
      for (const id of ids) expect(entries.get(id)).toBe(model.get(id));
    }
  });

  it('pages after a key: the entry itself, or where it would be once it moved or left', () => {
    const entries = new IndexEntries();
    for (let i = 0; i < 6; i++) entries.set(ids[i]!, entry(ids[i]!, 100 - i, 1));
    const [, second, third] = entries.newest();
    expect(entries.newest(2, second).map((e) => e.id)).toEqual([ids[2], ids[3]]);
    // The second moved to the top since: the page still starts after where it was.
    entries.set(ids[1]!, entry(ids[1]!, 200, 1));
    expect(entries.newest(2, second).map((e) => e.id)).toEqual([ids[2], ids[3]]);
    entries.delete(ids[2]!);
    expect(entries.newest(2, third).map((e) => e.id)).toEqual([ids[3], ids[4]]);
    expect(entries.newest(9, entries.newest().at(-1))).toEqual([]);
  });

  it('hands out copies: changing a list does not change the order', () => {
    const entries = new IndexEntries();
    entries.set(ids[0]!, entry(ids[0]!, 1, 1));
    entries.set(ids[1]!, entry(ids[1]!, 2, 1));
    entries.newest().reverse();
    expect(entries.newest().map((e) => e.id)).toEqual([ids[1], ids[0]]);
  });

  it('sorts again when an entry was changed in place', () => {
    const entries = new IndexEntries();
    const changed = entry(ids[0]!, 1, 1);
    entries.set(ids[0]!, changed);
    entries.set(ids[1]!, entry(ids[1]!, 2, 1));
    entries.set(ids[2]!, entry(ids[2]!, 3, 1));
    entries.newest();
    changed.updatedAt = 5;
    entries.delete(ids[0]!);
    expect(entries.newest().map((e) => e.id)).toEqual([ids[2], ids[1]]);
  });
});
