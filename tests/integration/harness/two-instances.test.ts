/**
 * Two harnesses on one data dir (issue 12, "Two instances"): the second is refused with a clear
 * message and a non-zero exit before it opens any store; after the first is killed with SIGKILL,
 * a new one starts (its stale lock is taken over). The harness runs as `harness/server.ts` under
 * tsx (what `npm run harness` imports after its build check; the server needs no build to start).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

interface Started {
  readonly child: ChildProcess;
  /** Resolves with the ready URL, or rejects with the exit code and stderr. */
  readonly ready: Promise<string>;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

function startHarness(dataDir: string): Started {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'harness/server.ts', '--port', '0', '--data-dir', dataDir],
    {
      cwd: root,
      env: { ...process.env, LATCHKEY_LOCALE: 'en' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /harness ready (\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(({ code }) => reject(new Error(`harness exited with ${code}:\n${stderr}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exited };
}

it('refuses a second harness on the same data dir, and starts again after kill -9', async () => {
  const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'latchkey-two-'));
  const first = startHarness(dataDir);
  const url = await first.ready;

  const second = startHarness(dataDir);
  const { code, stderr } = await second.exited;
  expect(code).not.toBe(0);
  expect(stderr).toContain(
    `Another Latchkey is using ${dataDir} (pid ${first.child.pid}). Close it, or pass a different --data-dir.`,
  );
  // The first one is untouched and still answers (a route that needs no build: this runs before
  // `npm run build` in npm test, so a fresh clone has no out/ yet).
  expect((await fetch(new URL('/__harness/opened-urls', url))).status).toBe(200);

  first.child.kill('SIGKILL');
  await first.exited;
  const third = startHarness(dataDir);
  await third.ready;
  const lock = JSON.parse(fs.readFileSync(path.join(dataDir, 'latchkey.lock'), 'utf8')) as {
    pid: number;
  };
  expect(lock.pid).toBe(third.child.pid);
  third.child.kill('SIGTERM');
  expect((await third.exited).code).toBe(0);
  expect(fs.existsSync(path.join(dataDir, 'latchkey.lock'))).toBe(false);
}, 30_000);
