/**
 * Streaming markdown budgets of performance.md, measured where they apply: in Chromium (system build,
 * as in playwright.config.ts) with the real DOMPurify, timers at 5 µs resolution (cross-origin
 * isolated page). happy-dom cannot stand in: DOMPurify does not work under it and it leaks every
 * parsed document (tests/unit/renderer/markdown/happy-dom.test.ts). Rows:
 * - one streamed update at 100k tokens vs 1k tokens, same content in the tail: p95 ratio ≤ 1.5
 * - one update (a frame's batch of tokens at 1,000 tok/s) at 100k tokens: p95 ≤ 4 ms
 * - finishing a 100k-token answer: ≤ 50 ms (no long task)
 * - for comparison, the naive approach: re-render the whole answer on every update
 * - one frame with a reasoning section streaming too (issue 11): a frame's batch appended to a
 *   100k-token reasoning and to the answer after it, both rendered incrementally: p95 ≤ 4 ms
 * - the open-block extremes: a line into a 50k-line open fence (extended, never re-lexed), and a
 *   token into a 200-item open list (lexed from its last item on: open-block.ts)
 * - a 400-item list and a 300-row table streamed token by token from empty: per-token cost in the
 *   last tenth vs the first tenth (780 and 300 tokens), ratio of medians ≤ 1.5, after one
 *   unmeasured growth of each (issue 12)
 * - the same in Node without a DOM (lexing and rendering only), which runs anywhere.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MarkdownStream, renderMarkdownWith } from '../renderer/lib/markdown/incremental';
import type * as MarkdownModule from '../renderer/lib/markdown';
import { summarize, type Row } from './stats';

const RUNS = 5;
const TOKENS_PER_FRAME = 16; // 1,000 tok/s at 60 fps

/** A chat answer of roughly `tokens` tokens (≈ 4 characters each): prose, lists, code, tables. */
export function answer(tokens: number, seed = 1): string {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const words = [
    'the',
    'stream',
    'renders',
    '**only**',
    'the',
    '`tail`',
    'of',
    'each',
    'answer',
    'and',
    'a',
    '[link](https://example.com)',
    'block',
    'closes',
    'once',
    '中文',
    '😀',
  ];
  const sentence = () =>
    Array.from({ length: 8 + Math.floor(next() * 12) }, () => pick(words)).join(' ') + '.';
  const paragraph = () => Array.from({ length: 2 + Math.floor(next() * 3) }, sentence).join(' ');
  const sections = [
    () => `## ${sentence()}\n\n${paragraph()}`,
    () => paragraph(),
    () =>
      Array.from(
        { length: 3 + Math.floor(next() * 5) },
        (_, i) => `${i + 1}. **${pick(words)}**: ${sentence()}`,
      ).join('\n'),
    () => Array.from({ length: 3 + Math.floor(next() * 5) }, () => `- ${sentence()}`).join('\n'),
    () =>
      `\`\`\`ts\n${Array.from({ length: 5 + Math.floor(next() * 25) }, (_, i) => `const value${i} = compute(${i}, "${pick(words)}");`).join('\n')}\n\`\`\``,
    () =>
      `| name | value |\n|---|---:|\n${Array.from({ length: 3 + Math.floor(next() * 6) }, () => `| ${pick(words)} | ${Math.floor(next() * 1000)} |`).join('\n')}`,
    () => `> ${sentence()}\n> ${sentence()}`,
  ];
  let text = '';
  while (text.length < tokens * 4) text += `${pick(sections)()}\n\n`;
  return text;
}

/** Splits text into model-like tokens of 1–7 characters. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let seed = 7;
  for (let i = 0; i < text.length;) {
    seed = (seed * 48271) % 2147483647;
    const n = 1 + (seed % 7);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

interface Workload {
  readonly small: string;
  readonly bigPrefix: string;
  readonly tail: readonly string[];
  /** An unterminated fence of 50k lines, and lines to stream into it. */
  readonly fence: string;
  readonly fenceLines: readonly string[];
  /** A 200-item list still open, and tokens to stream into its last item. */
  readonly list: string;
  readonly listTokens: readonly string[];
  /** A 400-item list and a 300-row table, each streamed token by token from empty. */
  readonly growList: readonly string[];
  readonly growTable: readonly string[];
  readonly runs: number;
  readonly perFrame: number;
}

interface Samples {
  token1k: number[];
  token100k: number[];
  ratio: number[];
  frame1k: number[];
  frame100k: number[];
  /** One frame appended to a 100k-token reasoning and to a 1k-token answer. */
  frameReasoning: number[];
  finish100k: number[];
  naive1k: number[];
  naive100k: number[];
  fence: number[];
  list: number[];
  /** Per token while the list (table) grows: the first and the last tenth of its tokens. */
  listStart: number[];
  listEnd: number[];
  listRatio: number[];
  tableStart: number[];
  tableEnd: number[];
  tableRatio: number[];
}

type Stream = { append(text: string): unknown; finish(): unknown };

/**
 * The measurement, self-contained so it can run in the page as well as in Node: `make` builds a
 * stream, `oneShot` renders a whole text.
 */
function measure(work: Workload, make: () => Stream, oneShot: (text: string) => unknown): Samples {
  const now = () => performance.now();
  const p95 = (xs: readonly number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? NaN;
  };
  const stream = (
    prefix: string,
    perUpdate: number,
    tail = work.tail,
    finish = false,
  ): number[] => {
    const s = make();
    for (let i = 0; i < prefix.length; i += 4096) s.append(prefix.slice(i, i + 4096));
    const times: number[] = [];
    for (let i = 0; i < tail.length; i += perUpdate) {
      const chunk = tail.slice(i, i + perUpdate).join('');
      const start = now();
      s.append(chunk);
      times.push(now() - start);
    }
    if (finish) {
      const start = now();
      s.finish();
      times.push(now() - start);
    }
    return times;
  };
  const out: Samples = {
    token1k: [],
    token100k: [],
    ratio: [],
    frame1k: [],
    frame100k: [],
    frameReasoning: [],
    finish100k: [],
    naive1k: [],
    naive100k: [],
    fence: [],
    list: [],
    listStart: [],
    listEnd: [],
    listRatio: [],
    tableStart: [],
    tableEnd: [],
    tableRatio: [],
  };
  const median = (xs: readonly number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? NaN;
  };
  /** Streams `tokens` from empty; per-token times of the first and the last tenth, and the ratio
   * of their medians. */
  const grow = (tokens: readonly string[], start: number[], end: number[], ratio: number[]) => {
    const s = make();
    const times: number[] = [];
    for (const token of tokens) {
      const begin = now();
      s.append(token);
      times.push(now() - begin);
    }
    const tenth = Math.floor(times.length / 10);
    const first = times.slice(0, tenth);
    const last = times.slice(-tenth);
    start.push(...first);
    end.push(...last);
    ratio.push(median(last) / median(first));
  };
  // Not measured: a cold first run measures its first tenth before the JIT has compiled the
  // open-block path, which made that run's ratio 0.4–0.9 and pulled the median down.
  grow(work.growList, [], [], []);
  grow(work.growTable, [], [], []);
  for (let run = 0; run < work.runs; run++) {
    const a = stream('', 1);
    const b = stream(work.bigPrefix, 1);
    out.token1k.push(...a);
    out.token100k.push(...b);
    out.ratio.push(p95(b) / p95(a));
    out.frame1k.push(...stream('', work.perFrame));
    out.frame100k.push(...stream(work.bigPrefix, work.perFrame));
    out.finish100k.push(stream(work.bigPrefix, 1, work.tail, true).at(-1) ?? NaN);
    // A message's two texts (chat-message.svelte.ts): each delta may carry reasoning and text.
    const reasoning = make();
    const text = make();
    for (let i = 0; i < work.bigPrefix.length; i += 4096) {
      reasoning.append(work.bigPrefix.slice(i, i + 4096));
    }
    text.append(work.small.slice(0, work.small.length >> 1));
    for (let i = 0; i < work.tail.length; i += work.perFrame) {
      const chunk = work.tail.slice(i, i + work.perFrame).join('');
      const start = now();
      reasoning.append(chunk);
      text.append(chunk);
      out.frameReasoning.push(now() - start);
    }
    out.fence.push(...stream(work.fence, 1, work.fenceLines));
    out.list.push(...stream(work.list, 1, work.listTokens));
    grow(work.growList, out.listStart, out.listEnd, out.listRatio);
    grow(work.growTable, out.tableStart, out.tableEnd, out.tableRatio);
  }
  const full = work.bigPrefix + work.small;
  for (let i = 0; i < 20; i++) {
    let start = now();
    oneShot(work.small.slice(0, work.small.length - i * 7));
    out.naive1k.push(now() - start);
    if (i < work.runs) {
      start = now();
      oneShot(full.slice(0, full.length - i * 7));
      out.naive100k.push(now() - start);
    }
  }
  return out;
}

function rows(where: string, samples: Samples): Row[] {
  return [
    summarize(`markdown (${where}): append 1 token @1k tokens, ms`, samples.token1k, {}),
    summarize(`markdown (${where}): append 1 token @100k tokens, ms`, samples.token100k, {
      p95: 4,
    }),
    summarize(`markdown (${where}): p95 ratio 100k/1k, per token`, samples.ratio, { median: 1.5 }),
    summarize(
      `markdown (${where}): append 1 frame (${TOKENS_PER_FRAME} tok) @1k, ms`,
      samples.frame1k,
      {},
    ),
    summarize(
      `markdown (${where}): append 1 frame (${TOKENS_PER_FRAME} tok) @100k, ms`,
      samples.frame100k,
      { p95: 4 },
    ),
    summarize(
      `markdown (${where}): append 1 frame to a 100k reasoning + its answer, ms`,
      samples.frameReasoning,
      { p95: 4 },
    ),
    summarize(`markdown (${where}): finish() @100k tokens, ms`, samples.finish100k, { p95: 50 }),
    summarize(`markdown (${where}): naive re-render per update @1k, ms`, samples.naive1k, {}),
    summarize(`markdown (${where}): naive re-render per update @100k, ms`, samples.naive100k, {}),
    summarize(`markdown (${where}): append 1 line to an open 50k-line fence, ms`, samples.fence, {
      p95: 4,
    }),
    summarize(`markdown (${where}): append 1 token to an open 200-item list, ms`, samples.list, {}),
    summarize(
      `markdown (${where}): 400-item list, 1 token, first tenth, ms`,
      samples.listStart,
      {},
    ),
    summarize(`markdown (${where}): 400-item list, 1 token, last tenth, ms`, samples.listEnd, {}),
    summarize(`markdown (${where}): 400-item list, median ratio last/first`, samples.listRatio, {
      median: 1.5,
    }),
    summarize(
      `markdown (${where}): 300-row table, 1 token, first tenth, ms`,
      samples.tableStart,
      {},
    ),
    summarize(`markdown (${where}): 300-row table, 1 token, last tenth, ms`, samples.tableEnd, {}),
    summarize(`markdown (${where}): 300-row table, median ratio last/first`, samples.tableRatio, {
      median: 1.5,
    }),
  ];
}

/** The markdown module as one script that sets `LatchkeyMarkdown`. */
async function bundle(): Promise<string> {
  const { build } = await import('vite');
  const root = join(import.meta.dirname, '..');
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      write: false,
      lib: {
        entry: join(root, 'renderer/lib/markdown/index.ts'),
        formats: ['iife'],
        name: 'LatchkeyMarkdown',
        fileName: 'markdown',
      },
    },
  });
  for (const output of Array.isArray(result) ? result : [result]) {
    if (!('output' in output)) continue;
    for (const chunk of output.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('vite produced no chunk');
}

/** Null when the Chromium build is not installed. Imported lazily: the tests reuse `answer`. */
async function inChromium(work: Workload): Promise<Samples | null> {
  const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import('../playwright.config');
  if (!existsSync(CHROMIUM_PATH)) return null;
  const { chromium } = await import('@playwright/test');
  const [code, browser] = await Promise.all([
    bundle(),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  try {
    const page = await browser.newPage();
    // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
    await page.route('https://bench.latchkey.test/', (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
        body: '<!doctype html><html><body></body></html>',
      }),
    );
    await page.goto('https://bench.latchkey.test/');
    await page.addScriptTag({ content: code });
    // tsx compiles with esbuild's keepNames, whose `__name` helper the page lacks.
    await page.addScriptTag({
      content: `globalThis.__name = (f) => f; globalThis.measure = ${measure.toString()};`,
    });
    return await page.evaluate((w) => {
      const g = globalThis as unknown as {
        LatchkeyMarkdown: typeof MarkdownModule;
        measure: typeof measure;
      };
      const md = g.LatchkeyMarkdown;
      return g.measure(w, () => new md.IncrementalMarkdown(), md.renderMarkdown);
    }, work);
  } finally {
    await browser.close();
  }
}

export async function benchMarkdown(): Promise<Row[]> {
  const small = answer(1_000, 3);
  const bigPrefix = answer(99_000, 11);
  const item = (i: number) =>
    `${i}. **Item ${i}**: one line about it, with \`code\` and a [link](https://e.com)\n`;
  const work: Workload = {
    small,
    bigPrefix,
    tail: tokenize(small),
    fence: `\`\`\`ts\n${Array.from({ length: 50_000 }, (_, i) => `const v${i} = f(${i});\n`).join('')}`,
    fenceLines: Array.from({ length: 200 }, (_, i) => `let more${i} = "<${i}>";\n`),
    list: Array.from({ length: 200 }, (_, i) => item(i + 1)).join(''),
    listTokens: tokenize(item(201).repeat(3)),
    growList: tokenize(Array.from({ length: 400 }, (_, i) => item(i + 1)).join('')),
    growTable: tokenize(
      `| # | name | value |\n|---|:---|---:|\n${Array.from({ length: 300 }, (_, i) => `| ${i} | **row ${i}** with \`code\` | ${i * 7} |\n`).join('')}`,
    ),
    runs: RUNS,
    perFrame: TOKENS_PER_FRAME,
  };
  const plain = (html: string) => html;
  const node = rows(
    'Node, no DOM',
    measure(
      work,
      () => new MarkdownStream(plain),
      (text) => renderMarkdownWith(text, plain),
    ),
  );
  const chromium = await inChromium(work);
  return chromium ? [...rows('Chromium', chromium), ...node] : node;
}
