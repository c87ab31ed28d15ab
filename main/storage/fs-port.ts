import fs from 'node:fs';
import path from 'node:path';
import { writeFileSync } from 'atomically';

/** Mode of every store file the port creates: readable and writable by the user only. */
const FILE_MODE = 0o600;

/**
 * The writes of the conversation store, and nothing else, so tests can make them fail the way
 * disks do (ENOSPC, EACCES, EIO) without mocking the file system: the real implementation is
 * {@link nodeFsPort}; a test wraps it and throws before delegating. Reads go to `node:fs`
 * directly. Every method is synchronous and throws the `NodeJS.ErrnoException` it got.
 */
export interface FsPort {
  /**
   * Appends `data` in one write: opens `filePath` for appending (created 0600 when missing) and
   * writes; once it returns the data is the kernel's (safe from a crash or kill of the app).
   * The `fdatasync` that makes it survive a power cut follows off the calling thread, within
   * milliseconds; a file it created has its directory synced at once, so its name survives too.
   */
  appendFile(filePath: string, data: string): void;
  /**
   * Replaces `filePath` whole with `atomically` (temporary file in the same directory, fsync,
   * chmod 0600, rename): the old content or the new, never half.
   */
  writeFileAtomic(filePath: string, data: string): void;
  /** Removes a file; a missing one is not an error. */
  unlink(filePath: string): void;
  /** Truncates a file to `length` bytes and syncs it. */
  truncate(filePath: string, length: number): void;
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or sync a directory; the file itself is synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The real file system. */
export const nodeFsPort: FsPort = {
  appendFile(filePath, data) {
    const fd = fs.openSync(filePath, 'a', FILE_MODE);
    let created: boolean;
    try {
      created = fs.fstatSync(fd).size === 0;
      fs.writeSync(fd, data);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    // In the kernel now: a kill of the app can no longer lose it. The flush to the disk (for a
    // power cut) runs on libuv's thread pool, so the main thread never waits for the disk.
    fs.fdatasync(fd, () => fs.close(fd, () => undefined));
    if (created) syncDir(path.dirname(filePath));
  },
  writeFileAtomic(filePath, data) {
    writeFileSync(filePath, data, { mode: FILE_MODE });
  },
  unlink(filePath) {
    fs.rmSync(filePath, { force: true });
  },
  truncate(filePath, length) {
    const fd = fs.openSync(filePath, 'r+');
    try {
      fs.ftruncateSync(fd, length);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** Why a write failed, as the user is told (`STORE_WRITE_FAILED`'s `reason`). */
export type WriteFailureReason = 'disk-full' | 'no-permission' | 'disk-error';

/** The reason of a failed write from its errno code (anything unknown is a disk error). */
export function writeFailureReason(error: unknown): WriteFailureReason {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return 'disk-full';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'no-permission';
  return 'disk-error';
}
