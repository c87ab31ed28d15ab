import type { SearchSnippet } from '../../preload/api';
import { normalize } from './tokenize';

/** Characters of context shown before the first match. */
const BEFORE = 40;
/** Length of a snippet, in UTF-16 code units (about two lines of the results list). */
const LENGTH = 180;

/** Of a long message (up to 1 M characters), only this much is scanned for the snippet. */
const SCAN_CHARS = 100_000;

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

/**
 * A plain-text excerpt of `text` around the first match of a highlight (a query's normalised
 * words and CJK runs, longest first), with the ranges to mark: words where a word begins, CJK
 * runs anywhere. Matching happens on the normalised text; when normalising changed the text's
 * length (rare: ligatures, some case mappings) the excerpt is taken from the normalised text,
 * so the ranges always fit the text they come with.
 */
export function snippetOf(text: string, highlights: readonly string[]): SearchSnippet {
  // A match further into a very long message still finds it; the snippet shows its start.
  const flat = text.slice(0, SCAN_CHARS).replace(/\s+/g, ' ');
  const normal = normalize(flat);
  const shown = normal.length === flat.length ? flat : normal;
  const ranges: [number, number][] = [];
  for (const needle of highlights) {
    if (needle.length === 0) continue;
    const word =
      WORD_CHAR.test(needle[0] ?? '') &&
      !/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(needle);
    for (let at = normal.indexOf(needle); at >= 0; at = normal.indexOf(needle, at + 1)) {
      if (word && at > 0 && WORD_CHAR.test(normal[at - 1] ?? '')) continue;
      let end = at + needle.length;
      // A word found by its beginning (the query's last word) is marked whole.
      while (word && end < normal.length && WORD_CHAR.test(normal[end] ?? '')) end++;
      ranges.push([at, end]);
      if (ranges.length > 200) break;
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, first - BEFORE);
  let end = Math.min(shown.length, start + LENGTH);
  start = Math.max(0, Math.min(start, end - LENGTH));
  // Never cut a surrogate pair in half.
  if (start > 0 && isLowSurrogate(shown.charCodeAt(start))) start--;
  if (end < shown.length && isLowSurrogate(shown.charCodeAt(end))) end++;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < shown.length ? '…' : '';
  const merged: [number, number][] = [];
  for (const [from, to] of ranges) {
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    if (a >= b) continue;
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const offset = prefix.length - start;
  return {
    text: `${prefix}${shown.slice(start, end)}${suffix}`,
    ranges: merged.map(([a, b]) => [a + offset, b + offset] as const),
  };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
