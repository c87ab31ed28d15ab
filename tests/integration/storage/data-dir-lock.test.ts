/**
 * The data-dir lock (main/storage/data-dir-lock.ts) on the real file system, with real processes
 * as owners: a live one is refused, a dead, reused or unreadable one is taken over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  DataDirLockedError,
  LOCK_FILE,
} from '../../../main/storage/data-dir-lock';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(tmpdir(), 'latchkey-lock-'));
}

/** A process that just stays alive, and its /proc start time (null off Linux). */
async function liveProcess(): Promise<{ child: ChildProcess; startTicks: string | null }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
  });
  children.push(child);
  await once(child, 'spawn');
  let startTicks: string | null;
  try {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    startTicks = null;
  }
  return { child, startTicks };
}

function writeLock(dir: string, owner: object | string) {
  const body = typeof owner === 'string' ? owner : JSON.stringify(owner);
  fs.writeFileSync(path.join(dir, LOCK_FILE), body);
}

function lockOwnerPid(dir: string): number {
  return (JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid;
}

describe('acquireDataDirLock', () => {
  it('creates the folder and the lock, and release removes it', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const lock = acquireDataDirLock(dir);
    expect(lock.held).toBe(true);
    expect(lockOwnerPid(dir)).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);
    lock.release();
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses while the owner runs, naming the folder and pid; takes over once it is gone', async () => {
    const dir = tempDir();
    const { child, startTicks } = await liveProcess();
    const owner = { pid: child.pid, hostname: hostname(), startTicks, acquiredAt: 1 };
    writeLock(dir, owner);

    let refused: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toBe(
      `Another Latchkey is using ${dir} (pid ${child.pid}). Close it, or pass a different --data-dir.`,
    );
    expect(lockOwnerPid(dir)).toBe(child.pid);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const lock = acquireDataDirLock(dir);
    expect(lockOwnerPid(dir)).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (start time differs)', async (ctx) => {
    const { child, startTicks } = await liveProcess();
    if (startTicks === null) {
      ctx.skip(true, 'no /proc start times on this platform: a reused pid cannot be told apart');
    }
    const dir = tempDir();
    writeLock(dir, { pid: child.pid, hostname: hostname(), startTicks: '1', acquiredAt: 1 });
    const lock = acquireDataDirLock(dir);
    expect(lockOwnerPid(dir)).toBe(process.pid);
    lock.release();
  });

  it('takes over an empty or garbage lock file', () => {
    for (const body of ['', '{"pid":', 'null', '{"pid":-4}']) {
      const dir = tempDir();
      writeLock(dir, body);
      const lock = acquireDataDirLock(dir);
      expect(lockOwnerPid(dir)).toBe(process.pid);
      lock.release();
    }
  });

  it('counts a lock from another host as held (a shared folder cannot be checked)', () => {
    const dir = tempDir();
    writeLock(dir, { pid: 999_999_999, hostname: 'elsewhere', startTicks: null, acquiredAt: 1 });
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
  });

  it('a release does not remove a lock another process has taken since', () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir);
    writeLock(dir, { pid: 999_999_999, hostname: 'elsewhere', startTicks: null, acquiredAt: 2 });
    lock.release();
    expect(lockOwnerPid(dir)).toBe(999_999_999);
  });

  it('starts unlocked in a folder that cannot be written (the stores report why)', (ctx) => {
    if (process.getuid?.() === 0)
      ctx.skip(true, 'running as root: file modes do not refuse writes');
    const dir = tempDir();
    fs.chmodSync(dir, 0o500);
    try {
      const lock = acquireDataDirLock(dir);
      expect(lock.held).toBe(false);
      lock.release();
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });
});

it('removes temp files left by a starter killed mid-acquire, not those of live ones', async () => {
  const dir = tempDir();
  const { child } = await liveProcess();
  const dead = path.join(dir, `${LOCK_FILE}.999999999.tmp`);
  const live = path.join(dir, `${LOCK_FILE}.${child.pid}.tmp`);
  fs.writeFileSync(dead, '{}');
  fs.writeFileSync(live, '{}');
  const lock = acquireDataDirLock(dir);
  expect(fs.existsSync(dead)).toBe(false);
  expect(fs.existsSync(live)).toBe(true);
  lock.release();
});
