import { basename } from 'node:path';
import { writeFile } from 'atomically';
import { LatchkeyError } from '../errors';

/**
 * Asks the user where to save a file and writes it there; resolves with the name chosen, or
 * null when the user cancelled (not an error). Only the Electron app has one (a native save
 * dialog); the browser harness has none and lets the page download the file instead.
 */
export type SaveFile = (
  suggestedName: string,
  content: string,
) => Promise<{ readonly filename: string } | null>;

export interface SaveFileOptions {
  /** Shows the save dialog for `suggestedName`; the chosen path, or null when cancelled. */
  readonly choosePath: (suggestedName: string) => Promise<string | null>;
  /** Writes the file; atomically by default (a temporary file renamed over the target). */
  readonly write?: (path: string, content: string) => Promise<void>;
}

/**
 * A {@link SaveFile} around an injected dialog. The write is atomic, so an existing file the user
 * chose to replace is either the old one or the whole new one, never half of each; a failed
 * write is `EXPORT_WRITE_FAILED` (the cause, with the path, stays in main).
 */
export function createSaveFile(options: SaveFileOptions): SaveFile {
  const write = options.write ?? ((path, content) => writeFile(path, content, 'utf8'));
  return async (suggestedName, content) => {
    const path = await options.choosePath(suggestedName);
    if (path === null) return null;
    try {
      await write(path, content);
    } catch (error) {
      throw new LatchkeyError('EXPORT_WRITE_FAILED', {}, { cause: error });
    }
    return { filename: basename(path) };
  };
}
