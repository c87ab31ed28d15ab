import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RaisedNotice } from '../../preload/api';
import {
  conversationStoreOf,
  damagedFileNotice,
  NoticeBoard,
  originalFileName,
  salvageTitle,
} from '../../main/notices';

const dir = () => mkdtempSync(join(tmpdir(), 'latchkey-notices-'));

describe('NoticeBoard', () => {
  it('keeps, lists, replays and forgets notices; an equal pending one is raised once', () => {
    const sent: RaisedNotice[] = [];
    const board = new NoticeBoard({ emit: (n) => sent.push(n), runId: 'run' });
    const a = board.raise({ code: 'STORE_WRITE_FAILED' });
    expect(board.raise({ code: 'STORE_WRITE_FAILED' })).toBe(a);
    const b = board.raise({ code: 'STORE_CORRUPT_MOVED', store: 'settings', path: '/x' });
    expect(sent).toEqual([a, b]);
    expect(board.list()).toEqual([a, b]);
    board.replay();
    expect(sent).toEqual([a, b, a, b]);
    board.dismiss(a.id);
    board.dismiss('unknown');
    expect(board.list()).toEqual([b]);
    // Dismissed, the same failure is news again.
    const again = board.raise({ code: 'STORE_WRITE_FAILED' });
    expect(again.id).not.toBe(a.id);
  });
});

describe('damaged file notices', () => {
  it('name the original file and tell the index from a conversation', () => {
    const moved = '/d/conversations/index.corrupt-2026-12-03T19-21-30-752Z-1.json';
    expect(originalFileName(moved)).toBe('index.json');
    expect(conversationStoreOf({ movedTo: moved })).toBe('conversation-index');
    expect(originalFileName('/d/search-index.corrupt-2026-12-03T19-21-30-752Z.bin')).toBe(
      'search-index.bin',
    );
    expect(
      conversationStoreOf({ movedTo: '/d/conversations/0f.corrupt-2026-12-03T19-21-30-752Z.json' }),
    ).toBe('conversation');
  });

  it("salvage a conversation's title, never one quoted in a message", () => {
    const d = dir();
    const cut = join(d, 'cut.json');
    writeFileSync(cut, '{"version":1,"id":"x","title":"Caf\\u00e9 \\"plans\\"","messages":[{"con');
    expect(salvageTitle(cut)).toBe('Café "plans"');
    const quoted = join(d, 'quoted.json');
    writeFileSync(quoted, '{"title":"","messages":[{"content":"say \\"title\\": \\"fake\\""}');
    expect(salvageTitle(quoted)).toBeNull();
    const garbage = join(d, 'garbage.json');
    writeFileSync(garbage, '\u0000\u0001');
    expect(salvageTitle(garbage)).toBeNull();
    expect(salvageTitle(join(d, 'missing.json'))).toBeNull();
  });

  it('fall back to the file name when no title can be read', () => {
    const d = dir();
    const movedTo = join(d, '0f.corrupt-2026-12-03T19-21-30-752Z.json');
    writeFileSync(movedTo, '');
    expect(damagedFileNotice('conversation', { movedTo })).toEqual({
      code: 'STORE_CORRUPT_MOVED',
      store: 'conversation',
      file: '0f.json',
      path: movedTo,
    });
    expect(damagedFileNotice('conversation', { movedTo, title: 'Known' }).title).toBe('Known');
    // Only conversations carry a title.
    expect(damagedFileNotice('settings', { movedTo, title: 'x' }).title).toBeUndefined();
  });
});
