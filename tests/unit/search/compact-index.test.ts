import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  byCodePoint,
  DamagedIndexError,
  InvertedIndex,
  OutdatedIndexError,
  type IndexedConversation,
} from '../../../main/search/inverted-index';
import { parseQuery } from '../../../main/search/tokenize';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function conversation(n: number, texts: readonly string[]): IndexedConversation {
  return {
    id: id(n),
    title: `title ${n}`,
    updatedAt: n,
    messages: texts.map((text, i) => ({ id: `m${i}`, fingerprint: text, text })),
  };
}

function find(index: InvertedIndex, query: string): string[] {
  return index
    .search(parseQuery(query).terms, 50)
    .map((h) => `${h.conversationId.slice(-2)}/${h.messageId}`)
    .sort();
}

function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Texts with terms across the code point range: ASCII, CJK, U+FFxx, and astral (surrogates). */
const TEXTS = [
  'alpha alphabet alpine 全文搜索',
  'beta ｂｅｔａ 𠀀𠀁 bravo',
  'gamma 搜索引擎 ￦won',
  'alpaca 𠀀𠀁𠀂 全文',
];

describe('the compact form', () => {
  it('answers exactly as before compaction, for words, prefixes and every script', () => {
    const index = new InvertedIndex();
    TEXTS.forEach((text, n) => index.upsert(conversation(n + 10, [text, `note ${n}`])));
    const queries = ['alp', 'alpha', 'beta', '全文', '搜索', '𠀀𠀁', '𠀁', '￦won', 'note', 'no'];
    const before = queries.map((q) => find(index, q));
    drain(index.compactor());
    expect(queries.map((q) => find(index, q))).toEqual(before);
    expect(find(index, 'alp')).toEqual(['10/m0', '13/m0']);
    // Added after compaction: found beside the compact terms, prefixes across both.
    index.upsert(conversation(20, ['alpenglow 全文 𠀀𠀁']));
    expect(find(index, 'alp')).toEqual(['10/m0', '13/m0', '20/m0']);
    expect(find(index, '全文')).toEqual(['10/m0', '13/m0', '20/m0']);
    const back = InvertedIndex.decode(index.encode());
    expect(queries.map((q) => find(back, q))).toEqual(queries.map((q) => find(index, q)));
  });

  it('drops deleted documents and keeps numbering right across compactions', () => {
    const index = new InvertedIndex();
    for (let n = 0; n < 30; n++) index.upsert(conversation(n, [`shared word${n}`]));
    drain(index.compactor());
    for (let n = 0; n < 30; n += 2) index.remove(id(n));
    index.upsert(conversation(40, ['shared fresh']));
    drain(index.compactor());
    expect(find(index, 'shared')).toHaveLength(16);
    expect(find(index, 'word4')).toEqual([]);
    expect(find(index, 'word5')).toEqual(['05/m0']);
    expect(find(index, 'fresh')).toEqual(['40/m0']);
    expect(index.documentCount).toBe(32);
  });

  it('sorts by code point, as UTF-8 bytes do', () => {
    const terms = ['b', '\uffe6', 'a', '\u{20000}', 'ab', '全'];
    const bytes = [...terms].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...terms].sort(byCodePoint)).toEqual(bytes);
  });

  it('tells an older format (rebuilt) from a damaged file', () => {
    const index = new InvertedIndex();
    index.upsert(conversation(1, ['text']));
    const bytes = Buffer.from(index.encode());
    bytes.writeUInt32LE(1, 4);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
    expect(() => InvertedIndex.decode(bytes)).toThrow(OutdatedIndexError);
    expect(new OutdatedIndexError('x')).toBeInstanceOf(DamagedIndexError);
  });
});
