import { SvelteMap } from 'svelte/reactivity';
import type { LatchkeyApi } from '../../../preload/api';

/** Key of the chat that has no conversation yet (drafts, model choice and errors are per key). */
export const NEW_CHAT = '';
/** How long typing pauses before the draft is saved. */
const DRAFT_SAVE_MS = 400;

/**
 * What the user typed and did not send, per chat. A conversation's draft is saved in main a
 * moment after typing pauses (and at once on leaving the chat); a new chat's stays in memory
 * until its first send creates the conversation.
 *
 * Saves of one chat are sent one after the other, each once the one before has been answered,
 * so main stores them in the order they were made (in the harness each invoke is its own HTTP
 * request, and two could be handled in either order).
 */
export class Drafts {
  readonly #api: Pick<LatchkeyApi, 'setDraft'>;
  readonly #texts = new SvelteMap<string, string>();
  /** What was last sent to main per conversation (bookkeeping, never shown). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #saved = new Map<string, string>();
  /** The last save of each chat, which the next one waits for. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #queues = new Map<string, Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerKey: string | null = null;

  constructor(api: Pick<LatchkeyApi, 'setDraft'>) {
    this.#api = api;
  }

  get(key: string): string {
    return this.#texts.get(key) ?? '';
  }

  has(key: string): boolean {
    return this.#texts.has(key);
  }

  /** The user typed: shown at once, saved when typing pauses. */
  type(key: string, text: string): void {
    this.#set(key, text);
    if (key === NEW_CHAT) return;
    if (this.#timerKey !== null && this.#timerKey !== key) this.save();
    this.#timerKey = key;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.save(), DRAFT_SAVE_MS);
  }

  /** Sets a chat's draft without typing (sent, given back after a failed send). */
  put(key: string, text: string): void {
    if (this.#timerKey === key) this.#cancelTimer();
    this.#set(key, text);
  }

  /** The draft main kept for a conversation, unless one was typed here since. */
  restore(id: string, stored: string): void {
    if (!this.#texts.has(id)) this.#set(id, stored);
    if (!this.#saved.has(id)) this.#saved.set(id, stored);
  }

  /** Saves the draft waiting for its timer now (on blur, switching chats, closing). */
  save(): void {
    const key = this.#timerKey;
    this.#cancelTimer();
    if (key !== null && key !== NEW_CHAT) this.persist(key);
  }

  /**
   * Sends a conversation's draft to main, after the saves before it. `force` sends it even when
   * main was last sent the same text (main clears a draft itself when a send is accepted).
   */
  persist(key: string, force = false): void {
    if (key === NEW_CHAT) return;
    const text = this.get(key);
    if (!force && this.#saved.get(key) === text) return;
    this.#saved.set(key, text);
    const before = this.#queues.get(key) ?? Promise.resolve();
    const save = before
      .then(() => this.#api.setDraft(key, text))
      .catch((error: unknown) => {
        if (this.#saved.get(key) === text) this.#saved.delete(key);
        console.warn('Could not save the draft', error);
      });
    this.#queues.set(key, save);
    void save.then(() => {
      if (this.#queues.get(key) === save) this.#queues.delete(key);
    });
  }

  /** Resolves once every save of a chat made so far has been answered (never rejects). */
  settled(key: string): Promise<void> {
    return this.#queues.get(key) ?? Promise.resolve();
  }

  /** A new chat became a conversation: its draft goes with it. */
  move(from: string, to: string): void {
    const text = this.get(from);
    this.#texts.delete(from);
    this.#set(to, text);
  }

  /** The conversation was deleted. */
  forget(id: string): void {
    if (this.#timerKey === id) this.#cancelTimer();
    this.#texts.delete(id);
    this.#saved.delete(id);
  }

  dispose(): void {
    this.save();
  }

  #set(key: string, text: string): void {
    this.#texts.set(key, text);
  }

  #cancelTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerKey = null;
  }
}
