/**
 * Idle (performance.md): with a long conversation open in the harness page, 10 s of idle shows
 * no scheduled work. Renderer: setTimeout, setInterval and requestAnimationFrame are wrapped
 * before the page loads, and their callbacks counted during the window (budget 0), with the
 * CSS animations still running at its end. Main (the harness process): its timer callbacks are
 * counted by bench/idle-probe.mjs over the same window (budget 0), and its active resources
 * listed: timers legitimately armed for later (token refresh, HTTP keep-alive) are reported,
 * not hidden.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { generateConversations } from '../scripts/generate-conversations';
import { startOpenRouterEmulator } from '../tests/fixtures/openrouter-emulator';
import { launchChromium, pidsOf, signedInDataDir, startHarness } from './harness-session';
import type { Row } from './stats';

const IDLE_MS = 10_000;
const SETTLE_MS = 2_000;
const PROBE = resolve(import.meta.dirname, 'idle-probe.mjs');

/** Counts the page's timer and frame callbacks while `__idle.counting` is set. */
const COUNT_CALLBACKS = `(() => {
  const idle = (window.__idle = { counting: false, setTimeout: 0, setInterval: 0, requestAnimationFrame: 0, sources: [] });
  for (const name of ['setTimeout', 'setInterval', 'requestAnimationFrame']) {
    const original = window[name].bind(window);
    window[name] = (callback, ...rest) => {
      if (typeof callback !== 'function') return original(callback, ...rest);
      const origin = idle.sources.length < 20 ? new Error().stack : '';
      return original((...args) => {
        if (idle.counting) {
          idle[name]++;
          if (origin && idle.sources.length < 20) idle.sources.push(name + ' ' + origin.split('\\n').slice(2, 4).join(' '));
        }
        return callback(...args);
      }, ...rest);
    };
  }
})();`;

interface Probe {
  readonly fired: { setTimeout: number; setInterval: number };
  /** Of `fired`, those Node scheduled itself (undici closing an idle keep-alive connection). */
  readonly runtime: { setTimeout: number; setInterval: number };
  readonly sources: string[];
  readonly resources: string[];
}

function probe(dataDir: string, file: string): Probe {
  rmSync(file, { force: true });
  for (const pid of pidsOf(dataDir)) process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Probe;
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  throw new Error('the harness did not answer the idle probe');
}

function row(metric: string, value: number, budget: string, ok: boolean): Row {
  return { metric, runs: 1, median: value, p95: value, budget, ok };
}

interface PageCounts {
  setTimeout: number;
  setInterval: number;
  requestAnimationFrame: number;
  sources: string[];
  animations: number;
}

async function pageCounts(page: Page): Promise<PageCounts> {
  return page.evaluate(() => {
    const idle = (window as unknown as { __idle: Omit<PageCounts, 'animations'> }).__idle;
    const animations = document
      .getAnimations()
      .filter((animation) => animation.playState === 'running').length;
    return { ...idle, animations };
  });
}

export async function benchIdle(): Promise<Row[]> {
  const emulator = await startOpenRouterEmulator();
  const browser = await launchChromium();
  const dataDir = await signedInDataDir(browser, emulator.url);
  const probeFile = join(dataDir, 'idle-probe.json');
  // A few conversations from months ago, and a long one (about 200 messages), the newest.
  generateConversations({ dir: dataDir, count: 20, seed: 7, now: Date.now() - 100 * 86_400_000 });
  generateConversations({ dir: dataDir, count: 1, seed: 8, messages: 200 });
  const harness = await startHarness({
    dataDir,
    env: {
      LATCHKEY_OPENROUTER_URL: emulator.url,
      LATCHKEY_IDLE_PROBE: probeFile,
      NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${PROBE}`.trim(),
    },
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(COUNT_CALLBACKS);
    await page.goto(harness.url);
    await page.locator('a[href^="#conversation-"]').first().click();
    await page.locator('[data-message-id], article').first().waitFor();
    await page.waitForTimeout(SETTLE_MS);
    const before = probe(dataDir, probeFile);
    await page.evaluate(() => {
      (window as unknown as { __idle: { counting: boolean } }).__idle.counting = true;
    });
    await page.waitForTimeout(IDLE_MS);
    const counts = await pageCounts(page);
    const after = probe(dataDir, probeFile);
    const renderer = counts.setTimeout + counts.setInterval + counts.requestAnimationFrame;
    const delta = (of: (probe: Probe) => { setTimeout: number; setInterval: number }) =>
      of(after).setTimeout - of(before).setTimeout + of(after).setInterval - of(before).setInterval;
    const fired = delta((probe) => probe.fired);
    const runtime = delta((probe) => probe.runtime);
    const main = fired - runtime;
    const timers = after.resources.filter((name) => name === 'Timeout').length;
    if (counts.sources.length > 0) console.log('renderer callbacks while idle:', counts.sources);
    console.log('main active resources while idle:', after.resources.join(', '));
    if (fired > 0)
      console.log('main timer callbacks (where scheduled):', after.sources.slice(-fired));
    return [
      row('idle 10 s: renderer timer + frame callbacks', renderer, '= 0', renderer === 0),
      row(
        'idle 10 s: renderer running animations',
        counts.animations,
        '= 0',
        counts.animations === 0,
      ),
      row('idle 10 s: main timer callbacks (app)', main, '= 0', main === 0),
      row('idle 10 s: main timer callbacks (Node keep-alive, reported)', runtime, 'one-shot', true),
      row('idle 10 s: main timers armed (reported)', timers, 'listed above', true),
    ];
  } finally {
    await context.close();
    await harness.stop();
    await browser.close();
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
