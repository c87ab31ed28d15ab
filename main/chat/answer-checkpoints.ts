/** Options of {@link AnswerCheckpoints}. */
export interface AnswerCheckpointOptions {
  /** Writes the answer's text so far (ConversationStore.checkpoint). May throw. */
  readonly save: () => void;
  /** Called when a save threw; the stream goes on. */
  readonly failed: (error: unknown) => void;
  /** Text older than this is saved (default 1 s). */
  readonly intervalMs?: number;
  /** This much new text (UTF-16 code units) is saved at once (default 16 KiB). */
  readonly maxChars?: number;
  readonly now?: () => number;
}

/**
 * When a streaming answer's text is saved: at most `intervalMs` after text arrived that is not
 * saved yet (a one-shot timer, set only while there is such text, so an idle stream schedules
 * nothing), or at once when `maxChars` of new text are waiting. Off the per-token path: a token
 * costs an addition and a comparison; the write happens about once a second.
 */
export class AnswerCheckpoints {
  readonly #o: AnswerCheckpointOptions;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #maxChars: number;
  #lastSave: number;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #disposed = false;

  constructor(options: AnswerCheckpointOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#maxChars = options.maxChars ?? 16 * 1024;
    this.#lastSave = this.#now();
  }

  /** `chars` of text (answer or reasoning) arrived. */
  grew(chars: number): void {
    if (this.#disposed || chars === 0) return;
    this.#pending += chars;
    if (this.#pending >= this.#maxChars || this.#now() - this.#lastSave >= this.#intervalMs) {
      this.#save();
      return;
    }
    if (this.#timer !== null) return;
    const wait = Math.max(0, this.#intervalMs - (this.#now() - this.#lastSave));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#save();
    }, wait);
  }

  /** The answer ended (its final state is saved by the caller): nothing more is scheduled. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #save(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#disposed || this.#pending === 0) return;
    this.#pending = 0;
    this.#lastSave = this.#now();
    try {
      this.#o.save();
    } catch (error) {
      this.#o.failed(error);
    }
  }
}
