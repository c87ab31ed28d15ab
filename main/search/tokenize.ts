/**
 * Terms for the search index, the same for text and queries so that they always meet.
 *
 * - Text is normalised (NFKC, lower case) so full-width and half-width forms, and cases, match.
 * - Runs of letters and digits in scripts that separate words (Latin, Cyrillic, …) are words;
 *   the index finds the last word of a query by prefix ("sear" finds "searching").
 * - Runs of Han, Hiragana, Katakana and Hangul, which do not separate words with spaces, are cut
 *   into overlapping character bigrams ("搜索引擎" → 搜索, 索引, 引擎) plus the run's last
 *   character alone, so any substring of two or more characters is found by the AND of its
 *   bigrams, and a single character by prefix. A dictionary segmenter (`Intl.Segmenter`) would
 *   miss substrings that cut across its words, and costs several times more per character.
 */

/** One CJK run or one word, in one pass: group 1 is CJK, group 2 a word in another script. */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー々〆`;
const TOKEN = new RegExp(String.raw`([${CJK}]+)|([[\p{L}\p{N}\p{M}_]--[${CJK}]]+)`, 'gv');

/** Longer words are cut: no real word is this long, and a term keeps the index compact. */
export const MAX_TERM_CHARS = 24;
/** A query's terms beyond this many add nothing a user could mean, only work. */
export const MAX_QUERY_TERMS = 32;
/** Of a query, only this much is read (a 10 KB paste is accepted, and cut here). */
export const MAX_QUERY_CHARS = 1000;

/** Text as the index sees it: NFKC, lower case. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * Calls `emit` for every term of already {@link normalize}d text, in order (duplicates
 * included).
 */
export function forEachTerm(text: string, emit: (term: string) => void): void {
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const cjk = match[1];
    if (cjk !== undefined) {
      const chars = Array.from(cjk);
      for (let i = 0; i + 1 < chars.length; i++) emit(`${chars[i] ?? ''}${chars[i + 1] ?? ''}`);
      emit(chars[chars.length - 1] ?? '');
    } else {
      const word = match[2] ?? '';
      emit(word.length > MAX_TERM_CHARS ? word.slice(0, MAX_TERM_CHARS) : word);
    }
  }
}

/** The terms of `text` (normalised here), duplicates included. */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  forEachTerm(normalize(text), (term) => terms.push(term));
  return terms;
}

/** One term of a query: matched exactly, or as the beginning of longer terms. */
export interface QueryTerm {
  readonly term: string;
  readonly prefix: boolean;
}

/** What a query looks for: its terms (all must match) and the strings to highlight. */
export interface ParsedQuery {
  readonly terms: readonly QueryTerm[];
  /** Normalised words and CJK runs of the query, longest first, for snippets. */
  readonly highlights: readonly string[];
}

/**
 * A query's terms: every word (the last one by prefix, as the user is still typing it), and
 * for a CJK run its bigrams, or the single character by prefix. Punctuation and operators
 * (`*`, `"`, …) are not terms: a query of only those has none, and finds nothing.
 */
export function parseQuery(query: string): ParsedQuery {
  const text = normalize(query.slice(0, MAX_QUERY_CHARS));
  const found = new Map<string, boolean>();
  const highlights = new Set<string>();
  const words: string[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const cjk = match[1];
    if (cjk !== undefined) {
      highlights.add(cjk);
      const chars = Array.from(cjk);
      if (chars.length === 1) found.set(cjk, true);
      for (let i = 0; i + 1 < chars.length; i++)
        found.set(`${chars[i] ?? ''}${chars[i + 1] ?? ''}`, false);
    } else {
      const word = (match[2] ?? '').slice(0, MAX_TERM_CHARS);
      highlights.add(word);
      words.push(word);
      if (!found.has(word)) found.set(word, false);
    }
  }
  const last = words.at(-1);
  if (last !== undefined && !/\s$/.test(text)) found.set(last, true);
  const terms = [...found].map(([term, prefix]) => ({ term, prefix })).slice(0, MAX_QUERY_TERMS);
  return { terms, highlights: [...highlights].sort((a, b) => b.length - a.length) };
}
