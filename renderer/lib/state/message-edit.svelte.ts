import type { ErrorView } from '../../../preload/api';
import type { ConversationView } from './conversation-view.svelte';

/** What editing needs of the chat store. */
export interface EditTarget {
  readonly view: ConversationView | null;
  /** An answer is being requested or streamed in the open chat: no edit can be sent. */
  readonly streaming: boolean;
  /** The open chat's last message of the user's own. */
  readonly lastUserMessageId: string | null;
  edit(messageId: string, text: string): Promise<ErrorView | null>;
}

/**
 * Edit and resend, in the open chat: which of the user's messages is being edited, the text in
 * its edit box, the confirmation asked before later turns are replaced, and the reason a send
 * failed. Lives outside the message component, since the message list is virtualized: an
 * edit scrolled out of view and back keeps its text. A failed send keeps the text and shows why;
 * nothing was replaced then.
 */
export class MessageEdit {
  readonly #target: () => EditTarget;
  /** The message being edited, or null. */
  messageId = $state<string | null>(null);
  text = $state('');
  /** Why the last "Save and send" failed (the text is kept). */
  error = $state.raw<ErrorView | null>(null);
  /** "Save and send" was pressed and main has not answered yet. */
  pending = $state(false);
  /** How many messages after the edited one would be replaced, while the user is asked. */
  confirming = $state<number | null>(null);

  /** @param target the chat store, read when needed (it may be replaced). */
  constructor(target: () => EditTarget) {
    this.#target = target;
  }

  get #chat(): EditTarget {
    return this.#target();
  }

  /** An edit can start (and be sent): nothing streams in the open chat. */
  get available(): boolean {
    return !this.#chat.streaming && !this.pending;
  }

  /** Opens the edit box of a message of the user's, with its text. */
  start(messageId: string): boolean {
    const entry = this.#chat.view?.get(messageId);
    if (!entry || entry.role !== 'user' || entry.optimistic || !this.available) return false;
    this.messageId = messageId;
    this.text = entry.content;
    this.error = null;
    this.confirming = null;
    return true;
  }

  /** Up-arrow in an empty composer: edits the user's last message. */
  startLast(): boolean {
    const id = this.#chat.lastUserMessageId;
    return id !== null && this.start(id);
  }

  cancel(): void {
    if (this.pending) return;
    this.messageId = null;
    this.text = '';
    this.error = null;
    this.confirming = null;
  }

  /**
   * "Save and send": asks first when later turns would be replaced (a user message after the
   * edited one), else sends at once.
   */
  async save(): Promise<boolean> {
    const id = this.messageId;
    const view = this.#chat.view;
    if (id === null || !view || this.text.trim() === '' || !this.available) return false;
    const at = view.entries.findIndex((entry) => entry.id === id);
    if (at === -1) return false;
    const later = view.entries.slice(at + 1);
    if (later.some((entry) => entry.role === 'user')) {
      this.confirming = later.length;
      return false;
    }
    return this.send();
  }

  /** Sends the edit (after the confirmation, if one was asked). */
  async send(): Promise<boolean> {
    const id = this.messageId;
    this.confirming = null;
    if (id === null || this.pending) return false;
    this.pending = true;
    this.error = null;
    const error = await this.#chat.edit(id, this.text);
    this.pending = false;
    if (error !== null) {
      // Stopped before the provider answered: the text is still in the box, which says it all.
      if (error.code !== 'CHAT_STOPPED') this.error = error;
      return false;
    }
    if (this.messageId === id) this.cancel();
    return true;
  }

  /** The confirmation was declined: the edit box stays, with its text. */
  keepEditing(): void {
    this.confirming = null;
  }

  dismissError(): void {
    this.error = null;
  }
}
