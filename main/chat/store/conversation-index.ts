import { z } from 'zod';
import type { JsonDocument } from '../../credentials/credential-store';
import { LatchkeyError } from '../../errors';
import type { IndexEntry, IndexFile } from './conversation-file-schema';
import { writeFailed } from './conversation-files';
import { IndexEntries } from './index-entries';

/** The id {@link ConversationIndex.setDraft} takes for the chat that has no conversation yet. */
export const NEW_CHAT_DRAFT = '';

/** After a change of a summary, the index is written once things are quiet this long. */
const INDEX_DELAY_MS = 1000;

/**
 * `index.json` of the conversations directory, in memory and on disk: every conversation's
 * summary (newest first), the drafts, and the new chat's draft. Written whole and atomically: at
 * once for what the caller must know reached the disk (a conversation added or deleted, a draft),
 * and a second after the last change of a summary otherwise ({@link schedule}; {@link flush}
 * writes it now). A write that fails throws `STORE_WRITE_FAILED` and leaves memory as it was.
 */
export class ConversationIndex {
  /** The summaries, in recency order. */
  readonly entries = new IndexEntries();
  readonly #document: JsonDocument<IndexFile>;
  readonly #drafts = new Map<string, string>();
  #newChatDraft = '';
  /** A summary changed since the index was written: it is written when this fires. */
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(document: JsonDocument<IndexFile>) {
    this.#document = document;
  }

  /** Path of `index.json`. */
  get path(): string {
    return this.#document.path;
  }

  /** What was typed into the new chat and not sent. */
  get newChatDraft(): string {
    return this.#newChatDraft;
  }

  /** The unsent text of a conversation (`''` when there is none). */
  draft(id: string): string {
    return this.#drafts.get(id) ?? '';
  }

  /**
   * Takes the drafts of the index read at open, for the conversations listed by now. Returns
   * whether any was left out (the index is then written again).
   */
  restoreDrafts(read: IndexFile): boolean {
    this.#newChatDraft = read.newChatDraft ?? '';
    let dropped = false;
    for (const [id, draft] of Object.entries(read.drafts)) {
      if (this.entries.has(id)) this.#drafts.set(id, draft);
      else dropped = true;
    }
    return dropped;
  }

  /**
   * Sets the draft of conversation `id` (known to be listed), or of the new chat with
   * {@link NEW_CHAT_DRAFT}; `''` removes it. Written at once.
   * @throws LatchkeyError `STORE_WRITE_FAILED` (the draft is then as it was).
   */
  setDraft(id: string, text: string): void {
    if (id === NEW_CHAT_DRAFT) {
      if (this.#newChatDraft === text) return;
      const before = this.#newChatDraft;
      this.#newChatDraft = text;
      this.#writeOrUndo(() => (this.#newChatDraft = before));
      return;
    }
    const before = this.draft(id);
    if (before === text) return;
    const set = (value: string) =>
      value === '' ? this.#drafts.delete(id) : this.#drafts.set(id, value);
    set(text);
    this.#writeOrUndo(() => set(before));
  }

  /**
   * Lists a new conversation, and the new chat's draft (the text being sent, and anything typed
   * after it) becomes its draft, in one write: never in both or neither. Returns that draft.
   * @throws LatchkeyError `STORE_WRITE_FAILED` (then nothing changed).
   */
  add(entry: IndexEntry): string {
    const draft = this.#newChatDraft;
    this.entries.set(entry.id, entry);
    if (draft !== '') this.#drafts.set(entry.id, draft);
    this.#newChatDraft = '';
    this.#writeOrUndo(() => {
      this.forget(entry.id);
      this.#newChatDraft = draft;
    });
    return draft;
  }

  /** Drops a conversation's summary and draft from memory (written with the next write). */
  forget(id: string): void {
    this.entries.delete(id);
    this.#drafts.delete(id);
  }

  /** Writes the index a second after the last call (a summary changed). */
  schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.writeQuietly();
    }, INDEX_DELAY_MS);
    this.#timer.unref?.();
  }

  /**
   * Writes the index now if a summary changed since it was last written.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  flush(): void {
    if (this.#timer === null) return;
    this.write();
  }

  /** Writes the index whole (atomically). @throws LatchkeyError `STORE_WRITE_FAILED`. */
  write(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    try {
      this.#document.write({
        version: 1,
        // Newest first: the next open's sort then finds them in order.
        conversations: this.entries.newest(),
        drafts: Object.fromEntries(this.#drafts),
        ...(this.#newChatDraft === '' ? {} : { newChatDraft: this.#newChatDraft }),
      });
    } catch (error) {
      // With the reason of the disk's failure, for the user.
      const cause = error instanceof LatchkeyError ? error.cause : error;
      throw cause instanceof z.ZodError ? error : writeFailed(cause);
    }
  }

  /** For repairs made while reading: memory is right, and the next change writes it again. */
  writeQuietly(): void {
    try {
      this.write();
    } catch {
      // Nothing to undo: the index is rewritten whole by the next change.
    }
  }

  #writeOrUndo(undo: () => void): void {
    try {
      this.write();
    } catch (error) {
      undo();
      throw error;
    }
  }
}
