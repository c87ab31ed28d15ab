/**
 * Open lists and tables are lexed from their last item (row) on (open-block.ts). The property: after
 * every chunk, the streamed blocks are the one-shot render (marked's reading of the whole text so
 * far), for seeded documents made of long lists and tables with the constructs that reach back:
 * loose items, nested lists, code inside items, link definitions in items, rows of other widths,
 * tables and lists ended by other blocks.
 */
import { describe, expect, it } from 'vitest';
import { MarkdownStream, renderMarkdownWith } from '../../../../renderer/lib/markdown/incremental';
import { Gen, randomChunks } from './generate';
import { mark, wholeDocument } from './harness';

const WORDS = [
  'item',
  'value',
  '**bold**',
  '`code`',
  '[link](https://e.com)',
  '[ref]',
  '中文',
  '😀',
];
const identity = (html: string): string => html;

function words(g: Gen, min = 1, max = 5): string {
  return g.times(min, max, () => g.pick(WORDS)).join(' ');
}

function item(g: Gen, marker: string): string {
  const pad = ' '.repeat(marker.length + 1);
  let text = `${marker} ${g.chance(0.1) ? '[x] ' : ''}${words(g)}`;
  const extra = g.int(0, 12);
  if (extra === 1) text += `\n${pad}${words(g)}`;
  if (extra === 2) text += `\n${words(g)}`; // lazy continuation
  if (extra === 3) text += `\n\n${pad}${words(g)}`; // a second paragraph: loose
  if (extra === 4) text += `\n${pad}- ${words(g)}\n${pad}- ${words(g)}`; // nested
  if (extra === 5) text += `\n${pad}\`\`\`js\n${pad}let a = 1;\n${pad}\`\`\``;
  if (extra === 6) text += `\n${pad}[ref]: https://ref.example`; // a definition in an item
  if (extra === 7) text += `\n\n${pad}    indented code`;
  return text;
}

function list(g: Gen): string {
  const ordered = g.chance(0.4);
  const bullet = g.pick(['-', '*', '+']);
  const start = g.pick([1, 1, 3]);
  const loose = g.chance(0.15);
  const items = g.times(2, 9, () => '').map((_, i) => item(g, ordered ? `${start + i}.` : bullet));
  if (g.chance(0.2)) items.splice(g.int(1, items.length - 1), 0, ''); // one blank line: loose
  return items.join(loose ? '\n\n' : '\n');
}

function table(g: Gen): string {
  const cols = g.int(1, 4);
  const row = (n: number) => `| ${g.times(n, n, () => words(g, 1, 2)).join(' | ')} |`;
  const delim = `|${g.times(cols, cols, () => g.pick(['---', ':--', '--:', ':-:'])).join('|')}|`;
  const rows = g.times(1, 9, () => row(g.chance(0.2) ? g.int(1, cols + 1) : cols));
  return [row(cols), delim, ...rows].join('\n');
}

function document(seed: number): string {
  const g = new Gen(seed);
  const blocks = g.times(1, 3, () => {
    const kind = g.int(0, 9);
    if (kind < 4) return list(g);
    if (kind < 7) return table(g);
    if (kind === 7) return `${words(g)}\n${list(g)}`; // a list right after a paragraph
    if (kind === 8) return `${table(g)}\n# heading\n${words(g)}`; // ended without a blank line
    return `${list(g)}\n\`\`\`\ncode\n\`\`\``; // a fence ends the list
  });
  return blocks.join(g.pick(['\n\n', '\n'])) + g.pick(['', '\n', '\n\n- tail item']);
}

/** Streams `doc` in random chunks; the first mismatch with the one-shot render, if any. */
function firstMismatch(doc: string, seed: number, sanitize: (html: string) => string) {
  const stream = new MarkdownStream(sanitize);
  const render = (text: string) => {
    const reference = new MarkdownStream(sanitize);
    reference.append(text);
    reference.finish();
    return reference.blocks.map((block) => block.html);
  };
  for (const chunk of randomChunks(doc, seed, 12)) {
    stream.append(chunk);
    const got = stream.blocks.map((block) => block.html);
    const expected = render(stream.text);
    if (got.join('\0') !== expected.join('\0')) return { text: stream.text, got, expected };
  }
  stream.finish();
  const got = stream.blocks.map((block) => block.html);
  return got.join('\0') === render(doc).join('\0')
    ? null
    : { text: doc, got, expected: render(doc) };
}

describe('open lists and tables, streamed == one-shot', () => {
  it('after every chunk of 20 seeded list/table documents (marked block sanitizer)', () => {
    const failures = [];
    for (let seed = 1; seed <= 20; seed++) {
      const failure = firstMismatch(document(seed), seed, mark);
      if (failure) failures.push({ seed, ...failure });
    }
    expect(failures.slice(0, 1)).toEqual([]);
  });

  it('after every chunk of 30 more, sanitized item by item (table rows too)', () => {
    const failures = [];
    for (let seed = 1001; seed <= 1030; seed++) {
      const failure = firstMismatch(document(seed), seed, identity);
      if (failure) failures.push({ seed, ...failure });
    }
    expect(failures.slice(0, 1)).toEqual([]);
  });

  it('the final blocks are marked’s own reading of the whole text', () => {
    for (let seed = 2001; seed <= 2040; seed++) {
      const doc = document(seed).replaceAll('[ref]: https://ref.example', 'no definition');
      const stream = new MarkdownStream(identity);
      for (const chunk of randomChunks(doc, seed, 4)) stream.append(chunk);
      stream.finish();
      expect(stream.blocks.map((block) => block.html).join(''), doc).toBe(wholeDocument(doc));
    }
  });

  it('a list that turns loose, and one that gains a definition, re-render their finished items', () => {
    const stream = new MarkdownStream(identity);
    const text = '- a [ref]\n- b\n- c\n\n- d\n- e\n  [ref]: https://ref.example\n- f';
    for (const char of text) stream.append(char);
    expect(stream.blocks.map((block) => block.html).join('')).toBe(
      renderMarkdownWith(text, identity),
    );
    expect(stream.blocks[0]?.html).toContain('<li><p>a');
  });
});

describe('work per token stays bounded while a list or table grows', () => {
  /** The most characters lexed and items rendered (or compared) by one update in the second half. */
  const grow = (text: string) => {
    const stream = new MarkdownStream(identity);
    let lexed = 0;
    let items = 0;
    for (let i = 0; i < text.length; i += 3) {
      const before = { lexed: stream.lexedChars, items: stream.itemsRendered };
      stream.append(text.slice(i, i + 3));
      if (i <= text.length / 2) continue;
      lexed = Math.max(lexed, stream.lexedChars - before.lexed);
      items = Math.max(items, stream.itemsRendered - before.items);
    }
    stream.finish();
    expect(stream.blocks.map((block) => block.html).join('')).toBe(wholeDocument(text));
    return { lexed, items };
  };

  it('a 400-item list lexes and renders about one item per token, not the list', () => {
    const text = Array.from({ length: 400 }, (_, i) => `${i + 1}. **Item** ${i} \`x\`\n`).join('');
    const worst = grow(text);
    expect(worst.lexed).toBeLessThan(200);
    expect(worst.items).toBeLessThanOrEqual(2);
  });

  it('a loose 200-item list too', () => {
    const worst = grow(Array.from({ length: 200 }, (_, i) => `- item ${i}\n\n`).join(''));
    expect(worst.lexed).toBeLessThan(200);
    expect(worst.items).toBeLessThanOrEqual(2);
  });

  it('a 300-row table lexes its head and one row per token, and renders one row', () => {
    const rows = Array.from({ length: 300 }, (_, i) => `| ${i} | *r* | ${i * 7} |\n`).join('');
    const worst = grow(`| # | name | value |\n|---|:-:|--:|\n${rows}`);
    expect(worst.lexed).toBeLessThan(200);
    expect(worst.items).toBeLessThanOrEqual(2);
  });

  it('a list re-lexed whole (a new definition reaches back) renders every item again', () => {
    const items = Array.from({ length: 50 }, (_, i) => `- item [ref] ${i}\n`).join('');
    const stream = new MarkdownStream(identity);
    stream.append(items);
    stream.append('- last\n');
    const before = stream.itemsRendered;
    stream.append('- [ref]: https://ref.example\n');
    expect(stream.itemsRendered - before).toBeGreaterThanOrEqual(51);
    expect(stream.blocks[0]?.html).toContain('<a href="https://ref.example/"');
  });
});
