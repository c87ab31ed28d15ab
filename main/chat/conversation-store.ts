import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileSync } from 'atomically';
import { z } from 'zod';
import {
  DEFAULT_CONVERSATION_SETTINGS,
  PROVIDER_IDS,
  REASONING_LIMITS,
  ATTACHMENT_LIMITS,
  type ChatMessage,
  type Conversation,
  type ConversationSettings,
  type ConversationSummary,
  type ProviderId,
} from '../../preload/api';
import {
  JsonDocument,
  STORE_FILE_MODE,
  moveAside,
  type CorruptReport,
} from '../credentials/credential-store';
import { LatchkeyError } from '../errors';
import { checkConversationSettings, storedSettingsSchema } from './conversation-settings';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Conversation ids are lowercase UUIDs: they name files, so nothing else may reach the disk. */
const ID_PATTERN = new RegExp(`^${UUID}$`);
/** `<uuid>.json`; anything else in the directory (moved-aside copies, notes…) is ignored. */
const FILE_PATTERN = new RegExp(`^(${UUID})\\.json$`);
/** What `atomically` (directly, or through conf for the index) leaves behind when a write dies. */
const STRAY_TEMP_PATTERN = new RegExp(`^(?:index|${UUID})\\.json\\.tmp-\\d{10}[0-9a-f]{6}$`);

/** The id `setDraft` takes for the chat that has no conversation yet (the new chat). */
export const NEW_CHAT_DRAFT = '';

/** Conversations kept in memory (LRU), so appending during a chat never re-reads a file. */
const CACHE_SIZE = 4;
const TITLE_MAX_CHARS = 60;

const idSchema = z.string().regex(ID_PATTERN);
const timeSchema = z.number().nonnegative();
const modelSchema = z.string().min(1).max(256).nullable();
const providerSchema = z.enum(PROVIDER_IDS);
/** Files written before there was more than one provider have no `provider`: OpenRouter's. */
const storedProviderSchema = providerSchema.default('openrouter');

// Objects are `z.object`: unknown extra fields are tolerated (and dropped), wrong shapes refused.
const errorViewSchema = z.object({
  code: z.string().min(1),
  status: z.number().int().optional(),
  retryAfter: z.number().nonnegative().optional(),
  providerMessage: z.string().optional(),
});

const usageSchema = z.object({
  promptTokens: z.number().nonnegative(),
  completionTokens: z.number().nonnegative(),
  totalTokens: z.number().nonnegative(),
  cost: z.number().nullable(),
  reasoningTokens: z.number().nonnegative().optional().catch(undefined),
});

/**
 * Reasoning kept with an answer. Files written before it have none; a damaged or oversized
 * field is dropped on its own, and the message with its answer is kept.
 */
const reasoningSchema = z.string().max(REASONING_LIMITS.maxChars).optional().catch(undefined);
const reasoningDetailsSchema = z
  .array(z.json())
  .max(REASONING_LIMITS.maxDetails)
  .refine((details) => JSON.stringify(details).length <= REASONING_LIMITS.maxDetailsChars)
  .optional()
  .catch(undefined);
const reasoningMsSchema = z.number().nonnegative().finite().optional().catch(undefined);

/**
 * Files sent with a user message: references only (the bytes are in `attachments/<id>/`, never
 * in this file). A damaged list is dropped on its own; the message is kept.
 */
const attachmentsSchema = z
  .array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/),
      name: z.string().min(1).max(ATTACHMENT_LIMITS.maxNameChars),
      mediaType: z.string().max(100),
      size: z.number().int().nonnegative(),
      kind: z.enum(['image', 'pdf', 'text']),
      width: z.number().int().nonnegative().optional(),
      height: z.number().int().nonnegative().optional(),
    }),
  )
  .max(ATTACHMENT_LIMITS.maxFilesPerMessage)
  .optional()
  .catch(undefined);

const messageSchema = z.object({
  id: z.string().min(1).max(256),
  /** Files written before revisions have none: 0, as a message created now. */
  revision: z.number().int().nonnegative().default(0),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: timeSchema,
  status: z.enum(['streaming', 'complete', 'stopped', 'incomplete', 'error']),
  model: modelSchema,
  usage: usageSchema.nullable(),
  finishReason: z.string().nullable(),
  error: errorViewSchema.nullable(),
  reasoning: reasoningSchema,
  reasoningDetails: reasoningDetailsSchema,
  reasoningMs: reasoningMsSchema,
  attachments: attachmentsSchema,
}) satisfies z.ZodType<ChatMessage>;

const messagesSchema = z.array(messageSchema);

const conversationFileSchema = z.object({
  version: z.literal(1),
  id: idSchema,
  provider: storedProviderSchema,
  title: z.string(),
  createdAt: timeSchema,
  updatedAt: timeSchema,
  model: modelSchema,
  messages: z.array(messageSchema),
  /** Files from before there were settings have none: the defaults (model's own parameters). */
  settings: storedSettingsSchema,
});

const indexEntrySchema = z.object({
  id: idSchema,
  provider: storedProviderSchema,
  title: z.string(),
  createdAt: timeSchema,
  updatedAt: timeSchema,
  model: modelSchema,
  messageCount: z.number().int().nonnegative(),
});

const indexFileSchema = z.object({
  version: z.literal(1),
  conversations: z.array(indexEntrySchema),
  drafts: z.record(idSchema, z.string()),
  /** What was typed into the new chat (no conversation yet); absent when empty. */
  newChatDraft: z.string().optional(),
});

/** `conversations/<uuid>.json`: one whole conversation. */
interface ConversationFile {
  readonly version: 1;
  readonly id: string;
  readonly provider: ProviderId;
  readonly title: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly model: string | null;
  readonly messages: readonly ChatMessage[];
  readonly settings: ConversationSettings;
}

type IndexEntry = z.infer<typeof indexEntrySchema>;
type IndexFile = z.infer<typeof indexFileSchema>;

const EMPTY_INDEX: IndexFile = { version: 1, conversations: [], drafts: {} };

type FileRead =
  | { readonly kind: 'ok'; readonly file: ConversationFile }
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly cause: unknown }
  | { readonly kind: 'unreadable'; readonly cause: unknown };

function readConversationFile(filePath: string, id: string): FileRead {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', cause: error };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', cause: error };
  }
  const parsed = conversationFileSchema.safeParse(json);
  if (!parsed.success) return { kind: 'corrupt', cause: parsed.error };
  if (parsed.data.id !== id) {
    return { kind: 'corrupt', cause: new Error('The id inside does not match the file name') };
  }
  return { kind: 'ok', file: parsed.data };
}

function entryOf(file: ConversationFile): IndexEntry {
  return {
    id: file.id,
    provider: file.provider,
    title: file.title,
    createdAt: file.createdAt,
    updatedAt: file.updatedAt,
    model: file.model,
    messageCount: file.messages.length,
  };
}

function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  return (
    a.provider === b.provider &&
    a.title === b.title &&
    a.createdAt === b.createdAt &&
    a.updatedAt === b.updatedAt &&
    a.model === b.model &&
    a.messageCount === b.messageCount
  );
}

function summaryOf(entry: IndexEntry): ConversationSummary {
  return { ...entry, streaming: false, revision: 0 };
}

/** Newest activity first; ties broken so the order is stable. */
function byRecency(a: IndexEntry, b: IndexEntry): number {
  return b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);
}

/**
 * A title from the first line of a message: trimmed, at most 60 characters (code points, so an
 * emoji is never cut in half), `…` marking a cut.
 */
export function titleFromText(text: string): string {
  const line = text.trim().split(/\r?\n/, 1)[0]?.trim() ?? '';
  const chars = Array.from(line);
  if (chars.length <= TITLE_MAX_CHARS) return line;
  return `${chars
    .slice(0, TITLE_MAX_CHARS - 1)
    .join('')
    .trimEnd()}…`;
}

function notFound(): LatchkeyError {
  return new LatchkeyError('CHAT_NOT_FOUND');
}

function writeFailed(cause: unknown): LatchkeyError {
  return new LatchkeyError('STORE_WRITE_FAILED', {}, { cause });
}

/** Validates what is about to be written; the copy returned is detached from the caller's. */
function checked<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw writeFailed(parsed.error);
  return parsed.data;
}

/** A change that reached the disk, as {@link ConversationStore.observe} reports it. */
export type ConversationChange =
  | {
      readonly kind: 'saved';
      readonly id: string;
      readonly title: string;
      readonly updatedAt: number;
      readonly messages: readonly ChatMessage[];
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
}

/**
 * Conversations on disk, Electron-free, under `<dir>/conversations/`:
 *
 * - `index.json` — `{version: 1, conversations: [summary…], drafts: {[id]: text}, newChatDraft?}`,
 *   everything {@link list} needs, so the list never opens a conversation file. The new chat's
 *   draft moves to the conversation its first send creates, in that one index write.
 * - `<uuid>.json` — `{version: 1, id, provider, title, createdAt, updatedAt, model, messages,
 *   settings}` (settings: system prompt and parameters; absent in older files = the defaults),
 *   one per conversation (the provider it chats through; files from before there was more than
 *   one provider lack it and are OpenRouter's), read only when the conversation is opened ({@link load}), then kept in a small
 *   LRU cache so appending and updating during a chat never re-read it.
 *
 * Every write is a whole file written atomically with `atomically` (temporary file in the same
 * directory, fsync, chmod 0600, rename): a crash leaves the old or the new content, never half
 * (security.md 17), and since each conversation is its own file a crash can only ever concern the
 * one being written. A change writes the conversation file first and the index second; a crash
 * between the two is repaired at the next open (a file the index lacks is read and added, an
 * entry whose file is gone is dropped) or at the next {@link load} (a summary that disagrees
 * with its file is corrected). Stray temporary files from an interrupted write are deleted at
 * open.
 *
 * Everything read is validated with zod (extra fields tolerated, wrong shapes refused). A corrupt
 * index is moved aside, reported, and rebuilt by scanning the conversation files (drafts are lost
 * with it); a corrupt conversation file is moved aside next to the others as
 * `<uuid>.corrupt-<timestamp>.json` with its bytes untouched, reported, and dropped from the
 * index. Ids that are not UUIDs are refused as `CHAT_NOT_FOUND` before any file is touched.
 *
 * Streaming: the chat service appends the user message and an empty `streaming` assistant
 * message when the provider accepts a request, then calls {@link updateMessage} once when the
 * answer ends (complete, stopped, incomplete or error) — never per token, since each call
 * rewrites the whole conversation file. A crash mid-answer therefore leaves that message
 * `streaming` on disk; the chat service shows such a message as `incomplete` when nothing
 * streams it.
 *
 * Synchronous by design (main's handlers are short): a 2,000-message conversation of about
 * 1.3 MB loads from disk in about 10–20 ms (tests/integration/chat/conversation-store.test.ts logs
 * the times). Not safe against two processes at once; the app holds a single-instance lock.
 */
export class ConversationStore {
  /** Absolute path of the conversations directory. */
  readonly dir: string;
  readonly #index: JsonDocument<IndexFile>;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #onProblem: ((problem: CorruptReport) => void) | undefined;
  readonly #entries = new Map<string, IndexEntry>();
  readonly #drafts = new Map<string, string>();
  /** The draft of the chat that has no conversation yet ({@link NEW_CHAT_DRAFT}). */
  #newChatDraft = '';
  /** Most recently used last. */
  readonly #cache = new Map<string, ConversationFile>();
  readonly #observers = new Set<(change: ConversationChange) => void>();

  private constructor(
    dir: string,
    index: JsonDocument<IndexFile>,
    options: ConversationStoreOptions,
  ) {
    this.dir = dir;
    this.#index = index;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? randomUUID;
    this.#onProblem = options.onProblem;
  }

  /**
   * Opens the store: reads the index and lists the directory (file names only). Conversation
   * files are read only when the index lacks them (a crash between the two writes of a change,
   * or an index rebuilt after it was found corrupt or missing); any of those that is corrupt is
   * moved aside and reported in `problems`, like a corrupt index.
   * @throws LatchkeyError `STORE_WRITE_FAILED` when the directory cannot be created or the
   *   repaired index cannot be written; `STORE_CORRUPT` when the index or the directory cannot
   *   be read (e.g. permissions) or the index cannot be moved aside.
   */
  static open(options: ConversationStoreOptions): {
    store: ConversationStore;
    problems: CorruptReport[];
  } {
    const dir = path.join(options.dir, 'conversations');
    const problems: CorruptReport[] = [];
    const { document, corrupt } = JsonDocument.open({
      dir,
      name: 'index',
      schema: indexFileSchema,
      empty: EMPTY_INDEX,
      now: options.now,
    });
    if (corrupt) problems.push(corrupt);
    const store = new ConversationStore(dir, document, options);
    store.#recover(document.read(), problems);
    return { store, problems };
  }

  /** Every conversation, most recently updated first, from the index alone. */
  list(): ConversationSummary[] {
    return [...this.#entries.values()].sort(byRecency).map(summaryOf);
  }

  /**
   * One conversation with its messages and draft: read from its file the first time, from the
   * cache after that.
   * @throws LatchkeyError `CHAT_NOT_FOUND` for an unknown or malformed id, or when the file is
   *   gone; `STORE_CORRUPT` when the file is unreadable, or corrupt (then it is moved aside,
   *   dropped from the list and reported through `onProblem`).
   */
  load(id: string): Conversation {
    const file = this.#file(id);
    return {
      ...summaryOf(this.#entry(id)),
      messages: file.messages,
      draft: this.#draft(id),
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
    const checkedProvider = checked(providerSchema, provider);
    const checkedModel = checked(modelSchema, model);
    const checkedSettings = checkConversationSettings(settings);
    const now = this.#now();
    const file: ConversationFile = {
      version: 1,
      id,
      provider: checkedProvider,
      title: '',
      createdAt: now,
      updatedAt: now,
      model: checkedModel,
      messages: [],
      settings: checkedSettings,
    };
    // The new chat becomes this conversation: its draft (the text being sent, and anything
    // typed after it) moves with it in the same index write, so it is never in both or neither.
    const draft = this.#newChatDraft;
    if (draft !== '') this.#drafts.set(id, draft);
    this.#newChatDraft = '';
    try {
      this.#commit(file);
    } catch (error) {
      this.#drafts.delete(id);
      this.#newChatDraft = draft;
      throw error;
    }
    return { ...summaryOf(entryOf(file)), messages: file.messages, draft, settings: file.settings };
  }

  /**
   * Sets the title (trimmed; `''` brings back "New chat"). Does not change the recency order.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  rename(id: string, title: string): ConversationSummary {
    const text = checked(z.string(), title).trim();
    return this.#change(id, (file) => ({ ...file, title: text }));
  }

  /**
   * Sets the model the conversation uses. Does not change the recency order.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  setModel(id: string, model: string | null): ConversationSummary {
    const value = checked(modelSchema, model);
    return this.#change(id, (file) => ({ ...file, model: value }));
  }

  /**
   * Sets the conversation's system prompt and parameters. Does not change the recency order.
   * @throws LatchkeyError `CHAT_SETTINGS_INVALID` (a field out of bounds, nothing written),
   *   `CHAT_NOT_FOUND`, `STORE_CORRUPT`, `STORE_WRITE_FAILED`.
   */
  setSettings(id: string, settings: ConversationSettings): ConversationSettings {
    const value = checkConversationSettings(settings);
    this.#change(id, (file) => ({ ...file, settings: value }));
    return value;
  }

  /**
   * Removes the conversation's file, its index entry and its draft.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_WRITE_FAILED`.
   */
  delete(id: string): void {
    this.#entry(id);
    try {
      fs.rmSync(this.#path(id), { force: true });
    } catch (error) {
      throw writeFailed(error);
    }
    this.#forget(id);
    this.#notify({ kind: 'deleted', id });
    this.#writeIndex();
  }

  /**
   * Calls `observer` after every change that reached the disk (a conversation file written, with
   * its content; or deleted), synchronously; returns a function that stops it.
   */
  observe(observer: (change: ConversationChange) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /**
   * Persists what the user typed but did not send; `''` removes it. `id` is a conversation's, or
   * {@link NEW_CHAT_DRAFT} for the new chat. Writes the index on every
   * change, so the caller debounces.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_WRITE_FAILED`.
   */
  setDraft(id: string, draft: string): void {
    const text = checked(z.string(), draft);
    if (id === NEW_CHAT_DRAFT) {
      if (this.#newChatDraft === text) return;
      const before = this.#newChatDraft;
      this.#newChatDraft = text;
      try {
        this.#writeIndex();
      } catch (error) {
        this.#newChatDraft = before;
        throw error;
      }
      return;
    }
    this.#entry(id);
    if (this.#draft(id) === text) return;
    if (text === '') this.#drafts.delete(id);
    else this.#drafts.set(id, text);
    this.#writeIndex();
  }

  /**
   * Appends messages (validated; ids must be new) and persists the conversation. Sets the title
   * from the first user message when it is still empty: its first line, trimmed, at most 60
   * characters.
   * @throws LatchkeyError `CHAT_NOT_FOUND`, `STORE_CORRUPT`; `STORE_WRITE_FAILED` for an invalid
   *   or duplicate message, or a failed write (nothing changed then).
   */
  appendMessages(id: string, messages: readonly ChatMessage[]): ConversationSummary {
    const added = checked(messagesSchema, messages);
    return this.#change(id, (file) => {
      const ids = new Set(file.messages.map((m) => m.id));
      for (const message of added) {
        if (ids.has(message.id)) throw writeFailed(new Error('Duplicate message id'));
        ids.add(message.id);
      }
      const all = [...file.messages, ...added];
      const firstUser = all.find((m) => m.role === 'user');
      // A message of files only is titled after its first file.
      const title =
        file.title === '' && firstUser
          ? titleFromText(firstUser.content) ||
            titleFromText(firstUser.attachments?.[0]?.name ?? '')
          : file.title;
      return { ...file, title, updatedAt: this.#now(), messages: all };
    });
  }

  /**
   * Replaces the message with the same id and persists the conversation. The chat service calls
   * this once when an answer ends, not per token.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `STORE_CORRUPT`,
   *   `STORE_WRITE_FAILED`.
   */
  updateMessage(id: string, message: ChatMessage): ConversationSummary {
    const replacement = checked(messageSchema, message);
    return this.#change(id, (file) => {
      const at = file.messages.findIndex((m) => m.id === replacement.id);
      if (at < 0) throw notFound();
      return { ...file, updatedAt: this.#now(), messages: file.messages.with(at, replacement) };
    });
  }

  /**
   * Edit and resend: removes the message `fromId` and every message after it, and appends
   * `messages` (validated; ids must be new), in one atomic write: a crash leaves the old
   * conversation or the new one, never a cut one. The title stays.
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
      const kept = file.messages.slice(0, at);
      const ids = new Set(file.messages.map((m) => m.id));
      for (const message of added) {
        if (ids.has(message.id)) throw writeFailed(new Error('Duplicate message id'));
        ids.add(message.id);
      }
      removed = file.messages.slice(at).map((m) => m.id);
      return { ...file, updatedAt: this.#now(), messages: [...kept, ...added] };
    });
    return { summary, removed };
  }

  /**
   * Removes one message and persists the conversation.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `STORE_CORRUPT`,
   *   `STORE_WRITE_FAILED`.
   */
  removeMessage(id: string, messageId: string): ConversationSummary {
    return this.#change(id, (file) => {
      const messages = file.messages.filter((m) => m.id !== messageId);
      if (messages.length === file.messages.length) throw notFound();
      return { ...file, updatedAt: this.#now(), messages };
    });
  }

  /** Brings the index in line with the directory at open; see {@link open}. */
  #recover(index: IndexFile, problems: CorruptReport[]): void {
    let listing: fs.Dirent[];
    try {
      listing = fs.readdirSync(this.dir, { withFileTypes: true });
    } catch (error) {
      throw new LatchkeyError('STORE_CORRUPT', {}, { cause: error });
    }
    const onDisk = new Set<string>();
    for (const entry of listing) {
      if (!entry.isFile()) continue;
      const match = FILE_PATTERN.exec(entry.name);
      if (match?.[1]) {
        onDisk.add(match[1]);
      } else if (STRAY_TEMP_PATTERN.test(entry.name)) {
        fs.rmSync(path.join(this.dir, entry.name), { force: true });
      }
    }
    let changed = false;
    for (const entry of index.conversations) {
      if (onDisk.has(entry.id) && !this.#entries.has(entry.id)) this.#entries.set(entry.id, entry);
      else changed = true;
    }
    for (const id of onDisk) {
      if (this.#entries.has(id)) continue;
      changed = true;
      const read = readConversationFile(this.#path(id), id);
      if (read.kind === 'ok') this.#entries.set(id, entryOf(read.file));
      else if (read.kind === 'corrupt') this.#reportCorrupt(id, problems);
    }
    this.#newChatDraft = index.newChatDraft ?? '';
    for (const [id, draft] of Object.entries(index.drafts)) {
      if (this.#entries.has(id)) this.#drafts.set(id, draft);
      else changed = true;
    }
    if (changed) this.#writeIndex();
  }

  /** The conversation's file content, from the cache or the disk. */
  #file(id: string): ConversationFile {
    const known = this.#entry(id);
    const cached = this.#cache.get(id);
    if (cached) {
      this.#cache.delete(id);
      this.#cache.set(id, cached);
      return cached;
    }
    const read = readConversationFile(this.#path(id), id);
    switch (read.kind) {
      case 'ok': {
        this.#remember(read.file);
        const actual = entryOf(read.file);
        if (!sameEntry(known, actual)) {
          this.#entries.set(id, actual);
          this.#writeIndexQuietly();
        }
        return read.file;
      }
      case 'missing':
        this.#forget(id);
        this.#writeIndexQuietly();
        throw notFound();
      case 'corrupt': {
        const report = this.#moveAside(id);
        this.#forget(id);
        this.#writeIndexQuietly();
        this.#onProblem?.(report);
        throw new LatchkeyError('STORE_CORRUPT', {}, { cause: read.cause });
      }
      case 'unreadable':
        throw new LatchkeyError('STORE_CORRUPT', {}, { cause: read.cause });
    }
  }

  /** Read-modify-write of one conversation; `change` may throw to abort before any write. */
  #change(id: string, change: (file: ConversationFile) => ConversationFile): ConversationSummary {
    const next = change(this.#file(id));
    this.#commit(next);
    return summaryOf(entryOf(next));
  }

  /** Writes the conversation file, then the index; memory follows only what reached the disk. */
  #commit(file: ConversationFile): void {
    try {
      writeFileSync(this.#path(file.id), JSON.stringify(file), { mode: STORE_FILE_MODE });
    } catch (error) {
      throw writeFailed(error);
    }
    this.#remember(file);
    this.#entries.set(file.id, entryOf(file));
    this.#notify({
      kind: 'saved',
      id: file.id,
      title: file.title,
      updatedAt: file.updatedAt,
      messages: file.messages,
    });
    this.#writeIndex();
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

  #remember(file: ConversationFile): void {
    this.#cache.delete(file.id);
    this.#cache.set(file.id, file);
    for (const id of this.#cache.keys()) {
      if (this.#cache.size <= CACHE_SIZE) break;
      this.#cache.delete(id);
    }
  }

  #forget(id: string): void {
    this.#entries.delete(id);
    this.#drafts.delete(id);
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

  #moveAside(id: string): CorruptReport {
    try {
      return { movedTo: moveAside(this.#path(id), this.#now()) };
    } catch (error) {
      throw new LatchkeyError('STORE_CORRUPT', {}, { cause: error });
    }
  }

  /** @throws LatchkeyError `STORE_WRITE_FAILED`. */
  #writeIndex(): void {
    this.#index.write({
      version: 1,
      conversations: [...this.#entries.values()],
      drafts: Object.fromEntries(this.#drafts),
      ...(this.#newChatDraft === '' ? {} : { newChatDraft: this.#newChatDraft }),
    });
  }

  /** For repairs made while reading: memory is right, and the next change writes it again. */
  #writeIndexQuietly(): void {
    try {
      this.#writeIndex();
    } catch {
      // Nothing to undo: the index is rewritten whole by the next change.
    }
  }

  /** The index entry of a well-formed, known id; refuses anything else before any disk access. */
  #entry(id: string): IndexEntry {
    const entry = typeof id === 'string' && ID_PATTERN.test(id) ? this.#entries.get(id) : undefined;
    if (!entry) throw notFound();
    return entry;
  }

  /** What was typed into the new chat and not sent (kept across restarts). */
  newChatDraft(): string {
    return this.#newChatDraft;
  }

  #draft(id: string): string {
    return this.#drafts.get(id) ?? '';
  }

  /** Only ever called with an id that matched {@link ID_PATTERN}. */
  #path(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}
