/**
 * Shared by the harness benchmarks that need a signed-in app with data on disk: a data directory
 * signed in to the OpenRouter emulator through the real UI (then the harness is stopped, so the
 * caller can write conversations into it), main's resident memory by process id, and the
 * renderer's heap after a garbage collection (CDP).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config';
import { consentInBrowser } from '../tests/e2e/support/consent';
import { tempDataDir } from '../tests/e2e/support/harness';

const root = resolve(import.meta.dirname, '..');

export interface BenchHarness {
  readonly url: string;
  openedUrls(): Promise<string[]>;
  deliverDeepLink(link: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `harness/server.ts` as `npm run harness` does, minus its stale-build check (bench/index
 * builds once first; other work in the checkout must not start a rebuild mid-measurement).
 */
export async function startHarness(options: {
  dataDir: string;
  env: Record<string, string>;
}): Promise<BenchHarness> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'harness/server.ts', '--port', '0', '--data-dir', options.dataDir],
    {
      cwd: root,
      env: { ...process.env, LATCHKEY_LOCALE: 'en', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`harness did not start:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /harness ready (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`harness exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    openedUrls: async () =>
      (await (await fetch(new URL('/__harness/opened-urls', url))).json()) as string[],
    async deliverDeepLink(link) {
      await fetch(new URL('/__harness/deep-link', url), { method: 'POST', body: link });
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A fresh data directory with a stored OpenRouter sign-in (the harness is stopped again). */
export async function signedInDataDir(browser: Browser, emulatorUrl: string): Promise<string> {
  const dataDir = tempDataDir();
  const harness = await startHarness({ dataDir, env: { LATCHKEY_OPENROUTER_URL: emulatorUrl } });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(harness.url);
    const before = (await harness.openedUrls()).length;
    await page.getByRole('button', { name: 'Sign in with OpenRouter' }).click();
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      url = (await harness.openedUrls())[before];
      if (!url) await new Promise((done) => setTimeout(done, 50));
    }
    if (!url) throw new Error('the app did not ask to open the sign-in page');
    await harness.deliverDeepLink(await consentInBrowser(context, url));
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
  } finally {
    await context.close();
    await harness.stop();
  }
  return dataDir;
}

/** Ids of the processes whose command line names `dataDir` (the harness). */
export function pidsOf(dataDir: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) pids.push(Number(pid));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Resident memory (MiB) of the harness started on `dataDir`. */
export function rssOf(dataDir: string): number {
  let kib = 0;
  for (const pid of pidsOf(dataDir)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return kib / 1024;
}

/** The page's used JS heap (MiB) after a full garbage collection. */
export async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}
