export interface DeltaBatcherOptions {
  /** Shortest time between two flushes (one animation frame). */
  readonly intervalMs?: number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** A monotonic clock in ms. */
  readonly now?: () => number;
}

/**
 * Batches the text of one streaming answer — its answer text and its reasoning — into main →
 * renderer messages (performance.md: at most one per 16 ms per stream, the first token at once).
 * A flush carries both kinds joined, under one `seq` (one revision of the message), so reasoning
 * follows the same ordering rule as the answer. A piece that arrives when the last
 * flush is at least `intervalMs` old — the first piece always — is flushed at once; later ones
 * are joined and flushed by a single timer at the end of the interval. `seq` starts at 0 and
 * grows by one per flush. Only a pending flush holds a timer, so an idle stream does no work.
 *
 * `drain()` is the end of the stream (finish, Stop, error): it flushes what is pending
 * synchronously, even inside the interval, so the last text precedes the final message.
 * `dispose()` drops pending text and ignores later pushes: drain first to keep it.
 */
export class DeltaBatcher {
  readonly #flush: (text: string, seq: number, reasoning: string) => void;
  readonly #intervalMs: number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;
  readonly #now: () => number;
  #pending: string[] = [];
  #pendingReasoning: string[] = [];
  #timer: unknown = null;
  #lastFlush = Number.NEGATIVE_INFINITY;
  #seq = 0;
  #disposed = false;

  constructor(
    flush: (text: string, seq: number, reasoning: string) => void,
    options: DeltaBatcherOptions = {},
  ) {
    this.#flush = flush;
    this.#intervalMs = options.intervalMs ?? 16;
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Adds answer text and/or reasoning text; both empty is nothing. */
  push(text: string, reasoning = ''): void {
    if (this.#disposed || (text.length === 0 && reasoning.length === 0)) return;
    if (text.length > 0) this.#pending.push(text);
    if (reasoning.length > 0) this.#pendingReasoning.push(reasoning);
    if (this.#timer !== null) return;
    const wait = this.#lastFlush + this.#intervalMs - this.#now();
    if (wait <= 0) this.#emit();
    else this.#schedule(wait);
  }

  drain(): void {
    this.#cancelTimer();
    if (!this.#disposed && this.#hasPending()) this.#emit();
  }

  dispose(): void {
    this.#cancelTimer();
    this.#pending = [];
    this.#pendingReasoning = [];
    this.#disposed = true;
  }

  #schedule(wait: number): void {
    this.#timer = this.#setTimer(() => {
      this.#timer = null;
      if (this.#disposed || !this.#hasPending()) return;
      // Timers may fire a little early; never flush inside the interval.
      const rest = this.#lastFlush + this.#intervalMs - this.#now();
      if (rest > 0) this.#schedule(rest);
      else this.#emit();
    }, wait);
  }

  #cancelTimer(): void {
    if (this.#timer === null) return;
    this.#clearTimer(this.#timer);
    this.#timer = null;
  }

  #hasPending(): boolean {
    return this.#pending.length > 0 || this.#pendingReasoning.length > 0;
  }

  #emit(): void {
    const text = this.#pending.join('');
    const reasoning = this.#pendingReasoning.join('');
    this.#pending = [];
    this.#pendingReasoning = [];
    this.#lastFlush = this.#now();
    const seq = this.#seq;
    this.#seq += 1;
    this.#flush(text, seq, reasoning);
  }
}
