import type { ChatMessage, StreamDelta } from '../../../preload/api';
import type { Piece } from './chat-message.svelte';
import type { ConversationView } from './conversation-view.svelte';

/** What is kept of one message whose conversation has no view: its newest copy, later pieces. */
interface Kept {
  message: ChatMessage | null;
  pieces: Piece[];
}

/**
 * Routes main's message events (`chat:delta`, `chat:message`) to the conversation views.
 *
 * - Streamed text is coalesced: deltas arriving between two frames are applied in one
 *   `requestAnimationFrame` callback, requested only while deltas wait (no loop when idle).
 * - Events for a conversation with no view (not opened yet, a snapshot on its way, or dropped
 *   from the cache) are kept: the newest copy of each message, and the pieces after it. They
 *   are applied when the view appears ({@link deliver}), where the revision rule keeps whichever
 *   is newer of them and the snapshot.
 * - Events for a conversation deleted here are dropped for good.
 */
export class ChatEvents {
  readonly #viewOf: (conversationId: string) => ConversationView | undefined;
  readonly #onFinal: (view: ConversationView, message: ChatMessage) => void;
  readonly #kept = new Map<string, Map<string, Kept>>();
  readonly #gone = new Set<string>();
  /** Pieces waiting for the next frame, per conversation and message. */
  readonly #pending = new Map<string, { conversationId: string; pieces: Piece[] }>();
  #frame = 0;

  /**
   * @param viewOf the view showing a conversation, if there is one.
   * @param onFinal called when a view's answer reaches a final state (for announcements).
   */
  constructor(
    viewOf: (conversationId: string) => ConversationView | undefined,
    onFinal: (view: ConversationView, message: ChatMessage) => void,
  ) {
    this.#viewOf = viewOf;
    this.#onFinal = onFinal;
  }

  delta(delta: StreamDelta): void {
    if (this.#gone.has(delta.conversationId)) return;
    const piece: Piece = {
      seq: delta.seq,
      text: delta.text,
      ...(delta.reasoning && { reasoning: delta.reasoning }),
    };
    const pending = this.#pending.get(delta.messageId);
    if (pending) pending.pieces.push(piece);
    else
      this.#pending.set(delta.messageId, { conversationId: delta.conversationId, pieces: [piece] });
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.flush());
  }

  message(conversationId: string, message: ChatMessage): void {
    if (this.#gone.has(conversationId)) return;
    if (this.#pending.has(message.id)) this.flush();
    const view = this.#viewOf(conversationId);
    if (!view) {
      this.#keep(conversationId, message.id, (kept) => {
        if (kept.message && kept.message.revision >= message.revision) return;
        kept.message = message;
        kept.pieces = kept.pieces.filter((piece) => piece.seq > message.revision);
      });
      return;
    }
    const was = view.get(message.id)?.streaming;
    const { entry, applied } = view.apply(message);
    if (applied && was !== false && !entry.streaming) this.#onFinal(view, message);
  }

  /** Applies every piece received since the last frame, one append per message. */
  flush(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    for (const [messageId, { conversationId, pieces }] of this.#pending) {
      const view = this.#viewOf(conversationId);
      if (view) view.applyPieces(messageId, pieces);
      else this.#keep(conversationId, messageId, (kept) => kept.pieces.push(...pieces));
    }
    this.#pending.clear();
  }

  /** A view for `conversationId` appeared: what was kept for it is applied to it. */
  deliver(view: ConversationView): void {
    this.flush();
    const kept = this.#kept.get(view.id);
    if (!kept) return;
    this.#kept.delete(view.id);
    for (const [messageId, { message, pieces }] of kept) {
      if (message) view.apply(message);
      if (pieces.length > 0) view.applyPieces(messageId, pieces);
    }
  }

  /** The conversation was deleted: what was kept is dropped, and so are its later events. */
  forget(conversationId: string): void {
    this.#gone.add(conversationId);
    this.#kept.delete(conversationId);
    for (const [messageId, pending] of this.#pending) {
      if (pending.conversationId === conversationId) this.#pending.delete(messageId);
    }
  }

  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #keep(conversationId: string, messageId: string, change: (kept: Kept) => void): void {
    let messages = this.#kept.get(conversationId);
    if (!messages) {
      messages = new Map();
      this.#kept.set(conversationId, messages);
    }
    let kept = messages.get(messageId);
    if (!kept) {
      kept = { message: null, pieces: [] };
      messages.set(messageId, kept);
    }
    change(kept);
    if (kept.message && kept.message.status !== 'streaming') kept.pieces = [];
  }
}
