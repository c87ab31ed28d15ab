import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../../scripts/build-state.mjs';

/** A running `npm run harness` (the real command, started the way a person would). */
export interface Harness {
  readonly url: string;
  readonly dataDir: string;
  /** Everything the harness printed so far (stdout + stderr), for canary searches. */
  output(): string;
  deliverDeepLink(url: string): Promise<number>;
  openedUrls(): Promise<string[]>;
  /** Waits until the app has asked the OS to open a new URL and returns it. */
  nextOpenedUrl(after?: number): Promise<string>;
  stop(): Promise<void>;
  /** Ends the process with SIGKILL, as a crash or a power cut would: nothing runs on the way out. */
  kill(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
}

/** Starts the harness and resolves on its `harness ready <url>` line. */
export async function startHarness(options: {
  dataDir?: string;
  env?: Record<string, string>;
  /** More harness options, e.g. `['--deep-links', 'xdg-utils-missing']`. */
  args?: readonly string[];
}): Promise<Harness> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child: ChildProcess = spawn(
    process.execPath,
    ['scripts/harness.mjs', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    {
      cwd: root,
      env: { ...process.env, LATCHKEY_LOCALE: 'en', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`harness did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /harness ready (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`harness exited with ${code}:\n${output}`));
    });
  });

  const openedUrls = async () =>
    (await (await fetch(new URL('/__harness/opened-urls', url))).json()) as string[];
  return {
    url,
    dataDir,
    output: () => output,
    async deliverDeepLink(link) {
      const response = await fetch(new URL('/__harness/deep-link', url), {
        method: 'POST',
        body: link,
      });
      return response.status;
    },
    openedUrls,
    async nextOpenedUrl(after = 0) {
      for (let i = 0; i < 200; i++) {
        const urls = await openedUrls();
        if (urls.length > after) return urls[urls.length - 1]!;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the app did not ask to open a URL');
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
    kill() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
