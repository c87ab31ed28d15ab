import fs from 'node:fs';
import path from 'node:path';
import type { DamagedStore, Notice, RaisedNotice } from '../preload/api';
import type { CorruptReport } from './credentials/credential-store';

/** Options of {@link NoticeBoard}. */
export interface NoticeBoardOptions {
  /** Sends a notice to the page, if one is connected (it may be lost: the board keeps it). */
  readonly emit: (notice: RaisedNotice) => void;
  /** Unique per process run, so ids of an earlier run never match (default: the clock). */
  readonly runId?: string;
}

/** Two notices that say the same thing (a failed write raised again, say) are one notice. */
function sameNotice(a: Notice, b: Notice): boolean {
  return (
    a.code === b.code &&
    a.store === b.store &&
    a.title === b.title &&
    a.file === b.file &&
    a.path === b.path
  );
}

/**
 * The notices of this run of main that the user has not dismissed. A notice is often raised
 * before any page is connected (a damaged file found at startup), so sending it is not enough:
 * the board keeps it, every page that connects gets the list (`AppInfo.notices`, and again with
 * the replayed states), and only the user's dismissal (`app:dismiss-notice`) removes it, so a
 * reload does not bring it back.
 */
export class NoticeBoard {
  readonly #emit: (notice: RaisedNotice) => void;
  readonly #runId: string;
  readonly #pending = new Map<string, RaisedNotice>();
  #next = 1;

  constructor(options: NoticeBoardOptions) {
    this.#emit = options.emit;
    this.#runId = options.runId ?? Date.now().toString(36);
  }

  /**
   * Keeps the notice and sends it. A notice equal to one still pending is not raised twice.
   * @returns the notice as kept, with its id.
   */
  raise(notice: Notice): RaisedNotice {
    for (const pending of this.#pending.values()) {
      if (sameNotice(pending, notice)) return pending;
    }
    const raised: RaisedNotice = { ...notice, id: `${this.#runId}-${this.#next}` };
    this.#next += 1;
    this.#pending.set(raised.id, raised);
    this.#emit(raised);
    return raised;
  }

  /** Every notice not dismissed yet, oldest first. */
  list(): RaisedNotice[] {
    return [...this.#pending.values()];
  }

  /** Sends every pending notice again, for a page that has just connected. */
  replay(): void {
    for (const notice of this.#pending.values()) this.#emit(notice);
  }

  /** Forgets the notice; an unknown id (already dismissed, an earlier run) is ignored. */
  dismiss(id: string): void {
    this.#pending.delete(id);
  }
}

/** `<name>.corrupt-<timestamp>[-n].<ext>` (see `moveAside`) → `<name>.<ext>`. */
export function originalFileName(movedTo: string): string {
  return path.basename(movedTo).replace(/\.corrupt-[0-9TZ-]+(?=\.[^.]*$|$)/, '');
}

/** How many bytes at each end of a damaged conversation file are searched for its title. */
const TITLE_SCAN_BYTES = 64 * 1024;
/** Titles are at most 60 characters; a longer match is not a title the app wrote. */
const TITLE_MAX_CHARS = 200;
/**
 * A `"title": "…"` member. Inside a JSON string every quote is escaped, so message text cannot
 * match, whatever it says.
 */
const TITLE_MEMBER = /"title"\s*:\s*("(?:[^"\\\n]|\\.){0,1000}")/g;

/** The first and the last {@link TITLE_SCAN_BYTES} of a file (all of a small one). */
function ends(filePath: string): string {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (from: number, length: number) => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, fs.readSync(fd, buffer, 0, length, from)).toString('utf8');
    };
    if (size <= 2 * TITLE_SCAN_BYTES) return read(0, size);
    return `${read(0, TITLE_SCAN_BYTES)}\n${read(size - TITLE_SCAN_BYTES, TITLE_SCAN_BYTES)}`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The last title a damaged conversation file (or its change log) still holds: the app writes
 * `title` near the start of a conversation file, and a renamed title as a later record of the
 * log. Read-only and best effort: null when there is none or the file cannot be read.
 */
export function salvageTitle(filePath: string): string | null {
  let text: string;
  try {
    text = ends(filePath);
  } catch {
    return null;
  }
  let found: string | null = null;
  for (const match of text.matchAll(TITLE_MEMBER)) {
    try {
      const title = (JSON.parse(match[1] ?? '') as string).trim();
      if (title !== '' && title.length <= TITLE_MAX_CHARS) found = title;
    } catch {
      // Cut in the middle of an escape: not a title.
    }
  }
  return found;
}

/**
 * A damaged conversation's title: from the report (the store's index knew it), else from the
 * file moved aside, else from its change log moved aside with it (`<id>.corrupt-<time>.log`).
 */
function conversationTitle(report: CorruptReport): string | null {
  if (report.title !== undefined && report.title.trim() !== '') return report.title.trim();
  const fromFile = salvageTitle(report.movedTo);
  if (fromFile !== null) return fromFile;
  const dir = path.dirname(report.movedTo);
  const stem = path.parse(originalFileName(report.movedTo)).name;
  let logs: string[];
  try {
    logs = fs
      .readdirSync(dir)
      .filter((name) => name.startsWith(`${stem}.corrupt-`) && name.endsWith('.log'))
      .sort();
  } catch {
    return null;
  }
  const newest = logs.at(-1);
  return newest === undefined ? null : salvageTitle(path.join(dir, newest));
}

/**
 * Which store a report of the conversation store is about: its index (`index.json`) or one
 * conversation file (`<uuid>.json`).
 */
export function conversationStoreOf(report: CorruptReport): DamagedStore {
  return originalFileName(report.movedTo) === 'index.json' ? 'conversation-index' : 'conversation';
}

/**
 * The notice for a damaged file of `store` that was moved aside: it names the store, the file
 * and where it went; for a conversation, its title when one can still be read.
 */
export function damagedFileNotice(store: DamagedStore, report: CorruptReport): Notice {
  const title = store === 'conversation' ? (conversationTitle(report) ?? undefined) : undefined;
  return {
    code: 'STORE_CORRUPT_MOVED',
    store,
    file: originalFileName(report.movedTo),
    path: report.movedTo,
    ...(title !== undefined && { title }),
  };
}
