import { describe, expect, it } from 'vitest';
import { MAX_QUERY_TERMS, parseQuery, tokenize } from '../../../main/search/tokenize';

describe('tokenize', () => {
  it('cuts CJK runs into bigrams plus the last character, and words apart', () => {
    expect(tokenize('搜索引擎 Search ENGINE')).toEqual([
      '搜索',
      '索引',
      '引擎',
      '擎',
      'search',
      'engine',
    ]);
  });

  it('normalises full-width forms and case', () => {
    expect(tokenize('ＡＢＣ１２３')).toEqual(['abc123']);
  });

  it('handles Japanese and Korean runs as CJK, and mixed text', () => {
    expect(tokenize('カタカナ')).toEqual(['カタ', 'タカ', 'カナ', 'ナ']);
    expect(tokenize('한국어')).toEqual(['한국', '국어', '어']);
    expect(tokenize('用Python写')).toEqual(['用', 'python', '写']);
  });

  it('has no terms for punctuation and operators', () => {
    expect(tokenize('* " ( ) -- ...')).toEqual([]);
  });
});

describe('parseQuery', () => {
  it('takes the last word by prefix, the others exactly', () => {
    expect(parseQuery('open rout').terms).toEqual([
      { term: 'open', prefix: false },
      { term: 'rout', prefix: true },
    ]);
    expect(parseQuery('open rout ').terms).toEqual([
      { term: 'open', prefix: false },
      { term: 'rout', prefix: false },
    ]);
  });

  it('looks for a Chinese substring by its bigrams, a single character by prefix', () => {
    expect(parseQuery('索引擎').terms).toEqual([
      { term: '索引', prefix: false },
      { term: '引擎', prefix: false },
    ]);
    expect(parseQuery('索').terms).toEqual([{ term: '索', prefix: true }]);
    expect(parseQuery('索引擎').highlights).toEqual(['索引擎']);
  });

  it('finds no terms in `*`, `"` or blank, and caps a 10 KB query', () => {
    expect(parseQuery('*').terms).toEqual([]);
    expect(parseQuery('"').terms).toEqual([]);
    expect(parseQuery('   ').terms).toEqual([]);
    const long = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    expect(long.length).toBeGreaterThan(10_000);
    expect(parseQuery(long).terms.length).toBeLessThanOrEqual(MAX_QUERY_TERMS);
  });
});
