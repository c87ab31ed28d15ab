import fs from 'node:fs';
import path from 'node:path';
import { moveAside, type CorruptReport } from '../../credentials/credential-store';
import { LatchkeyError } from '../../errors';
import { writeFailureReason, type FsPort } from '../../storage/fs-port';
import type { ConversationFile } from './conversation-file-schema';
import {
  applyRecord,
  encodeRecord,
  nextIds,
  parseRecord,
  readConversation,
  type LogRecord,
} from './conversation-log';

/** A log is folded into its snapshot once it is larger than this and than the snapshot. */
const COMPACT_MIN_BYTES = 1024 * 1024;

/** A conversation in memory, with what is on disk for it. */
export interface Cached {
  readonly file: ConversationFile;
  /** The ids of its messages (so a change need not look through them all). */
  readonly ids: ReadonlySet<string>;
  /** Bytes of `<uuid>.json`. */
  readonly snapshotBytes: number;
  /**
   * Bytes of complete lines in `<uuid>.log`; 0: no log of this snapshot yet (a new one is
   * started, after removing whatever is there, with its `base` record); `Infinity`: a
   * compaction is due before the next change.
   */
  readonly logBytes: number;
}

/** What {@link ConversationFiles.read} found. */
export type FilesRead =
  | { readonly kind: 'ok'; readonly cached: Cached }
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly cause: unknown }
  | { readonly kind: 'unreadable'; readonly cause: unknown };

/** `STORE_WRITE_FAILED` with the reason the user is told (disk full, no permission, disk error). */
export function writeFailed(cause: unknown): LatchkeyError {
  return new LatchkeyError('STORE_WRITE_FAILED', { reason: writeFailureReason(cause) }, { cause });
}

/**
 * The files of each conversation in one directory, `<uuid>.json` (snapshot) and `<uuid>.log`
 * (changes since; see conversation-log.ts): read, change, compact, delete, move aside. Every
 * write goes through the {@link FsPort}; a write that fails throws `STORE_WRITE_FAILED` (with
 * its reason) and leaves the conversation as it was, on disk and in what is returned.
 */
export class ConversationFiles {
  readonly #dir: string;
  readonly #fs: FsPort;
  /** Conversations whose log may end in part of a line that failed: compacted before a change. */
  readonly #torn = new Set<string>();

  constructor(dir: string, port: FsPort) {
    this.#dir = dir;
    this.#fs = port;
  }

  /** Only ever called with an id that matched the UUID pattern. */
  snapshotPath(id: string): string {
    return path.join(this.#dir, `${id}.json`);
  }

  logPath(id: string): string {
    return path.join(this.#dir, `${id}.log`);
  }

  /**
   * Reads the snapshot and replays the log. A half-written last line is cut off the log (so the
   * next change does not follow it); when that fails, or the log is over its size, the next
   * change compacts first.
   */
  read(id: string): FilesRead {
    const read = readConversation(this.snapshotPath(id), this.logPath(id), id);
    if (read.kind !== 'ok') return read;
    let logBytes = read.log === null || read.log === 'stale' ? 0 : read.log.bytes;
    if (read.log !== null && read.log !== 'stale' && read.log.torn) {
      try {
        this.#fs.truncate(this.logPath(id), logBytes);
      } catch {
        logBytes = Infinity;
      }
    }
    if (logBytes > Math.max(COMPACT_MIN_BYTES, read.snapshotBytes)) logBytes = Infinity;
    const ids = new Set(read.file.messages.map((m) => m.id));
    const cached = { file: read.file, ids, snapshotBytes: read.snapshotBytes, logBytes };
    return { kind: 'ok', cached };
  }

  /** Writes a new conversation's snapshot. @throws LatchkeyError `STORE_WRITE_FAILED`. */
  create(file: ConversationFile): Cached {
    const text = JSON.stringify(file);
    try {
      this.#fs.writeFileAtomic(this.snapshotPath(file.id), text);
    } catch (error) {
      throw writeFailed(error);
    }
    const ids = new Set(file.messages.map((m) => m.id));
    return { file, ids, snapshotBytes: Buffer.byteLength(text), logBytes: 0 };
  }

  /**
   * Validates `record`, appends it to the log in one write (a compaction first when one is
   * due), and returns the conversation with it applied exactly as a replay applies it. A log
   * grown past both 1 MiB and its snapshot is compacted afterwards (a failure there is not the
   * change's: the change is on disk, and the next one compacts first).
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  change(current: Cached, record: LogRecord): Cached {
    let parsed;
    try {
      parsed = parseRecord(record);
    } catch (error) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
    }
    const { id } = current.file;
    const due = current.logBytes === Infinity || this.#torn.has(id);
    const base = due ? this.compact(current) : current;
    let line = encodeRecord(parsed);
    try {
      if (base.logBytes === 0) {
        // A new log: nothing of an older one (left by a compaction that died) may precede it.
        this.#fs.unlink(this.logPath(id));
        line = encodeRecord({ op: 'base', generation: base.file.generation }) + line;
      }
      this.#fs.appendFile(this.logPath(id), line);
    } catch (error) {
      this.#undoAppend(id, base.logBytes);
      throw writeFailed(error);
    }
    // The cache owns its message arrays (the store hands out copies): changed in place.
    const file = applyRecord(base.file, parsed, base.ids);
    const next: Cached = {
      ...base,
      file,
      ids: nextIds(base.ids, parsed, file),
      logBytes: base.logBytes + Buffer.byteLength(line),
    };
    if (next.logBytes <= Math.max(COMPACT_MIN_BYTES, next.snapshotBytes)) return next;
    try {
      return this.compact(next);
    } catch {
      return { ...next, logBytes: Infinity };
    }
  }

  /**
   * A failed append may have left part of its line (a full disk takes what fits): it is cut
   * off, so the next line does not follow it; when even that fails, the next change compacts
   * first (a new snapshot, and the log removed).
   */
  #undoAppend(id: string, logBytes: number): void {
    try {
      if (logBytes === 0) this.#fs.unlink(this.logPath(id));
      else this.#fs.truncate(this.logPath(id), logBytes);
    } catch {
      this.#torn.add(id);
    }
  }

  /**
   * Folds the log into the snapshot: the snapshot with the next generation is written atomically
   * (from that rename on, the old log no longer applies), then the log is removed.
   * @throws LatchkeyError `STORE_WRITE_FAILED` when the snapshot cannot be written.
   */
  compact(current: Cached): Cached {
    const file = { ...current.file, generation: current.file.generation + 1 };
    const text = JSON.stringify(file);
    try {
      this.#fs.writeFileAtomic(this.snapshotPath(file.id), text);
    } catch (error) {
      throw writeFailed(error);
    }
    this.#torn.delete(file.id);
    try {
      this.#fs.unlink(this.logPath(file.id));
    } catch {
      // Stale now (it names the older generation); the next change removes it first.
    }
    return { ...current, file, snapshotBytes: Buffer.byteLength(text), logBytes: 0 };
  }

  /**
   * Removes the snapshot, then the log: a crash between leaves a log without a snapshot, which
   * is never read and is deleted at the next open.
   * @throws LatchkeyError `STORE_WRITE_FAILED` when the snapshot cannot be removed.
   */
  delete(id: string): void {
    try {
      this.#fs.unlink(this.snapshotPath(id));
    } catch (error) {
      throw writeFailed(error);
    }
    this.unlinkQuietly(`${id}.log`);
  }

  /** Removes a file of the directory, if it can; harmless where it is otherwise. */
  unlinkQuietly(name: string): void {
    try {
      this.#fs.unlink(path.join(this.#dir, name));
    } catch {
      // The next open tries again.
    }
  }

  /**
   * Whether the log was written at or after `time` (ms since the epoch): then the index, written
   * before, may not know its changes. A missing log is not.
   */
  logWrittenSince(id: string, time: number): boolean {
    try {
      return fs.statSync(this.logPath(id)).mtimeMs >= time;
    } catch {
      return false;
    }
  }

  /**
   * Moves the snapshot aside (what is reported: `<uuid>.corrupt-<timestamp>.json`) and its log
   * with it, bytes untouched.
   * @throws LatchkeyError `STORE_CORRUPT` when the snapshot cannot be moved.
   */
  moveAside(id: string, now: number): CorruptReport {
    let report: CorruptReport;
    try {
      report = { movedTo: moveAside(this.snapshotPath(id), now) };
    } catch (error) {
      throw new LatchkeyError('STORE_CORRUPT', {}, { cause: error });
    }
    try {
      if (fs.existsSync(this.logPath(id))) moveAside(this.logPath(id), now);
    } catch {
      // A log without its snapshot is never read, and is deleted at the next open.
    }
    return report;
  }
}
