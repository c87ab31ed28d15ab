import { SvelteMap } from 'svelte/reactivity';
import type { LatchkeyApi } from '../../../preload/api';

/** Key of the chat that has no conversation yet (drafts, model choice and errors are per key). */
export const NEW_CHAT = '';
/** How long typing pauses before the draft is saved. */
const DRAFT_SAVE_MS = 400;

/**
 * What the user typed and did not send, per chat. A draft is saved in main a moment after typing
 * pauses (and at once on leaving the chat) — the new chat's too, under the key `''`: main moves
 * it to the conversation that chat's first send creates, in the same write.
 *
 * Saves of one chat are sent one after the other, each once the one before has been answered,
 * so main stores them in the order they were made (in the harness each invoke is its own HTTP
 * request, and two could be handled in either order). A save sends the text as it is when its
 * turn comes; other requests that change what main holds for a chat (reading the stored draft,
 * creating the conversation that takes the new chat's draft) wait in the same line
 * ({@link during}).
 */
export class Drafts {
  readonly #api: Pick<LatchkeyApi, 'setDraft' | 'newChatDraft'>;
  readonly #texts = new SvelteMap<string, string>();
  /** What was last sent to main per conversation (bookkeeping, never shown). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #saved = new Map<string, string>();
  /** The last save of each chat, which the next one waits for. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #queues = new Map<string, Promise<void>>();
  /** Chats whose draft in main is known here (read, or saved from here). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #known = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerKey: string | null = null;

  constructor(api: Pick<LatchkeyApi, 'setDraft' | 'newChatDraft'>) {
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

  /**
   * The draft main kept for a conversation. The first time it is known here, text typed before
   * it arrived (a conversation opened at startup, typed into while it loads) follows it; after
   * that, what was typed here since wins.
   */
  restore(id: string, stored: string): void {
    if (this.#known.has(id)) {
      if (!this.#texts.has(id)) this.#set(id, stored);
      return;
    }
    this.#known.add(id);
    this.#saved.set(id, stored);
    const typed = this.get(id);
    if (typed.trim() === '' || typed === stored) this.#set(id, stored);
    else if (stored !== '') this.#set(id, `${stored}\n\n${typed}`);
    // Saves made before were held back (see persist): the draft goes out now if it changed.
    this.persist(id);
  }

  /**
   * Opens a conversation with `read` (which answers with its stored draft). The draft is
   * restored as soon as it arrives; saves made meanwhile wait for it, so they never overwrite
   * a draft not read yet.
   */
  read<T extends { readonly id: string; readonly draft: string }>(
    id: string,
    read: () => Promise<T>,
  ): Promise<T> {
    if (this.#known.has(id)) return read();
    return this.during(id, async () => {
      const conversation = await read();
      this.restore(conversation.id, conversation.draft);
      return conversation;
    });
  }

  /** Saves the draft waiting for its timer now (on blur, switching chats, closing). */
  save(): void {
    const key = this.#timerKey;
    this.#cancelTimer();
    if (key !== null) this.persist(key);
  }

  /**
   * Sends a chat's draft to main, after the saves before it, as it is when its turn comes.
   * `force` sends it even when main was last sent the same text (main clears a draft itself
   * when a send is accepted). A chat forgotten or moved meanwhile sends nothing.
   */
  persist(key: string, force = false): void {
    this.during(key, async () => {
      if (!this.#texts.has(key)) return;
      // A conversation whose stored draft was not read yet (typed into while it opens): saving
      // now would overwrite that draft; restore() saves the two together once it is read.
      if (key !== NEW_CHAT && !this.#known.has(key)) return;
      const text = this.get(key);
      if (!force && this.#saved.get(key) === text) return;
      this.#saved.set(key, text);
      try {
        await this.#api.setDraft(key, text);
        this.#known.add(key);
      } catch (error) {
        if (this.#saved.get(key) === text) this.#saved.delete(key);
        console.warn('Could not save the draft', error);
      }
    });
  }

  /**
   * Runs `request` once every save of `key` made so far has been answered; saves made after
   * wait for it. For requests that change what main holds for that chat.
   */
  during<T>(key: string, request: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(key) ?? Promise.resolve();
    const result = before.then(request);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, done);
    void done.then(() => {
      if (this.#queues.get(key) === done) this.#queues.delete(key);
    });
    return result;
  }

  /** Saves `text` as a chat's draft in main now (inside {@link during}), whatever is shown. */
  async store(key: string, text: string): Promise<void> {
    if (this.#saved.get(key) === text) return;
    await this.#api.setDraft(key, text);
    this.#saved.set(key, text);
  }

  /**
   * Reads the new chat's draft main kept. Text typed before it arrived follows it; saves made
   * meanwhile wait for it, so they never overwrite it.
   */
  load(): Promise<void> {
    return this.during(NEW_CHAT, async () => {
      let stored: string;
      try {
        stored = await this.#api.newChatDraft();
      } catch (error) {
        console.warn('Could not read the new chat draft', error);
        return;
      }
      this.#saved.set(NEW_CHAT, stored);
      const typed = this.get(NEW_CHAT);
      if (stored === '') return;
      this.#set(NEW_CHAT, typed.trim() === '' ? stored : `${stored}\n\n${typed}`);
      if (typed.trim() !== '') this.persist(NEW_CHAT);
    });
  }

  /** Resolves once every save of a chat made so far has been answered (never rejects). */
  settled(key: string): Promise<void> {
    return this.#queues.get(key) ?? Promise.resolve();
  }

  /**
   * The new chat's first send created conversation `id`, and main moved the new chat's draft
   * (`stored`) to it. When `stay`, the user is still looking at it: what was typed meanwhile is
   * the conversation's draft.
   */
  adopt(id: string, stored: string, stay: boolean): void {
    this.#saved.set(NEW_CHAT, '');
    this.#saved.set(id, stored);
    this.#known.add(id);
    // Left for another chat: what the new chat shows now is its own draft again.
    if (!stay) return this.persist(NEW_CHAT);
    if (this.#timerKey === NEW_CHAT) this.#cancelTimer();
    const text = this.get(NEW_CHAT);
    this.#texts.delete(NEW_CHAT);
    this.#set(id, text);
  }

  /** The conversation was deleted. */
  forget(id: string): void {
    if (this.#timerKey === id) this.#cancelTimer();
    this.#texts.delete(id);
    this.#saved.delete(id);
    this.#known.delete(id);
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
