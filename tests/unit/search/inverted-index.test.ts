import { describe, expect, it } from 'vitest';
import {
  DamagedIndexError,
  InvertedIndex,
  type IndexedConversation,
} from '../../../main/search/inverted-index';
import { snippetOf } from '../../../main/search/snippet';
import { parseQuery } from '../../../main/search/tokenize';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function conversation(
  id: string,
  title: string,
  texts: readonly string[],
  updatedAt = 1,
): IndexedConversation {
  return {
    id,
    title,
    updatedAt,
    messages: texts.map((text, i) => ({ id: `m${i}`, fingerprint: text, text })),
  };
}

function find(index: InvertedIndex, query: string) {
  return index.search(parseQuery(query).terms, 20).map((h) => [h.conversationId, h.messageId]);
}

describe('InvertedIndex', () => {
  it('finds Chinese by any substring of two or more characters, and by one character', () => {
    const index = new InvertedIndex();
    index.upsert(conversation(A, '', ['我们今天讨论全文搜索引擎的实现', 'nothing here']));
    expect(find(index, '搜索引擎')).toEqual([[A, 'm0']]);
    expect(find(index, '索引')).toEqual([[A, 'm0']]);
    expect(find(index, '文搜')).toEqual([[A, 'm0']]);
    expect(find(index, '现')).toEqual([[A, 'm0']]);
    expect(find(index, '索擎')).toEqual([]);
  });

  it('finds English words by prefix of the last word, all words required', () => {
    const index = new InvertedIndex();
    index.upsert(conversation(A, 'Travel plans', ['Book the flights to Lisbon', 'Hotels too']));
    index.upsert(conversation(B, 'Cooking', ['A recipe for bread']));
    expect(find(index, 'lisb')).toEqual([[A, 'm0']]);
    expect(find(index, 'book lisbon')).toEqual([[A, 'm0']]);
    expect(find(index, 'book bread')).toEqual([]);
    expect(find(index, 'cook')).toEqual([[B, null]]);
    expect(find(index, '*')).toEqual([]);
  });

  it('re-indexes a changed message and title, drops removed messages and conversations', () => {
    const index = new InvertedIndex();
    index.upsert(conversation(A, 'old title', ['alpha', 'beta']));
    index.upsert({ ...conversation(A, 'new title', ['gamma']), updatedAt: 2 });
    expect(find(index, 'alpha')).toEqual([]);
    expect(find(index, 'beta')).toEqual([]);
    expect(find(index, 'gamma')).toEqual([[A, 'm0']]);
    expect(find(index, 'old')).toEqual([]);
    expect(find(index, 'new')).toEqual([[A, null]]);
    expect(index.conversations().get(A)).toEqual({ title: 'new title', updatedAt: 2 });
    index.remove(A);
    expect(find(index, 'gamma')).toEqual([]);
    expect(index.documentCount).toBe(0);
  });

  it('survives encode and decode, deleted documents left out', () => {
    const index = new InvertedIndex();
    index.upsert(conversation(A, '标题', ['first message 中文内容', 'second']));
    index.upsert(conversation(B, 'other', ['third message']));
    index.upsert(conversation(A, '标题', ['first message 中文内容']));
    const back = InvertedIndex.decode(index.encode());
    expect(back.documentCount).toBe(index.documentCount);
    expect(find(back, 'message')).toEqual(find(index, 'message'));
    expect(find(back, '文内')).toEqual([[A, 'm0']]);
    expect(find(back, 'second')).toEqual([]);
    back.upsert(conversation(B, 'other', ['third message', 'fourth']));
    expect(find(back, 'fourth')).toEqual([[B, 'm1']]);
    // A term still in the file's bytes gets a new document, then is searched.
    const C = '33333333-3333-4333-8333-333333333333';
    back.upsert(conversation(C, '', ['a message in 中文内容 too']));
    expect(
      find(back, 'message')
        .map(([id]) => id)
        .sort(),
    ).toEqual([A, B, C]);
    expect(
      find(back, '文内')
        .map(([id]) => id)
        .sort(),
    ).toEqual([A, C]);
    expect(InvertedIndex.decode(back.encode()).conversations()).toEqual(back.conversations());
  });

  it('refuses damaged bytes', () => {
    const index = new InvertedIndex();
    index.upsert(conversation(A, 'title', ['some text']));
    const bytes = index.encode();
    const flipped = Buffer.from(bytes);
    flipped[30] = (flipped[30] ?? 0) ^ 0xff;
    expect(() => InvertedIndex.decode(flipped)).toThrow(DamagedIndexError);
    expect(() => InvertedIndex.decode(bytes.subarray(0, bytes.length - 7))).toThrow(
      DamagedIndexError,
    );
    expect(() => InvertedIndex.decode(Buffer.from('not an index at all'))).toThrow(
      DamagedIndexError,
    );
  });
});

describe('snippetOf', () => {
  it('gives plain text around the first match with the ranges to mark', () => {
    const text = `${'word '.repeat(40)}the Lisbon flights, and LISBON again`;
    const snippet = snippetOf(text, parseQuery('lisbon').highlights);
    expect(snippet.text.startsWith('…')).toBe(true);
    const marked = snippet.ranges.map(([a, b]) => snippet.text.slice(a, b));
    expect(marked).toEqual(['Lisbon', 'LISBON']);
  });

  it('marks a Chinese run anywhere, a word only where a word begins', () => {
    const snippet = snippetOf(
      '我们讨论搜索引擎 research search',
      parseQuery('搜索 search').highlights,
    );
    expect(snippet.ranges.map(([a, b]) => snippet.text.slice(a, b))).toEqual(['搜索', 'search']);
  });

  it('keeps markup as plain text', () => {
    const snippet = snippetOf('<img src=x onerror=alert(1)> hello', parseQuery('hello').highlights);
    expect(snippet.text).toBe('<img src=x onerror=alert(1)> hello');
  });
});
