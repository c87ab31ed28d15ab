import type { ChatMessage, MessageRole, StreamDelta } from '../../../preload/api';
import { RenderedText, type BlockChunks } from './rendered-text.svelte';

export { markdown, type BlockChunks, type BlockView } from './rendered-text.svelte';

/**
 * Streamed text: one delta's `seq` (the message's revision once it is added), its answer text
 * and its reasoning text, both applied under that one `seq`.
 */
export type Piece = Pick<StreamDelta, 'seq' | 'text' | 'reasoning'>;

/**
 * One message of the open conversation. The text lives here as a plain string; its markdown is
 * parsed lazily, only while the message is on screen or streaming (a 2,000-message history
 * parses only the few messages in view), and incrementally while it streams: finished blocks
 * keep their identity, so the view re-renders only the open tail. An answer's reasoning is a
 * second text, streamed by the same pieces under the same revisions, parsed the same way.
 */
export class MessageEntry {
  readonly id: string;
  readonly role: MessageRole;
  /** True for the user's message shown before `send` resolved. */
  readonly optimistic: boolean;
  /** The latest snapshot from main: status, model, usage, error. `content` may lag the stream. */
  message: ChatMessage;

  /** The revision the text has reached: the snapshot's, or the last delta applied after it. */
  #revision: number;
  /** Made from a delta before main's copy of the message arrived: main's copy replaces it. */
  #placeholder: boolean;
  /** Deltas that arrived ahead of one missing before them, applied once it comes. */
  #early: Piece[] = [];
  #version = $state(0);
  readonly #answer: RenderedText;
  readonly #reasoning: RenderedText;
  /** When this view saw reasoning start, and the answer start after it (ms, `Date.now`). */
  #thinkingFrom: number | null = null;
  #thinkingTo: number | null = null;

  constructor(message: ChatMessage, optimistic = false, placeholder = false) {
    this.id = message.id;
    this.role = message.role;
    this.optimistic = optimistic;
    this.message = $state.raw(message);
    const changed = () => this.#version++;
    this.#answer = new RenderedText(message.content, changed);
    this.#reasoning = new RenderedText(message.reasoning ?? '', changed);
    this.#revision = message.revision;
    this.#placeholder = placeholder;
    if (message.status === 'streaming' && message.reasoning) {
      this.#thinkingFrom = message.createdAt;
      if (message.content !== '') this.#thinkingTo = Date.now();
    }
  }

  /** The user's message as shown at once, before main has stored it. */
  static optimistic(id: string, text: string): MessageEntry {
    const message: ChatMessage = {
      id,
      revision: 0,
      role: 'user',
      content: text,
      createdAt: Date.now(),
      status: 'complete',
      model: null,
      usage: null,
      finishReason: null,
      error: null,
    };
    return new MessageEntry(message, true);
  }

  /** Where an answer stands, from a delta alone (its message has not arrived yet). */
  static placeholder(messageId: string): MessageEntry {
    const message: ChatMessage = {
      id: messageId,
      revision: 0,
      role: 'assistant',
      content: '',
      createdAt: Date.now(),
      status: 'streaming',
      model: null,
      usage: null,
      finishReason: null,
      error: null,
    };
    return new MessageEntry(message, false, true);
  }

  get revision(): number {
    return this.#revision;
  }

  /** The raw text so far (what "Copy" copies). */
  get content(): string {
    void this.#version;
    return this.#answer.content;
  }

  /** The reasoning so far ('' when the model streamed none). */
  get reasoning(): string {
    void this.#version;
    return this.#reasoning.content;
  }

  get streaming(): boolean {
    return this.message.status === 'streaming';
  }

  /** The shown markdown trails the text (a backlog parsed over the coming frames). */
  get rendering(): boolean {
    void this.#version;
    return this.#answer.rendering || this.#reasoning.rendering;
  }

  /** Reasoning is streaming and the answer has not started yet. */
  get thinking(): boolean {
    void this.#version;
    return this.streaming && this.#answer.content === '' && this.#reasoning.content !== '';
  }

  /**
   * How long the model reasoned, in ms: main's measure once the answer is final, meanwhile this
   * view's own (from the first reasoning it saw to the first answer text); null while thinking
   * or without reasoning.
   */
  get reasoningMs(): number | null {
    void this.#version;
    if (this.message.reasoningMs !== undefined) return this.message.reasoningMs;
    if (this.#reasoning.content === '' || this.#thinkingFrom === null) return null;
    if (this.#thinkingTo === null) return null;
    return Math.max(0, this.#thinkingTo - this.#thinkingFrom);
  }

  /**
   * Markdown blocks of an assistant message in chunks, parsed on first read; null until the
   * markdown module is loaded (the text is then shown plain).
   */
  get chunks(): BlockChunks | null {
    void this.#version;
    if (this.role !== 'assistant') return [];
    return this.#answer.chunks(this.streaming);
  }

  /** Markdown blocks of the reasoning in chunks, parsed on first read (only while it is shown). */
  get reasoningChunks(): BlockChunks | null {
    void this.#version;
    if (this.role !== 'assistant') return [];
    return this.#reasoning.chunks(this.streaming);
  }

  /**
   * Applies streamed pieces (at most once per animation frame per message): those right after
   * the current revision are joined and appended in one go — answer text and reasoning alike —
   * those already in the text are skipped, and those after a gap wait for the piece or snapshot
   * that fills it.
   */
  applyPieces(pieces: readonly Piece[]): void {
    if (!this.streaming) return;
    const waiting = [...this.#early, ...pieces].sort((a, b) => a.seq - b.seq);
    let text = '';
    let reasoning = '';
    let revision = this.#revision;
    const early: Piece[] = [];
    for (const piece of waiting) {
      if (piece.seq <= revision) continue;
      if (piece.seq === revision + 1) {
        text += piece.text;
        reasoning += piece.reasoning ?? '';
        revision = piece.seq;
      } else {
        early.push(piece);
      }
    }
    this.#early = early.filter((piece) => piece.seq > revision);
    this.#revision = revision;
    if (text === '' && reasoning === '') return;
    if (reasoning !== '') this.#thinkingFrom ??= Date.now();
    if (text !== '' && this.#thinkingFrom !== null) this.#thinkingTo ??= Date.now();
    this.#reasoning.append(reasoning);
    this.#answer.append(text);
    this.#version++;
  }

  /**
   * Applies main's copy of the message when it is newer than what is shown (a higher revision;
   * an equal one only replaces a placeholder). Returns false when it was older and ignored.
   */
  apply(message: ChatMessage): boolean {
    if (message.revision < this.#revision) return false;
    if (message.revision === this.#revision && !this.#placeholder) return false;
    const wasStreaming = this.streaming;
    this.#answer.replace(message.content, wasStreaming);
    this.#reasoning.replace(message.reasoning ?? '', wasStreaming);
    if (message.status !== 'streaming' && wasStreaming) {
      this.#answer.finish();
      this.#reasoning.finish();
    }
    if (message.reasoning && message.status === 'streaming') {
      this.#thinkingFrom ??= message.createdAt;
      if (message.content !== '') this.#thinkingTo ??= Date.now();
    }
    this.#revision = message.revision;
    this.#placeholder = false;
    this.message = message;
    this.#version++;
    if (this.#early.length > 0) this.applyPieces([]);
    return true;
  }

  /** Forgets the parsed markdown while the message is off screen (it is parsed again if needed). */
  release(): void {
    if (this.streaming) return;
    this.#answer.drop();
    this.#reasoning.drop();
  }
}
