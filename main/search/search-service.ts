import fs from 'node:fs';
import path from 'node:path';
import { writeFile } from 'atomically';
import type { ChatMessage, SearchResult } from '../../preload/api';
import type { ConversationChange } from '../chat/conversation-store';
import { moveAside, STORE_FILE_MODE, type CorruptReport } from '../credentials/credential-store';
import type { Logger } from '../log';
import {
  DamagedIndexError,
  InvertedIndex,
  OutdatedIndexError,
  type IndexedConversation,
} from './inverted-index';
import { snippetOf } from './snippet';
import { parseQuery } from './tokenize';
import { readStoredConversation } from '../chat/store/conversation-log';

/** The index file, beside `conversations/` in the data directory. */
export const SEARCH_INDEX_FILE = 'search-index.bin';
/** Conversations read for snippets, kept parsed between the keystrokes of one search. */
const TEXT_CACHE_SIZE = 64;
/** Work between two yields to the event loop while loading, rebuilding or saving. */
const SLICE_MS = 8;

/** What the service needs from the conversation store. */
export interface SearchSource {
  /** Every conversation as the store lists it now. */
  list(): readonly { readonly id: string; readonly title: string; readonly updatedAt: number }[];
}

export interface SearchServiceOptions {
  /** The data directory: the index is `<dir>/search-index.bin`, conversations `<dir>/conversations/`. */
  readonly dir: string;
  readonly source: SearchSource;
  readonly log: Logger;
  readonly now?: () => number;
  /** Quiet time after a change before the index is written (default 5 s). */
  readonly saveDelayMs?: number;
  /** A damaged index file was moved aside (and the index is being rebuilt). */
  readonly onProblem?: (problem: CorruptReport) => void;
}

interface StoredText {
  readonly title: string;
  readonly updatedAt: number;
  readonly messages: readonly { id: string; text: string }[];
}

/** A message as the index sees it; null while it streams (it is indexed when it ends). */
function indexedMessage(message: ChatMessage): IndexedConversation['messages'][number] | null {
  if (message.status === 'streaming') return null;
  const reasoning = message.reasoning ?? '';
  return {
    id: message.id,
    fingerprint: `${message.revision}:${message.content.length}:${reasoning.length}`,
    text: reasoning === '' ? message.content : `${message.content}\n${reasoning}`,
  };
}

/** The change with all its messages to look at (`touched` dropped). */
function whole(change: ConversationChange): ConversationChange {
  if (change.kind !== 'saved' || !change.touched) return change;
  const { touched: _touched, ...rest } = change;
  return rest;
}

function indexedConversation(
  id: string,
  title: string,
  updatedAt: number,
  messages: readonly ChatMessage[],
): IndexedConversation {
  const indexed: IndexedConversation['messages'][number][] = [];
  for (const message of messages) {
    const item = indexedMessage(message);
    if (item) indexed.push(item);
  }
  return { id, title, updatedAt, messages: indexed };
}

/**
 * Reads a conversation file for the index: only what it needs, checked by hand (the store
 * validates the whole file when it opens it; here a file it would refuse is simply skipped).
 */
function readConversation(dir: string, id: string): ChatConversationFile | null {
  // The snapshot with its log applied (main/chat/store/conversation-log.ts): recent messages
  // are in the log until it is compacted.
  const json: unknown = readStoredConversation(path.join(dir, 'conversations'), id);
  if (typeof json !== 'object' || json === null) return null;
  const file = json as Partial<ChatConversationFile>;
  if (typeof file.title !== 'string' || typeof file.updatedAt !== 'number') return null;
  if (!Array.isArray(file.messages)) return null;
  const messages = file.messages.filter(
    (m): m is ChatMessage =>
      typeof m === 'object' &&
      m !== null &&
      typeof m.id === 'string' &&
      typeof m.content === 'string' &&
      typeof m.revision === 'number' &&
      (m.reasoning === undefined || typeof m.reasoning === 'string'),
  );
  return { title: file.title, updatedAt: file.updatedAt, messages };
}

interface ChatConversationFile {
  readonly title: string;
  readonly updatedAt: number;
  readonly messages: readonly ChatMessage[];
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs stepped work, yielding to the event loop every {@link SLICE_MS}. */
async function inSlices<T>(steps: Generator<void, T>): Promise<T> {
  let slice = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - slice > SLICE_MS) {
      await yieldToEventLoop();
      slice = performance.now();
    }
  }
}

/**
 * Search over all history, in main: an {@link InvertedIndex} of every conversation's title and
 * messages (content and reasoning), kept in `<dataDir>/search-index.bin`.
 *
 * - Lazy: nothing is read at startup, and nothing is loaded on a timer (at 10,000
 *   conversations the index takes seconds and hundreds of MiB): the page asks for it when
 *   the search opens (an empty query). The first search loads the file (in slices, yielding to
 *   the event loop, so main keeps answering), then reconciles it with the store's list: a
 *   conversation changed since the file was written (its `updatedAt` or title differs) is read
 *   and indexed again, one deleted is dropped. A crash between a change and the next write
 *   therefore loses nothing.
 * - Incremental: the store reports every change that reached the disk ({@link changed}); a
 *   message is indexed when it ends (never while it streams), a rename re-indexes the title,
 *   a deletion drops the conversation. Before the first search these are not applied (the
 *   reconciliation covers them).
 * - Persisted off the hot path: written whole a few seconds after the last change, encoded in
 *   slices, atomically (`atomically`: temporary file, fsync, rename).
 * - A missing file is rebuilt from the conversation files; a damaged one (bad checksum, wrong
 *   format) is moved aside as `search-index.corrupt-<time>.bin`, never deleted, and rebuilt.
 */
export class SearchService {
  readonly #o: SearchServiceOptions;
  readonly #file: string;
  #index: InvertedIndex | null = null;
  #loading: Promise<InvertedIndex> | null = null;
  /** Changes that arrived while loading, applied once it is done. */
  readonly #pending = new Map<string, ConversationChange>();
  readonly #texts = new Map<string, StoredText>();
  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  #saving: Promise<void> | null = null;
  #dirty = false;
  #disposed = false;

  constructor(options: SearchServiceOptions) {
    this.#o = options;
    this.#file = path.join(options.dir, SEARCH_INDEX_FILE);
  }

  /** Whether the index is in memory (false until the first search). */
  get loaded(): boolean {
    return this.#index !== null;
  }

  /** A change the conversation store made (see `ConversationStore.observe`). */
  changed(change: ConversationChange): void {
    this.#texts.delete(change.id);
    if (this.#index === null) {
      // Only the newest change of each conversation is kept: applied whole, not as a part.
      if (this.#loading) this.#pending.set(change.id, whole(change));
      return;
    }
    this.#apply(this.#index, change);
    this.#scheduleSave();
  }

  /**
   * Conversations matching `query`, best first, at most `limit`, each with a snippet of its
   * best-matching message (or its title). A query without terms (blank, `*`, `"`) finds
   * nothing; it still loads the index, so the page can warm it up when search opens.
   */
  async query(query: string, limit: number, retried = false): Promise<SearchResult[]> {
    const parsed = parseQuery(query);
    const index = await this.ready();
    if (parsed.terms.length === 0) return [];
    let hits;
    try {
      hits = index.search(parsed.terms, limit);
    } catch (error) {
      // Bytes that passed the checksum yet do not decode: the file goes aside, and is rebuilt.
      if (!(error instanceof DamagedIndexError) || retried) throw error;
      this.#index = null;
      this.#moveAside();
      return this.query(query, limit, true);
    }
    const results: SearchResult[] = [];
    for (const hit of hits) {
      const stored = this.#text(hit.conversationId);
      if (!stored) continue;
      const message =
        hit.messageId === null ? null : stored.messages.find((m) => m.id === hit.messageId);
      results.push({
        conversationId: hit.conversationId,
        messageId: message?.id ?? null,
        title: stored.title,
        snippet: snippetOf(message?.text ?? stored.title, parsed.highlights),
        score: hit.score,
      });
    }
    return results;
  }

  /** The index, loading (or rebuilding) it on first use. */
  ready(): Promise<InvertedIndex> {
    if (this.#index) return Promise.resolve(this.#index);
    this.#loading ??= this.#load().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  /** Writes the index now if it changed (quit). */
  async flush(): Promise<void> {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    await this.#saving;
    if (this.#dirty) await this.#save();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
  }

  async #load(): Promise<InvertedIndex> {
    let index = await this.#readFile();
    const rebuilt = index === null;
    index ??= new InvertedIndex();
    let changed = await this.#reconcile(index);
    if (rebuilt) await inSlices(index.compactor());
    for (const change of this.#pending.values()) this.#apply(index, change);
    changed ||= this.#pending.size > 0;
    this.#pending.clear();
    this.#index = index;
    if (rebuilt || changed) {
      this.#dirty = true;
      this.#scheduleSave(0);
    }
    return index;
  }

  /** The index from its file; null when there is none, or it was damaged (then moved aside). */
  async #readFile(): Promise<InvertedIndex | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(this.#file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#o.log.warn('search.index-unreadable', {
          code: (error as NodeJS.ErrnoException).code,
        });
      }
      return null;
    }
    try {
      return await inSlices(InvertedIndex.decoder(bytes));
    } catch (error) {
      if (!(error instanceof DamagedIndexError)) throw error;
      // An older format is rebuilt and overwritten; only a damaged file goes aside.
      if (!(error instanceof OutdatedIndexError)) this.#moveAside();
      return null;
    }
  }

  #moveAside(): void {
    try {
      const movedTo = moveAside(this.#file, (this.#o.now ?? Date.now)());
      this.#o.log.warn('search.index-moved-aside', { path: movedTo });
      this.#o.onProblem?.({ movedTo });
    } catch (error) {
      this.#o.log.warn('search.index-move-failed', { code: (error as NodeJS.ErrnoException).code });
    }
  }

  /**
   * Indexes what the store has and the index lacks or has older, and drops what the store no
   * longer has, in slices. Whether anything changed.
   */
  async #reconcile(index: InvertedIndex): Promise<boolean> {
    const indexed = index.conversations();
    let changed = false;
    let slice = performance.now();
    for (const summary of this.#o.source.list()) {
      const known = indexed.get(summary.id);
      indexed.delete(summary.id);
      if (known && known.updatedAt === summary.updatedAt && known.title === summary.title) continue;
      const file = readConversation(this.#o.dir, summary.id);
      if (file) {
        index.upsert(
          indexedConversation(summary.id, summary.title, summary.updatedAt, file.messages),
        );
        changed = true;
        // A rebuild keeps at most a slice of the history in the roomy form being added to.
        if (index.needsCompaction) await inSlices(index.compactor());
      }
      if (performance.now() - slice > SLICE_MS) {
        await yieldToEventLoop();
        slice = performance.now();
      }
    }
    for (const gone of indexed.keys()) {
      index.remove(gone);
      changed = true;
    }
    return changed;
  }

  #apply(index: InvertedIndex, change: ConversationChange): void {
    if (change.kind === 'deleted') index.remove(change.id);
    else if (change.touched && index.has(change.id)) {
      // A message added or replaced: only it is looked at (an append to a long conversation).
      const touched = new Set(change.touched.map((message) => message.id));
      const indexed = indexedConversation(
        change.id,
        change.title,
        change.updatedAt,
        change.touched,
      );
      index.upsert(indexed, touched);
    } else {
      index.upsert(indexedConversation(change.id, change.title, change.updatedAt, change.messages));
    }
    this.#dirty = true;
  }

  #scheduleSave(delay = this.#o.saveDelayMs ?? 5000): void {
    if (this.#disposed) return;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.#save();
    }, delay);
    this.#saveTimer.unref?.();
  }

  /** Encodes the index in slices and writes it atomically; one write at a time. */
  async #save(): Promise<void> {
    if (this.#saving) {
      await this.#saving;
      if (this.#dirty) this.#scheduleSave();
      return;
    }
    const index = this.#index;
    if (!index) return;
    this.#dirty = false;
    this.#saving = (async () => {
      try {
        const bytes = await inSlices(index.encoder());
        await writeFile(this.#file, bytes, { mode: STORE_FILE_MODE });
      } catch (error) {
        this.#dirty = true;
        this.#o.log.warn('search.index-write-failed', { name: (error as Error).name });
      } finally {
        this.#saving = null;
      }
    })();
    await this.#saving;
  }

  /** The title and message texts of a conversation, for snippets. */
  #text(id: string): StoredText | null {
    const cached = this.#texts.get(id);
    if (cached) return cached;
    const file = readConversation(this.#o.dir, id);
    if (!file) return null;
    const stored: StoredText = {
      title: file.title,
      updatedAt: file.updatedAt,
      messages: file.messages.flatMap((m) => {
        const item = indexedMessage(m);
        return item ? [{ id: item.id, text: item.text }] : [];
      }),
    };
    this.#texts.set(id, stored);
    for (const key of this.#texts.keys()) {
      if (this.#texts.size <= TEXT_CACHE_SIZE) break;
      this.#texts.delete(key);
    }
    return stored;
  }
}
