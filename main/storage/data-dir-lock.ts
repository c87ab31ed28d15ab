import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One process per data directory. Electron's single-instance lock is keyed on `userData` and
 * covers only Electron; the browser harness, a dev and a packaged build pointed at one folder, or
 * two users' sessions on a shared folder would otherwise both write the same stores, and each
 * one's atomic rewrites would silently drop the other's changes.
 *
 * Hand-written rather than `proper-lockfile`: that keeps the lock alive with an mtime refresh
 * timer (scheduled work while idle, performance.md) and decides staleness by age; here the owner
 * is named by pid (and, on Linux, the process start time, so a reused pid is not mistaken for
 * the owner) and a lock whose owner is gone is taken over at once — after kill -9, the next start
 * works.
 */

/** The lock's file name inside the data directory. */
export const LOCK_FILE = 'latchkey.lock';

/** Who holds a data directory, as written in its lock file. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Linux: field 22 of `/proc/<pid>/stat` (clock ticks after boot); null elsewhere. */
  readonly startTicks: string | null;
  readonly acquiredAt: number;
}

/** A held lock. `release` removes the file if it is still ours; calling it twice is harmless. */
export interface DataDirLock {
  readonly file: string;
  /**
   * False when the folder cannot be written (read-only, full, no permission): nothing can be
   * stored there either, so there is nothing to protect, and the app starts and says why its
   * writes fail rather than refusing to start.
   */
  readonly held: boolean;
  release(): void;
}

/** Errors that mean "this folder cannot be written to", not "someone holds it". */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EIO']);

/** Another live process holds the data directory. */
export class DataDirLockedError extends Error {
  readonly owner: LockOwner;
  readonly dir: string;
  constructor(dir: string, owner: LockOwner) {
    super(
      `Another Latchkey is using ${dir} (pid ${owner.pid}). Close it, or pass a different --data-dir.`,
    );
    this.name = 'DataDirLockedError';
    this.dir = dir;
    this.owner = owner;
  }
}

/** `tryCreate`'s temp files: `<LOCK_FILE>.<pid>.tmp`. */
const TEMP_PATTERN = /^latchkey\.lock\.(\d+)\.tmp$/;

/** How often a takeover is retried when another starter races us for the same stale lock. */
const ATTEMPTS = 5;

/**
 * Takes the lock of `dir` (created 0700 when missing) before any store in it is opened.
 * @throws DataDirLockedError when a live process holds it; file-system errors as they are.
 */
export function acquireDataDirLock(dir: string): DataDirLock {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  const file = path.join(dir, LOCK_FILE);
  const me = currentOwner();
  const body = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    let created: boolean;
    try {
      created = tryCreate(file, body);
    } catch (error) {
      if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      return { file, held: false, release: () => undefined };
    }
    if (created) {
      removeDeadTemps(dir);
      return held(file, me);
    }
    const raw = readOrNull(file);
    if (raw === null) continue; // released between our attempt and the read: try again
    const owner = parseOwner(raw);
    if (owner && owner.pid !== me.pid && isAlive(owner)) throw new DataDirLockedError(dir, owner);
    // Stale (its process is gone), unreadable, or a leftover of this very pid: take it over,
    // unless someone else did so since we read it.
    if (readOrNull(file) !== raw) continue;
    try {
      fs.unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const owner = parseOwner(readOrNull(file) ?? '');
  throw new DataDirLockedError(dir, owner ?? { ...me, pid: -1 });
}

/**
 * Creates the lock file with its whole content in one step: written to a private temp file,
 * then hard-linked into place (link fails if the name exists), so a reader never sees a lock
 * without its owner.
 */
function tryCreate(file: string, body: string): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, body, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Temp files of starters killed between writing and linking them (`tryCreate`). */
function removeDeadTemps(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(TEMP_PATTERN.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        fs.rmSync(path.join(dir, name), { force: true });
      }
    }
  }
}

function held(file: string, me: LockOwner): DataDirLock {
  let released = false;
  return {
    file,
    held: true,
    release() {
      if (released) return;
      released = true;
      const owner = parseOwner(readOrNull(file) ?? '');
      if (owner?.pid === me.pid && owner.acquiredAt === me.acquiredAt) {
        fs.rmSync(file, { force: true });
      }
    },
  };
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner> | null;
    const pid = value?.pid;
    if (!value || typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return null;
    return {
      pid,
      hostname: typeof value.hostname === 'string' ? value.hostname : '',
      startTicks: typeof value.startTicks === 'string' ? value.startTicks : null,
      acquiredAt: typeof value.acquiredAt === 'number' ? value.acquiredAt : 0,
    };
  } catch {
    return null;
  }
}

function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    startTicks: startTicks(process.pid),
    acquiredAt: Date.now(),
  };
}

/** Fields 3… of /proc/<pid>/stat (after the parenthesised name, which may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. */
function startTicks(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/**
 * Whether the lock's owner still runs. A lock written on another host (a shared folder) cannot be
 * checked and counts as held. `kill(pid, 0)` failing with EPERM means the pid exists under
 * another user. On Linux a pid whose start time differs is a reused pid, and a zombie has exited:
 * either way the owner is gone.
 */
function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTicks === null) return true;
  const fields = statFields(owner.pid);
  if (!fields) return true;
  // A killed process not yet reaped by its parent (state Z) holds nothing.
  return fields[0] !== 'Z' && fields[19] === owner.startTicks;
}
