import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_CONVERSATION_SETTINGS,
  type ChatMessage,
  type Conversation,
  type ConversationSettings,
  type ConversationSummary,
  type ListCursor,
  type ProviderId,
} from '../../preload/api';
import { JsonDocument, type CorruptReport } from '../credentials/credential-store';
import { LatchkeyError } from '../errors';
import { nodeFsPort, type FsPort } from '../storage/fs-port';
import { checkConversationSettings } from './conversation-settings';
import {
  EMPTY_INDEX,
  FILE_PATTERN,
  ID_PATTERN,
  LOG_PATTERN,
  STRAY_TEMP_PATTERN,
  indexFileSchema,
  messageSchema,
  messagesSchema,
  modelSchema,
  providerSchema,
  type ConversationFile,
  type IndexEntry,
  type IndexFile,
} from './store/conversation-file-schema';
import { ConversationFiles, type Cached } from './store/conversation-files';
import { ConversationIndex, NEW_CHAT_DRAFT } from './store/conversation-index';
import { touchedBy, type LogRecord } from './store/conversation-log';
import { portContainer } from './store/index-container';
import {
  checked,
  entryOf,
  invalid,
  notFound,
  sameEntry,
  summaryOf,
  titleFromText,
} from './store/conversation-summary';

export { NEW_CHAT_DRAFT, titleFromText };

/** Conversations kept in memory (LRU), so appending during a chat never re-reads a file. */
const CACHE_SIZE = 4;

/** A change that reached the disk, as {@link ConversationStore.observe} reports it. */
export type ConversationChange =
  | {
      readonly kind: 'saved';
      readonly id: string;
      readonly title: string;
      readonly updatedAt: number;
      /** The store's own array, to be read during the call: later changes grow it in place. */
      readonly messages: readonly ChatMessage[];
      /**
       * When set, the change only added or replaced these messages (as they now are); every
       * other message is as the last change reported it. Unset: anything may have changed.
       */
      readonly touched?: readonly ChatMessage[];
    }
  | { readonly kind: 'deleted'; readonly id: string };

/** Options of {@link ConversationStore.open}. */
export interface ConversationStoreOptions {
  /** Data directory; conversations live in `<dir>/conversations/` (created with mode 0700). */
  readonly dir: string;
  readonly now?: () => number;
  /** Must return a lowercase UUID; default `crypto.randomUUID`. */
  readonly newId?: () => string;
  /**
   * Called when a conversation file found corrupt by {@link ConversationStore.load} (after
   * open) was moved aside, so the user can be told where it went (`STORE_CORRUPT_MOVED`).
   */
  readonly onProblem?: (problem: CorruptReport) => void;
  /** Where every write goes (tests inject disk faults here); default the real file system. */
  readonly fs?: FsPort;
}

/**
 * Conversations on disk, Electron-free, under `<dir>/conversations/`:
 *
 * - `index.json` — `{version: 1, conversations: [summary…], drafts: {[id]: text}, newChatDraft?}`,
 *   everything {@link list} needs, so the list never opens a conversation file. The new chat's
 *   draft moves to the conversation its first send creates, in that one index write.
 * - `<uuid>.json` — the snapshot: `{version: 1, id, provider, title, createdAt, updatedAt, model,
 *   messages, settings, generation}` (absent in older files: settings = the defaults, provider =
 *   OpenRouter's, generation = 0), written whole and atomically when the conversation is created
 *   and when its log is compacted.
 * - `<uuid>.log` — every change since the snapshot, one JSON line each, appended with one write
 *   and an `fdatasync` (store/conversation-log.ts), so a change costs the same in a conversation
 *   of 10 or 10,000 messages. Compacted into the snapshot once it outgrows 1 MiB and the
 *   snapshot (store/conversation-files.ts).
 *
 * Crash safety: a change is one line; a line cut short by a crash is ignored (the change never
 * happened), so a conversation reads as before or after a change, never half; a compaction
 * makes the old log stale in the one rename of the new snapshot. Every file is 0600, the
 * directory 0700.
 *
 * The index is written at once on create, delete and drafts; after other changes, once nothing
 * changed for a second ({@link flush} writes it now; the app calls it on quit). A crash before
 * that is repaired at open: a conversation whose log was written since the index is read and its
 * summary corrected, as is one the index lacks; an entry whose file is gone is dropped; stray
 * temporary files and logs without a snapshot are deleted. A summary that disagrees with its
 * files is also corrected when the conversation is loaded.
 *
 * Streaming: the chat service appends the user message and an empty `streaming` assistant
 * message when the provider accepts a request, saves the text as it streams with
 * {@link checkpoint} (about once a second: a `grow` record of the new text only), and calls
 * {@link updateMessage} when it ends. After a crash that message is `streaming` on disk with the
 * text of its last checkpoint; the chat service shows it as `incomplete`.
 *
 * Everything read is validated with zod. A corrupt index is moved aside, reported, and rebuilt by
 * scanning the conversation files (drafts are lost with it); a corrupt conversation (snapshot, or
 * a complete log line that does not parse) is moved aside as `<uuid>.corrupt-<timestamp>.json`
 * (its log beside it) with its bytes untouched, reported, and dropped from the index. Ids that
 * are not UUIDs are refused as `CHAT_NOT_FOUND` before any file is touched.
 *
 * Every write goes through an {@link FsPort}: a failed one throws `STORE_WRITE_FAILED` with a
 * `reason` (`disk-full`, `no-permission`, `disk-error`) and changes nothing, in memory or on
 * disk; the store works again once the fault clears. Synchronous by design (main's handlers are
 * short). Not safe against two processes at once; the app holds a single-instance lock.
 */
export class ConversationStore {
  /** Absolute path of the conversations directory. */
  readonly dir: string;
  readonly #index: ConversationIndex;
  /** The summaries, in recency order (the index's). */
  readonly #entries: ConversationIndex['entries'];
  readonly #files: ConversationFiles;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #onProblem: ((problem: CorruptReport) => void) | undefined;
  /** Most recently used last. */
  readonly #cache = new Map<string, Cached>();
  readonly #observers = new Set<(change: ConversationChange) => void>();

  private constructor(
    dir: string,
    index: JsonDocument<IndexFile>,
    port: FsPort,
    options: ConversationStoreOptions,
  ) {
    this.dir = dir;
    this.#index = new ConversationIndex(index);
    this.#entries = this.#index.entries;
    this.#files = new ConversationFiles(dir, port);
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? randomUUID;
    this.#onProblem = options.onProblem;
  }

  /**
   * Opens the store: reads the index and lists the directory (file names only). Conversation
   * files are read only when the index lacks them or their log was written since the index;
   * any of those that is corrupt is moved aside and reported in `problems`, like a corrupt index.
   * @throws LatchkeyError `STORE_WRITE_FAILED` when the directory cannot be created or the
   *   repaired index cannot be written; `STORE_CORRUPT` when the index or the directory cannot
   *   be read (e.g. permissions) or the index cannot be moved aside.
   */
  static open(options: ConversationStoreOptions): {
    store: ConversationStore;
    problems: CorruptReport[];
  } {
    const dir = path.join(options.dir, 'conversations');
    const port = options.fs ?? nodeFsPort;
    const problems: CorruptReport[] = [];
    const { document, corrupt } = JsonDocument.open({
      dir,
      name: 'index',
      schema: indexFileSchema,
      empty: EMPTY_INDEX,
      now: options.now,
      createContainer: (container) => portContainer(container, port),
    });
    if (corrupt) problems.push(corrupt);
    const store = new ConversationStore(dir, document, port, options);
    store.#recover(document.read(), problems);
    return { store, problems };
  }

  /**
   * Every conversation, or the newest `limit` (after `after`, for a page further down), most
   * recently updated first, from the index alone. The order is kept as conversations change,
   * so a page costs no sort of all of them.
   */
  list(limit?: number, after?: ListCursor): ConversationSummary[] {
    return this.#entries.newest(limit, after).map(summaryOf);
  }

  /** One conversation's summary, from the index alone; `undefined` when there is none. */
  summary(id: string): ConversationSummary | undefined {
    const entry = this.#entries.get(id);
    return entry && summaryOf(entry);
  }

  /** How many conversations there are. */
  count(): number {
    return this.#entries.size;
  }

  /**
   * One conversation with its messages and draft: read from its files the first time, from the
   * cache after that.
   * @throws LatchkeyError `CHAT_NOT_FOUND` for an unknown or malformed id, or when the file is
   *   gone; `STORE_CORRUPT` when the file is unreadable, or corrupt (then it is moved aside,
   *   dropped from the list and reported through `onProblem`).
   */
  load(id: string): Conversation {
    const { file } = this.#cached(id);
    return {
      ...summaryOf(this.#entry(id)),
      // A copy: the cached array grows in place with every change (ConversationFiles.change).
      messages: file.messages.slice(),
      draft: this.#index.draft(id),
      settings: file.settings,
    };
  }

  /**
   * Creates and persists an empty conversation that chats through `provider`. Its title is `''`
   * (the UI shows "New chat") until the first user message names it.
   * @throws LatchkeyError `STORE_WRITE_FAILED` (also for an unknown provider); `INTERNAL` when
   *   `newId` gives a bad id.
   */
  create(
    provider: ProviderId,
    model: string | null,
    settings: ConversationSettings = DEFAULT_CONVERSATION_SETTINGS,
  ): Conversation {
    const id = this.#newId();
    if (!ID_PATTERN.test(id) || this.#entries.has(id)) {
      throw new LatchkeyError('INTERNAL', {}, { cause: new Error('newId gave an unusable id') });
    }
    const now = this.#now();
    const created = this.#files.create({
      version: 1,
      id,
      provider: checked(providerSchema, provider),
      title: '',
      createdAt: now,
      updatedAt: now,
      model: checked(modelSchema, model),
      messages: [],
      settings: checkConversationSettings(settings),
      generation: 0,
    });
    const { file } = created;
    // The new chat becomes this conversation: its draft moves with it (ConversationIndex.add).
    let draft: string;
    try {
      draft = this.#index.add(entryOf(file));
    } catch (error) {
      // Unlisted then; were it left, the next open would list it (empty, harmless).
      this.#files.unlinkQuietly(`${id}.json`);
      throw error;
    }
    this.#remember(created);
    this.#notifySaved(file);
    return { ...summaryOf(entryOf(file)), messages: [], draft, settings: file.settings };
  }

  /**
   * Sets the title (trimmed; `''` brings back "New chat"). Does not change the recency order.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  rename(id: string, title: string): ConversationSummary {
    const text = checked(z.string(), title).trim();
    return this.#change(id, () => ({ op: 'meta', meta: { title: text } }));
  }

  /**
   * Sets the model the conversation uses. Does not change the recency order.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  setModel(id: string, model: string | null): ConversationSummary {
    const value = checked(modelSchema, model);
    return this.#change(id, () => ({ op: 'meta', meta: { model: value } }));
  }

  /**
   * Sets the conversation's system prompt and parameters. Does not change the recency order.
   * @throws LatchkeyError `CHAT_SETTINGS_INVALID` (a field out of bounds, nothing written),
   *   `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  setSettings(id: string, settings: ConversationSettings): ConversationSettings {
    const value = checkConversationSettings(settings);
    this.#change(id, () => ({ op: 'meta', meta: { settings: value } }));
    return value;
  }

  /**
   * Removes the conversation's files, its index entry and its draft.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_WRITE_FAILED`.
   */
  delete(id: string): void {
    this.#entry(id);
    this.#files.delete(id);
    this.#forget(id);
    this.#notify({ kind: 'deleted', id });
    this.#index.write();
  }

  /**
   * Calls `observer` after every change that reached the disk (a conversation written, with
   * its content; or deleted), synchronously; returns a function that stops it. Checkpoints of a
   * streaming answer are not reported (its end is).
   */
  observe(observer: (change: ConversationChange) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /**
   * Persists what the user typed but did not send; `''` removes it. `id` is a conversation's, or
   * {@link NEW_CHAT_DRAFT} for the new chat. Writes the index on every change, so the caller
   * debounces.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_WRITE_FAILED`.
   */
  setDraft(id: string, draft: string): void {
    const text = checked(z.string(), draft);
    if (id !== NEW_CHAT_DRAFT) this.#entry(id);
    this.#index.setDraft(id, text);
  }

  /**
   * Appends messages (validated; ids must be new) and persists them. Sets the title from the
   * first user message when it is still empty: its first line, trimmed, at most 60 characters.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`; `STORE_WRITE_FAILED` for an invalid
   *   or duplicate message, or a failed write (nothing changed then).
   */
  appendMessages(id: string, messages: readonly ChatMessage[]): ConversationSummary {
    const added = checked(messagesSchema, messages);
    return this.#change(id, (file, known) => {
      const ids = new Set<string>();
      for (const message of added) {
        if (known.has(message.id) || ids.has(message.id)) {
          throw invalid(new Error('Duplicate message id'));
        }
        ids.add(message.id);
      }
      const firstUser =
        file.title === '' ? [...file.messages, ...added].find((m) => m.role === 'user') : undefined;
      // A message of files only is titled after its first file.
      const title =
        file.title === '' && firstUser
          ? titleFromText(firstUser.content) ||
            titleFromText(firstUser.attachments?.[0]?.name ?? '')
          : file.title;
      const meta = { updatedAt: this.#now(), ...(title !== file.title && { title }) };
      return { op: 'put', messages: added, meta };
    });
  }

  /**
   * Replaces the message with the same id and persists it. The chat service calls this when an
   * answer ends, not per token.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `STORE_CORRUPT`,
   *   `STORE_WRITE_FAILED`.
   */
  updateMessage(id: string, message: ChatMessage): ConversationSummary {
    const replacement = checked(messageSchema, message);
    return this.#change(id, (_file, ids) => {
      if (!ids.has(replacement.id)) throw notFound();
      return { op: 'put', messages: [replacement], meta: { updatedAt: this.#now() } };
    });
  }

  /**
   * A checkpoint of an answer as it streams: `content` and `reasoning` are its whole text so
   * far. Only what was added since the last checkpoint is written (a `grow` record) when the
   * stored text is its beginning; else the message with this text (a `put`). Changes neither
   * the summary nor the index, and observers are not told.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `STORE_CORRUPT`,
   *   `STORE_WRITE_FAILED`.
   */
  checkpoint(id: string, messageId: string, content: string, reasoning: string): void {
    const change = (file: ConversationFile): LogRecord => {
      const stored = file.messages.findLast((m) => m.id === messageId);
      if (!stored) throw notFound();
      const had = stored.reasoning ?? '';
      if (!content.startsWith(stored.content) || !reasoning.startsWith(had)) {
        return { op: 'put', messages: [{ ...stored, content, ...(reasoning && { reasoning }) }] };
      }
      const more = reasoning.slice(had.length);
      return {
        op: 'grow',
        id: messageId,
        content: content.slice(stored.content.length),
        ...(more && { reasoning: more }),
      };
    };
    this.#change(id, change, false);
  }

  /**
   * Edit and resend: removes the message `fromId` and every message after it, and appends
   * `messages` (validated; ids must be new), in one record: a crash leaves the old conversation
   * or the new one, never a cut one. The title stays.
   * @returns the summary and the ids of the removed messages, oldest first.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `STORE_CORRUPT`;
   *   `STORE_WRITE_FAILED` for an invalid or duplicate message, or a failed write (nothing
   *   changed then).
   */
  replaceFrom(
    id: string,
    fromId: string,
    messages: readonly ChatMessage[],
  ): { summary: ConversationSummary; removed: string[] } {
    const added = checked(messagesSchema, messages);
    let removed: string[] = [];
    const summary = this.#change(id, (file) => {
      const at = file.messages.findIndex((m) => m.id === fromId);
      if (at < 0) throw notFound();
      const ids = new Set(file.messages.map((m) => m.id));
      for (const message of added) {
        if (ids.has(message.id)) throw invalid(new Error('Duplicate message id'));
        ids.add(message.id);
      }
      removed = file.messages.slice(at).map((m) => m.id);
      return { op: 'cut', fromId, messages: added, meta: { updatedAt: this.#now() } };
    });
    return { summary, removed };
  }

  /**
   * Removes one message and persists it.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `STORE_CORRUPT`,
   *   `STORE_WRITE_FAILED`.
   */
  removeMessage(id: string, messageId: string): ConversationSummary {
    return this.#change(id, (file) => {
      if (!file.messages.some((m) => m.id === messageId)) throw notFound();
      return { op: 'remove', id: messageId, meta: { updatedAt: this.#now() } };
    });
  }

  /** What was typed into the new chat and not sent (kept across restarts). */
  newChatDraft(): string {
    return this.#index.newChatDraft;
  }

  /**
   * Writes the index now if a summary changed since it was last written (on quit, and in
   * tests); otherwise it is written a second after the last such change.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  flush(): void {
    this.#index.flush();
  }

  /**
   * Folds the conversation's log into its snapshot now (it also happens on its own once the log
   * outgrows 1 MiB and the snapshot), and writes the index.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  compact(id: string): void {
    this.#remember(this.#files.compact(this.#cached(id)));
    this.#index.write();
  }

  /** Brings the index in line with the directory at open; see {@link open}. */
  #recover(index: IndexFile, problems: CorruptReport[]): void {
    let listing: fs.Dirent[];
    let indexTime = 0;
    try {
      listing = fs.readdirSync(this.dir, { withFileTypes: true });
      if (fs.existsSync(this.#index.path)) indexTime = fs.statSync(this.#index.path).mtimeMs;
    } catch (error) {
      throw new LatchkeyError('STORE_CORRUPT', {}, { cause: error });
    }
    const onDisk = new Set<string>();
    const logs = new Set<string>();
    for (const entry of listing) {
      if (!entry.isFile()) continue;
      const file = FILE_PATTERN.exec(entry.name)?.[1];
      const log = LOG_PATTERN.exec(entry.name)?.[1];
      if (file) onDisk.add(file);
      else if (log) logs.add(log);
      else if (STRAY_TEMP_PATTERN.test(entry.name)) this.#files.unlinkQuietly(entry.name);
    }
    let changed = false;
    for (const entry of index.conversations) {
      const fresh = !logs.has(entry.id) || !this.#files.logWrittenSince(entry.id, indexTime);
      if (onDisk.has(entry.id) && fresh && !this.#entries.has(entry.id)) {
        this.#entries.set(entry.id, entry);
      } else changed = true;
    }
    for (const id of logs) if (!onDisk.has(id)) this.#files.unlinkQuietly(`${id}.log`);
    for (const id of onDisk) {
      if (this.#entries.has(id)) continue;
      changed = true;
      const read = this.#files.read(id);
      if (read.kind === 'ok') this.#entries.set(id, entryOf(read.cached.file));
      else if (read.kind === 'corrupt') this.#reportCorrupt(id, problems);
    }
    if (this.#index.restoreDrafts(index)) changed = true;
    if (changed) this.#index.write();
  }

  /** The conversation from the cache, or from its files. */
  #cached(id: string): Cached {
    const known = this.#entry(id);
    const cached = this.#cache.get(id);
    if (cached) {
      this.#cache.delete(id);
      this.#cache.set(id, cached);
      return cached;
    }
    const read = this.#files.read(id);
    switch (read.kind) {
      case 'ok': {
        this.#remember(read.cached);
        const actual = entryOf(read.cached.file);
        if (!sameEntry(known, actual)) {
          this.#entries.set(id, actual);
          this.#index.writeQuietly();
        }
        return read.cached;
      }
      case 'missing':
        this.#forget(id);
        this.#index.writeQuietly();
        throw notFound();
      case 'corrupt': {
        const report = this.#moveAside(id);
        this.#forget(id);
        this.#index.writeQuietly();
        this.#onProblem?.(report);
        throw new LatchkeyError('STORE_CORRUPT', {}, { cause: read.cause });
      }
      case 'unreadable':
        throw new LatchkeyError('STORE_CORRUPT', {}, { cause: read.cause });
    }
  }

  /**
   * One change of one conversation: `record` (which may throw to refuse it before any write) is
   * appended to its log and applied in memory; memory follows only what reached the disk.
   */
  #change(
    id: string,
    record: (file: ConversationFile, ids: ReadonlySet<string>) => LogRecord,
    notify = true,
  ): ConversationSummary {
    const current = this.#cached(id);
    const written = record(current.file, current.ids);
    const next = this.#files.change(current, written);
    this.#remember(next);
    const entry = entryOf(next.file);
    if (!sameEntry(this.#entry(id), entry)) {
      this.#entries.set(id, entry);
      this.#index.schedule();
    }
    if (next.file.generation !== current.file.generation) this.#index.schedule();
    if (notify) this.#notifySaved(next.file, touchedBy(written));
    return summaryOf(entry);
  }

  #notifySaved(file: ConversationFile, touched?: readonly ChatMessage[]): void {
    this.#notify({
      kind: 'saved',
      id: file.id,
      title: file.title,
      updatedAt: file.updatedAt,
      messages: file.messages,
      ...(touched && { touched }),
    });
  }

  #notify(change: ConversationChange): void {
    for (const observer of this.#observers) {
      try {
        observer(change);
      } catch {
        // An observer's failure (the search index) never fails a change that reached the disk.
      }
    }
  }

  #remember(entry: Cached): void {
    const { id } = entry.file;
    this.#cache.delete(id);
    this.#cache.set(id, entry);
    for (const key of this.#cache.keys()) {
      if (this.#cache.size <= CACHE_SIZE) break;
      this.#cache.delete(key);
    }
  }

  #forget(id: string): void {
    this.#index.forget(id);
    this.#cache.delete(id);
  }

  /** At open, a file that cannot be moved aside is left where it is, outside the index. */
  #reportCorrupt(id: string, problems: CorruptReport[]): void {
    try {
      problems.push(this.#moveAside(id));
    } catch {
      // It stays where it is, unlisted; the next open tries again.
    }
  }

  /** The report names the conversation by its title in the index, when it has one. */
  #moveAside(id: string): CorruptReport {
    const report = this.#files.moveAside(id, this.#now());
    const title = this.#entries.get(id)?.title;
    return title ? { ...report, title } : report;
  }

  /** The index entry of a well-formed, known id; refuses anything else before any disk access. */
  #entry(id: string): IndexEntry {
    const entry = typeof id === 'string' && ID_PATTERN.test(id) ? this.#entries.get(id) : undefined;
    if (!entry) throw notFound();
    return entry;
  }
}
