import { mulberry32 } from '../../../fixtures/seeded-random';
/**
 * A seeded generator of markdown documents shaped like chat answers, biased toward the constructs
 * that later text can extend or reinterpret: lists, fences (closed, unterminated, nested, indented),
 * setext headings, tables, quotes, lazy continuations, link definitions, raw HTML.
 */

/** mulberry32: small, fast, deterministic. */
export const rng = mulberry32;

export class Gen {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = rng(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  times(min: number, max: number, make: () => string): string[] {
    return Array.from({ length: this.int(min, max) }, make);
  }
}

const WORDS = [
  'the',
  'answer',
  'streams',
  'token',
  'by',
  'token',
  'render',
  'cache',
  'block',
  'value',
  'x',
  'foo_bar',
  'snake_case',
  '2*3',
  'a|b',
  'C#',
  '中文',
  '字符',
  '漢字テキスト',
  '한국어',
  '😀',
  '👍🏽',
  '🇯🇵',
  'naïve',
  'ok.',
  'end!',
  '&amp;',
  '&copy;',
  'a&b',
  '<tag>',
  '\\*',
];

function inline(g: Gen): string {
  switch (g.int(0, 19)) {
    case 0:
      return `**${g.pick(WORDS)} ${g.pick(WORDS)}**`;
    case 1:
      return `*${g.pick(WORDS)}*`;
    case 2:
      return `_${g.pick(WORDS)}_`;
    case 3:
      return `\`${g.pick(['code', 'a < b', 'x`y', '**not bold**'])}\``;
    case 4:
      return `[${g.pick(WORDS)}](${g.pick(['https://example.com/a', 'http://x.y/z?q=1&r=2', 'mailto:a@b.c', 'javascript:alert(1)', '/relative', '//evil.com', 'https://e.com/(paren)'])})`;
    case 5:
      return g.pick([
        '<https://auto.link/x>',
        'www.example.com',
        'https://bare.example/path',
        'me@example.com',
      ]);
    case 6:
      return `~~${g.pick(WORDS)}~~`;
    case 7:
      return `[${g.pick(['ref', 'Ref', 'other', 'missing'])}]${g.pick(['', '[]', '[ref]'])}`;
    case 8:
      return `![${g.pick(['alt', '', '图'])}](https://img.example/${g.pick(['a.png', 'b c.png'])})`;
    case 9:
      return g.pick([
        '<img src=x onerror=alert(1)>',
        '<b>bold</b>',
        '<!-- c -->',
        '<span style="x">s</span>',
      ]);
    case 10:
      return `**unclosed ${g.pick(WORDS)}`;
    case 11:
      return g.pick(['  ', '\\', '\t']);
    default:
      return g.pick(WORDS);
  }
}

function line(g: Gen, min = 1, max = 8): string {
  return g.times(min, max, () => inline(g)).join(' ');
}

function paragraph(g: Gen): string {
  const lines = g.times(1, 3, () => line(g));
  return lines.join('\n');
}

function atxHeading(g: Gen): string {
  return `${'#'.repeat(g.int(1, 6))} ${line(g, 1, 4)}${g.chance(0.2) ? ' ##' : ''}`;
}

function setextHeading(g: Gen): string {
  return `${line(g, 1, 4)}\n${g.pick(['===', '---', '=', '-----  '])}`;
}

function fence(g: Gen, indent = '', close = true): string {
  const char = g.chance(0.8) ? '`' : '~';
  const marker = char.repeat(g.int(3, 5));
  const lang = g.pick([
    '',
    'js',
    'ts',
    'python',
    'bash',
    'json',
    'unknown-lang',
    'c++',
    'js title="x"',
  ]);
  const body = g.times(0, 6, () =>
    g.pick([
      'const a = 1;',
      '',
      '    indented',
      '  two',
      `${char.repeat(3)}inner`,
      `${char.repeat(2)}`,
      '<script>alert(1)</script>',
      '# not a heading',
      '- not a list',
      'a & b < c',
      '\u00a0nbsp',
    ]),
  );
  const closing = g.chance(0.15) ? `${marker}${char}` : marker;
  const lines = [`${marker}${lang}`, ...body];
  if (close) lines.push(`${g.pick(['', ' ', '  '])}${closing}${g.chance(0.1) ? '  ' : ''}`);
  return lines.map((l) => indent + l).join('\n');
}

function list(g: Gen, depth = 0): string {
  const ordered = g.chance(0.4);
  const bullet = g.pick(['-', '*', '+']);
  const delim = g.pick(['.', ')']);
  const start = g.pick([1, 1, 1, 3, 10]);
  const loose = g.chance(0.3);
  const items: string[] = [];
  const count = g.int(1, 4);
  for (let i = 0; i < count; i++) {
    const marker = ordered ? `${start + i}${delim}` : bullet;
    const pad = ' '.repeat(marker.length + 1);
    let item = `${marker} ${g.chance(0.15) ? g.pick(['[ ] ', '[x] ']) : ''}${line(g, 1, 5)}`;
    const extra = g.int(0, 5);
    if (extra === 1) item += `\n${pad}${line(g, 1, 4)}`;
    if (extra === 2) item += `\n${line(g, 1, 3)}`; // lazy continuation
    if (extra === 3) item += `\n\n${pad}${line(g, 1, 4)}`;
    if (extra === 4 && depth < 2)
      item += `\n${pad}${list(g, depth + 1)
        .split('\n')
        .join(`\n${pad}`)}`;
    if (extra === 5) item += `\n${fence(g, pad, g.chance(0.8))}`;
    items.push(item);
  }
  return items.join(loose ? '\n\n' : '\n');
}

function table(g: Gen): string {
  const cols = g.int(1, 4);
  const row = (n: number) => `| ${g.times(n, n, () => line(g, 1, 2)).join(' | ')} |`;
  const delim = `|${g.times(cols, cols, () => g.pick(['---', ':--', '--:', ':-:'])).join('|')}|`;
  const rows = g.times(0, 3, () => row(g.chance(0.2) ? cols + 1 : cols));
  return [row(cols), delim, ...rows].join('\n');
}

function blockquote(g: Gen): string {
  const lines = g.times(1, 3, () => `${g.pick(['> ', '>', '> > '])}${line(g, 1, 5)}`);
  if (g.chance(0.3)) lines.push(line(g, 1, 3)); // lazy
  if (g.chance(0.2)) lines.push('> - quoted item');
  if (g.chance(0.15)) lines.push('> ```', '> quoted code', '> ```');
  return lines.join('\n');
}

function block(g: Gen, definitions: boolean): string {
  const kind = g.int(0, 15);
  switch (kind === 12 && !definitions ? 0 : kind) {
    case 0:
    case 1:
    case 2:
      return paragraph(g);
    case 3:
      return atxHeading(g);
    case 4:
      return setextHeading(g);
    case 5:
    case 6:
      return list(g);
    case 7:
    case 8:
      return fence(g, g.chance(0.1) ? ' '.repeat(g.int(1, 3)) : '');
    case 9:
      return table(g);
    case 10:
      return blockquote(g);
    case 11:
      return g.pick(['---', '***', '___', '- - -']);
    case 12:
      return `[${g.pick(['ref', 'other', 'REF'])}]: ${g.pick(['https://ref.example', '/local', 'javascript:x'])}${g.chance(0.3) ? ' "title"' : ''}`;
    case 13:
      return `    ${line(g, 1, 4)}\n    ${line(g, 1, 4)}`;
    case 14:
      return g.pick([
        '<div>',
        '<script>alert(1)</script>',
        '<!--\n\ncomment\n-->',
        '<iframe src="https://x">',
      ]);
    default:
      return line(g, 1, 6);
  }
}

/**
 * A document of `blocks` blocks joined by 0–2 blank lines, sometimes ending in an open fence. Without
 * `definitions` it has no link reference definitions, so sectioning cannot change how it reads.
 */
export function generateDocument(seed: number, blocks: number, definitions = true): string {
  const g = new Gen(seed);
  let doc = '';
  for (let i = 0; i < blocks; i++) {
    const sep = i === 0 ? '' : g.pick(['\n', '\n\n', '\n\n', '\n\n', '\n  \n', '\n\n\n']);
    doc += sep + block(g, definitions);
  }
  if (g.chance(0.15)) doc += `\n\n${fence(g, '', false)}`;
  if (g.chance(0.5)) doc += '\n';
  if (g.chance(0.05)) doc = doc.replace(/\n/g, '\r\n');
  return doc;
}

/** Random chunk boundaries, 1 to `max` characters apart (code units; may split surrogate pairs). */
export function randomChunks(text: string, seed: number, max: number): string[] {
  const g = new Gen(seed);
  const chunks: string[] = [];
  for (let i = 0; i < text.length;) {
    const n = g.int(1, max);
    chunks.push(text.slice(i, i + n));
    i += n;
  }
  return chunks;
}
