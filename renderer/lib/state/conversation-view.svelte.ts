import type { ChatMessage } from '../../../preload/api';
import { MessageEntry, type Piece } from './chat-message.svelte';

/**
 * The messages of one conversation as the renderer shows them. Every change goes through the
 * revision rule (preload/api.ts `ChatMessage.revision`): main's copy of a message replaces the
 * shown one only when it is newer, whichever channel brought it, so the order in which events
 * and responses arrive does not matter.
 */
export class ConversationView {
  /** Empty until a new chat was created by its first send. */
  id: string;
  entries = $state.raw<readonly MessageEntry[]>([]);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- an index of `entries`, which is the state
  readonly #byId = new Map<string, MessageEntry>();
  /**
   * Messages main removed (edit and resend, `SendResult.removedMessageIds`): ids are never
   * reused, so no late copy of one (an event sent before, a snapshot) is shown again.
   */
  readonly #removed: Set<string>;

  /** @param removed the conversation's removed message ids (kept by {@link ViewCache}). */
  constructor(
    id: string,
    messages: readonly ChatMessage[] = [],
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
    removed: Set<string> = new Set(),
  ) {
    this.id = id;
    this.#removed = removed;
    const entries = messages
      .filter((message) => !removed.has(message.id))
      .map((message) => new MessageEntry(message));
    for (const entry of entries) this.#byId.set(entry.id, entry);
    this.entries = entries;
  }

  get(id: string): MessageEntry | undefined {
    return this.#byId.get(id);
  }

  /** The newest message, if any. */
  get last(): MessageEntry | undefined {
    return this.entries.at(-1);
  }

  add(entry: MessageEntry): void {
    this.#byId.set(entry.id, entry);
    this.entries = [...this.entries, entry];
  }

  remove(id: string): void {
    if (!this.#byId.delete(id)) return;
    this.entries = this.entries.filter((entry) => entry.id !== id);
  }

  /**
   * Applies main's copy of a message: updates the known entry when it is newer, or takes the
   * place of the optimistic copy of the same user text, or is appended (an answer whose send
   * response has not arrived yet). Returns the entry and whether the copy was applied.
   */
  apply(message: ChatMessage): { entry: MessageEntry; applied: boolean } {
    if (this.#removed.has(message.id)) {
      return { entry: new MessageEntry(message), applied: false };
    }
    const known = this.#byId.get(message.id);
    if (known) return { entry: known, applied: known.apply(message) };
    const entry = new MessageEntry(message);
    const optimistic = this.entries.findLastIndex(
      (item) => item.optimistic && item.role === message.role && item.content === message.content,
    );
    if (optimistic === -1) {
      this.add(entry);
    } else {
      this.#byId.delete((this.entries[optimistic] as MessageEntry).id);
      this.#byId.set(entry.id, entry);
      this.entries = this.entries.with(optimistic, entry);
    }
    return { entry, applied: true };
  }

  /** Applies streamed pieces of an answer; one not known yet shows from its first piece. */
  applyPieces(messageId: string, pieces: readonly Piece[]): void {
    if (this.#removed.has(messageId)) return;
    let entry = this.#byId.get(messageId);
    if (!entry) {
      entry = MessageEntry.placeholder(messageId);
      this.add(entry);
    }
    entry.applyPieces(pieces);
  }

  /**
   * Applies a snapshot of the whole conversation to a view that already shows it: each message
   * by the revision rule, and those the snapshot does not have yet (newer than it) are kept.
   */
  merge(messages: readonly ChatMessage[]): void {
    for (const message of messages) this.apply(message);
  }

  /**
   * A regenerated answer replaces every answer after the last user message, as main did: what
   * stays is the history up to that message and `answer`.
   */
  replaceAnswers(answer: ChatMessage): void {
    const lastUser = this.entries.findLastIndex((entry) => entry.role === 'user');
    for (const entry of this.entries.slice(lastUser + 1)) {
      if (entry.id !== answer.id) this.remove(entry.id);
    }
    this.apply(answer);
  }

  /**
   * An edit was accepted: the messages main removed go for good, and the new user message
   * shows before its answer (whose first pieces may have arrived before the response).
   */
  edited(removed: readonly string[], user: ChatMessage, answer: ChatMessage): void {
    for (const id of removed) {
      this.#removed.add(id);
      this.remove(id);
    }
    if (!this.#byId.has(user.id) && !this.#removed.has(user.id)) {
      const entry = new MessageEntry(user);
      const at = this.entries.findIndex((item) => item.id === answer.id);
      this.#byId.set(entry.id, entry);
      this.entries = at === -1 ? [...this.entries, entry] : this.entries.toSpliced(at, 0, entry);
    } else {
      this.apply(user);
    }
    this.apply(answer);
  }
}

/** Opened conversations kept in memory, so switching back is instant. */
const CACHED_VIEWS = 4;

/**
 * The views kept in memory, most recent last. Beyond {@link CACHED_VIEWS} the oldest are
 * dropped, except those `pinned` says are needed (the open one, one whose answer is asked for
 * or streaming: their events and responses go to them).
 */
export class ViewCache {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; the open view is the state
  readonly #views = new Map<string, ConversationView>();
  /** Per conversation, the message ids main removed (a view made later must not show them). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #removed = new Map<string, Set<string>>();
  readonly #pinned: (view: ConversationView) => boolean;

  constructor(pinned: (view: ConversationView) => boolean) {
    this.#pinned = pinned;
  }

  get(id: string): ConversationView | undefined {
    return this.#views.get(id);
  }

  /** Keeps `view` as the most recent, dropping the oldest unpinned ones beyond the limit. */
  keep(view: ConversationView): void {
    this.#views.delete(view.id);
    this.#views.set(view.id, view);
    for (const [id, cached] of this.#views) {
      if (this.#views.size <= CACHED_VIEWS) break;
      if (!this.#pinned(cached) && !cached.last?.streaming) this.#views.delete(id);
    }
  }

  /** A snapshot of a conversation: merged into its view, or its new view. */
  receive(id: string, messages: readonly ChatMessage[]): ConversationView {
    let view = this.#views.get(id);
    if (view) view.merge(messages);
    else view = new ConversationView(id, messages, this.removedOf(id));
    this.keep(view);
    return view;
  }

  delete(id: string): void {
    this.#views.delete(id);
    this.#removed.delete(id);
  }

  /** The ids main removed from a conversation: shared by every view of it. */
  removedOf(id: string): Set<string> {
    let removed = this.#removed.get(id);
    if (!removed) {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
      removed = new Set();
      this.#removed.set(id, removed);
    }
    return removed;
  }
}
