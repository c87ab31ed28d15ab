/**
 * 10,000 conversations on disk (performance.md), end to end through the harness in Chromium,
 * against 100 in the same run: the conversation list painted after the page loads (navigation
 * start → the frame after the first row is in the DOM; p95 ≤ 300 ms), the page's DOM nodes
 * (bounded: 10k/100 ≤ 1.2), the renderer heap after a GC (≤ 60 MiB), main's resident memory at
 * load and 11 s later, past where a search warm-up used to run (growth ≤ 50 MiB), and the
 * conversation files main reads to open the store and list it (in-process, counted: 0).
 */
import fs from 'node:fs';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ConversationStore } from '../main/chat/conversation-store';
import { generateConversations } from '../scripts/generate-conversations';
import { startOpenRouterEmulator } from '../tests/fixtures/openrouter-emulator';
import { heapMiB, launchChromium, rssOf, signedInDataDir, startHarness } from './harness-session';
import { summarize, type Row } from './stats';

const SIZES = [100, 10_000] as const;
const LOADS = 5;
const WARM_UP_WAIT_MS = 11_000;

/** Resolves `window.__listPainted` with the time of the frame after the first row appeared. */
const WATCH_FIRST_ROW = `(() => {
  window.__listPainted = new Promise((resolve) => {
    const found = () => document.querySelector('a[href^="#conversation-"]');
    const done = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
    const observer = new MutationObserver(() => {
      if (found()) { observer.disconnect(); done(); }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
})();`;

function one(metric: string, value: number, budget: string, ok: boolean): Row {
  return { metric, runs: 1, median: value, p95: value, budget, ok };
}

/** Conversation files read (opened or read whole) while the store opens and lists. */
function filesReadAtOpen(dataDir: string): number {
  const dir = path.join(dataDir, 'conversations');
  let reads = 0;
  const count = (file: unknown) => {
    if (typeof file === 'string' && file.startsWith(dir) && !file.endsWith('index.json')) reads++;
  };
  const readFileSync = fs.readFileSync;
  const openSync = fs.openSync;
  type Any = (...args: unknown[]) => unknown;
  fs.readFileSync = ((...args: unknown[]) => {
    count(args[0]);
    return (readFileSync as Any)(...args);
  }) as typeof fs.readFileSync;
  fs.openSync = ((...args: unknown[]) => {
    count(args[0]);
    return (openSync as Any)(...args);
  }) as typeof fs.openSync;
  try {
    ConversationStore.open({ dir: dataDir }).store.list();
  } finally {
    fs.readFileSync = readFileSync;
    fs.openSync = openSync;
  }
  return reads;
}

interface SizeResult {
  readonly painted: number[];
  readonly nodes: number;
  readonly heap: number;
  readonly rssAtLoad: number;
  readonly rssLater: number;
  readonly reads: number;
}

/** The time the list was painted in the page loaded last (fails after 60 s). */
function painted(page: Page): Promise<number> {
  return page.evaluate(() =>
    Promise.race([
      (window as unknown as { __listPainted: Promise<number> }).__listPainted,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('the conversation list was not painted')), 60_000),
      ),
    ]),
  );
}

/** Waits until `chat:list` was answered at least `calls` times and a second passed without one. */
async function listComplete(page: Page, calls: number): Promise<void> {
  const answered = () =>
    page.evaluate(
      () =>
        performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name.includes('chat%3Alist')).length,
    );
  const deadline = performance.now() + 60_000;
  let seen = -1;
  for (;;) {
    const now = await answered();
    if (now >= calls && now === seen) return;
    if (performance.now() > deadline) throw new Error('the conversation list did not complete');
    seen = now;
    await page.waitForTimeout(1000);
  }
}

async function measure(page: Page): Promise<number> {
  await page.reload();
  return painted(page);
}

export async function benchConversationsScale(): Promise<Row[]> {
  const emulator = await startOpenRouterEmulator();
  const browser = await launchChromium();
  const results = new Map<number, SizeResult>();
  try {
    for (const size of SIZES) {
      const dataDir = await signedInDataDir(browser, emulator.url);
      generateConversations({ dir: dataDir, count: size, seed: size });
      const reads = filesReadAtOpen(dataDir);
      const started = performance.now();
      const harness = await startHarness({
        dataDir,
        env: { LATCHKEY_OPENROUTER_URL: emulator.url },
      });
      const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
      try {
        const page = await context.newPage();
        await page.addInitScript(WATCH_FIRST_ROW);
        await page.goto(harness.url);
        await painted(page);
        // Main's memory before the 10 s mark at which a search warm-up used to load the index.
        const rssAtLoad = rssOf(dataDir);
        const paints: number[] = [];
        for (let run = 0; run < LOADS; run++) paints.push(await measure(page));
        // The whole list arrived: after the first page (when there is more than one), the page
        // asked for no more of it for a second.
        await listComplete(page, size > 100 ? 2 : 1);
        const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
        const heap = await heapMiB(page);
        console.error(`${size}: painted ${paints.join(', ')} ms, ${nodes} nodes`);
        await page.waitForTimeout(Math.max(0, WARM_UP_WAIT_MS - (performance.now() - started)));
        await page.waitForTimeout(1000);
        const rssLater = rssOf(dataDir);
        results.set(size, { painted: paints, nodes, heap, rssAtLoad, rssLater, reads });
      } finally {
        await context.close();
        await harness.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
    await emulator.close();
  }
  const small = results.get(100) as SizeResult;
  const large = results.get(10_000) as SizeResult;
  const paintSmall = summarize('10k conversations: list painted, 100 (ms)', small.painted, {});
  const paintLarge = summarize('10k conversations: list painted, 10k (ms)', large.painted, {
    p95: 300,
  });
  const nodeRatio = large.nodes / small.nodes;
  const growth = large.rssLater - large.rssAtLoad;
  return [
    paintSmall,
    paintLarge,
    one('10k conversations: paint 10k/100 (p95 ratio)', paintLarge.p95 / paintSmall.p95, '', true),
    one('10k conversations: DOM nodes, 10k', large.nodes, `100: ${small.nodes}`, true),
    one('10k conversations: DOM nodes 10k/100', nodeRatio, '≤ 1.2', nodeRatio <= 1.2),
    one('10k conversations: renderer heap, 10k (MiB)', large.heap, '≤ 60', large.heap <= 60),
    one('10k conversations: renderer heap 10k/100', large.heap / small.heap, '', true),
    one('10k conversations: main RSS at load, 10k (MiB)', large.rssAtLoad, '', true),
    one(
      '10k conversations: main RSS growth by 12 s, 10k (MiB)',
      growth,
      '≤ 50 (no warm-up)',
      growth <= 50,
    ),
    one('10k conversations: files read to list, 10k', large.reads, '= 0', large.reads === 0),
  ];
}
