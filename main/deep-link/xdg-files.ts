/** File helpers of the Linux desktop registration: atomic writes, absent files. */
import { randomBytes } from 'node:crypto';
import type * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The part of `node:fs/promises` used here; injected so tests can fail any call. */
export type LinuxFs = Pick<
  typeof nodeFs,
  'lstat' | 'mkdir' | 'open' | 'readFile' | 'realpath' | 'rename' | 'stat' | 'unlink'
>;

/** `null` for a path that does not exist (or whose parent is not a folder); rethrows the rest. */
export function absentAsNull(error: unknown): null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return null;
  throw error;
}

/** Writes a sibling temporary file, flushes it, then renames it over `path`. */
export async function writeAtomically(
  fs: LinuxFs,
  path: string,
  text: string | Uint8Array,
  mode: number,
) {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
}
