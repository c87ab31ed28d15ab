/**
 * A message's markdown is parsed in slices within a per-frame budget (frame-budget.ts): a backlog
 * (a fast stream, a long answer opened from history) is shown over several frames, never in one
 * long task, and ends exactly as the one-shot render. Frames and the clock are driven by the test;
 * the markdown module is the real pipeline with the stand-in sanitizer of the markdown tests (real
 * sanitizing needs Chromium: tests/unit/renderer/markdown/browser.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../../../preload/api';
import { MarkdownStream } from '../../../../renderer/lib/markdown/incremental';
import { codeBody, escapeText } from '../../../../renderer/lib/markdown/render';
import { markdown, MessageEntry } from '../../../../renderer/lib/state/chat-message.svelte';
import { CHUNK_BLOCKS } from '../../../../renderer/lib/state/rendered-text.svelte';
import { FRAME_BUDGET_MS } from '../../../../renderer/lib/state/frame-budget';
import { mark, oneShot } from '../markdown/harness';

const LOREM = `## Heading

Some **bold** text, a [link](https://example.com) and \`code\` — 日本語 🙂.

- one
- two

\`\`\`ts
const x = 1;
\`\`\`

`;

const lorem = (chars: number) => LOREM.repeat(Math.ceil(chars / LOREM.length)).slice(0, chars);

let frames: (() => void)[] = [];
let clock = 0;
let highlighted: string[] = [];

/** Runs the pending animation frame; returns false when none was requested. */
function frame(): boolean {
  const pending = frames;
  frames = [];
  for (const callback of pending) callback();
  return pending.length > 0;
}

/** Runs frames until nothing is requested; returns how many ran. */
function settle(limit = 10_000): number {
  let count = 0;
  while (frame()) if (++count > limit) throw new Error('frames never stop');
  return count;
}

/** Runs frames and lets highlights arrive until the view has caught up; returns the frames run. */
async function caughtUp(entry: MessageEntry): Promise<number> {
  let count = 0;
  for (let round = 0; round < 1_000; round++) {
    count += settle();
    await new Promise((done) => setTimeout(done, 0));
    if (!entry.rendering && frames.length === 0) return count;
  }
  throw new Error('never caught up');
}

beforeEach(() => {
  frames = [];
  highlighted = [];
  clock = 0;
  vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback));
  vi.stubGlobal('cancelAnimationFrame', () => {});
  // Every read of the clock takes 1 ms: a frame's budget allows a handful of slices.
  vi.spyOn(performance, 'now').mockImplementation(() => ++clock);
  markdown.module = {
    IncrementalMarkdown: class extends MarkdownStream {
      constructor(options = {}) {
        super(mark, options);
      }
    },
    highlightCode: (text: string) => {
      highlighted.push(text);
      return Promise.resolve(`<span class="hljs-x">${escapeText(codeBody(text))}</span>`);
    },
  } as unknown as typeof markdown.module;
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  markdown.module = null;
});

const answer = (content: string, status: ChatMessage['status'], revision: number): ChatMessage => ({
  id: 'a1',
  revision,
  role: 'assistant',
  content,
  createdAt: 0,
  status,
  model: null,
  usage: null,
  finishReason: null,
  error: null,
});

/** The message's blocks as the view gets them: its chunks, one after the other. */
const blocksOf = (entry: MessageEntry) => entry.chunks?.flat() ?? null;

const html = (entry: MessageEntry) =>
  (blocksOf(entry) ?? []).map((block) => block.html.replace(/<span class="hljs-x">|<\/span>/g, ''));

describe('a message parses its markdown within a frame budget', () => {
  it('shows a long answer from history over several frames, then exactly as the one-shot render', async () => {
    const text = lorem(60_000);
    const entry = new MessageEntry(answer(text, 'complete', 1));
    const first = blocksOf(entry)?.length ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(oneShot(text).length);
    expect(entry.rendering).toBe(true);
    // Copy always has the whole text, whatever the view has reached.
    expect(entry.content).toBe(text);
    const count = await caughtUp(entry);
    expect(count).toBeGreaterThan(10);
    expect(entry.rendering).toBe(false);
    expect(html(entry)).toEqual(oneShot(text));
  });

  it('keeps each frame to the budget: a slice at least, then only while time is left', async () => {
    const entry = new MessageEntry(answer(lorem(40_000), 'complete', 1));
    void entry.chunks;
    let before = blocksOf(entry)?.length ?? 0;
    while (frame()) {
      const start = clock;
      void entry.chunks;
      const after = blocksOf(entry)?.length ?? 0;
      expect(after).toBeGreaterThanOrEqual(before);
      before = after;
      // The clock moves 1 ms per read: a frame that ignored its deadline would read it far more.
      expect(clock - start).toBeLessThan(FRAME_BUDGET_MS * 4);
    }
    await caughtUp(entry);
    expect(html(entry)).toEqual(oneShot(lorem(40_000)));
  });

  it('shows small streamed pieces at once, with no frame of delay', () => {
    const entry = MessageEntry.placeholder('a1');
    entry.apply(answer('', 'streaming', 0));
    void entry.chunks;
    entry.applyPieces([{ seq: 1, text: 'Hello **world**' }]);
    expect(html(entry).join('')).toContain('<strong>world</strong>');
    expect(entry.rendering).toBe(false);
  });

  it('catches up with a fast stream and closes the answer only once it has caught up', async () => {
    const text = lorem(50_000);
    const entry = MessageEntry.placeholder('a1');
    entry.apply(answer('', 'streaming', 0));
    void entry.chunks;
    entry.applyPieces([{ seq: 1, text: text.slice(0, 25_000) }]);
    frame();
    entry.applyPieces([{ seq: 2, text: text.slice(25_000) }]);
    entry.apply(answer(text, 'complete', 3));
    expect(entry.streaming).toBe(false);
    expect(entry.rendering).toBe(true);
    await caughtUp(entry);
    expect(html(entry)).toEqual(oneShot(text));
  });

  it('highlights the same code once however often it closes, and puts it into every block', async () => {
    // Code no other test has highlighted (highlighted code is cached for the page).
    const text = lorem(20_000).replaceAll('const x = 1;', 'let once = true;');
    const entry = new MessageEntry(answer(text, 'complete', 1));
    void entry.chunks;
    await caughtUp(entry);
    expect(highlighted).toEqual(['let once = true;']);
    const code = (blocksOf(entry) ?? []).filter((block) => block.code !== null);
    expect(code.length).toBeGreaterThan(40);
    for (const block of code) expect(block.html).toContain('<span class="hljs-x">');
  });

  it('goes on highlighting after being released and shown again while a highlight was on its way', async () => {
    const text = lorem(8_000).replaceAll('const x = 1;', 'let again = 2;');
    const entry = new MessageEntry(answer(text, 'complete', 1));
    void entry.chunks;
    while (highlighted.length === 0 && frame()) void entry.chunks;
    expect(highlighted).toEqual(['let again = 2;']);
    // The highlight has not arrived yet: the parse it belongs to is dropped and made again.
    entry.release();
    void entry.chunks;
    await caughtUp(entry);
    const code = (blocksOf(entry) ?? []).filter((block) => block.code !== null);
    for (const block of code) expect(block.html).toContain('<span class="hljs-x">');
  });

  it('forgets a backlog when the message is released, and parses afresh when shown again', async () => {
    const text = lorem(40_000);
    const entry = new MessageEntry(answer(text, 'complete', 1));
    void entry.chunks;
    entry.release();
    settle();
    expect(entry.rendering).toBe(false);
    void entry.chunks;
    await caughtUp(entry);
    expect(html(entry)).toEqual(oneShot(text));
  });
});

describe('a message hands its blocks to the view in chunks', () => {
  it('keeps every chunk of finished blocks while the tail streams, and a highlight changes only its own', async () => {
    // Code no other test has highlighted: its highlight arrives only when the test awaits.
    const text = LOREM.repeat(300).replaceAll('const x = 1;', 'let chunked = 3;');
    const entry = MessageEntry.placeholder('a1');
    entry.apply(answer('', 'streaming', 0));
    let before = entry.chunks ?? [];
    let kept = 0;
    let seq = 0;
    for (let at = 0; at < text.length; at += 64) {
      entry.applyPieces([{ seq: ++seq, text: text.slice(at, at + 64) }]);
      settle();
      const now = entry.chunks ?? [];
      // Only the last two chunks hold blocks a piece can change (the tail, and one it closed).
      for (let index = 0; index < before.length - 2; index++) {
        expect(now[index]).toBe(before[index]);
        kept++;
      }
      for (const chunk of now.slice(0, -1)) expect(chunk).toHaveLength(CHUNK_BLOCKS);
      before = now;
    }
    expect(before.length).toBeGreaterThan(20);
    expect(kept).toBeGreaterThan(1_000);

    entry.apply(answer(text, 'complete', seq + 1));
    settle();
    const plain = entry.chunks ?? [];
    await caughtUp(entry);
    const shown = entry.chunks ?? [];
    expect(highlighted).toEqual(['let chunked = 3;']);
    for (let index = 0; index < plain.length; index++) {
      const chunk = plain[index] as (typeof plain)[number];
      if (chunk.some((block) => block.code !== null)) expect(shown[index]).not.toBe(chunk);
      else expect(shown[index]).toBe(chunk);
    }
    expect(html(entry)).toEqual(oneShot(text));
  });
});
