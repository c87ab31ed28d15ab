export interface DeltaBatcherOptions {
  /** Shortest time between two flushes (one animation frame). */
  readonly intervalMs?: number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** A monotonic clock in ms. */
  readonly now?: () => number;
}

/**
 * Batches the text of one streaming answer into main → renderer messages (performance.md: at
 * most one per 16 ms per stream, the first token at once). A piece that arrives when the last
 * flush is at least `intervalMs` old — the first piece always — is flushed at once; later ones
 * are joined and flushed by a single timer at the end of the interval. `seq` starts at 0 and
 * grows by one per flush. Only a pending flush holds a timer, so an idle stream does no work.
 *
 * `drain()` is the end of the stream (finish, Stop, error): it flushes what is pending
 * synchronously, even inside the interval, so the last text precedes the final message.
 * `dispose()` drops pending text and ignores later pushes: drain first to keep it.
 */
export class DeltaBatcher {
  readonly #flush: (text: string, seq: number) => void;
  readonly #intervalMs: number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;
  readonly #now: () => number;
  #pending: string[] = [];
  #timer: unknown = null;
  #lastFlush = Number.NEGATIVE_INFINITY;
  #seq = 0;
  #disposed = false;

  constructor(flush: (text: string, seq: number) => void, options: DeltaBatcherOptions = {}) {
    this.#flush = flush;
    this.#intervalMs = options.intervalMs ?? 16;
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.#now = options.now ?? (() => performance.now());
  }

  push(text: string): void {
    if (this.#disposed || text.length === 0) return;
    this.#pending.push(text);
    if (this.#timer !== null) return;
    const wait = this.#lastFlush + this.#intervalMs - this.#now();
    if (wait <= 0) this.#emit();
    else this.#schedule(wait);
  }

  drain(): void {
    this.#cancelTimer();
    if (!this.#disposed && this.#pending.length > 0) this.#emit();
  }

  dispose(): void {
    this.#cancelTimer();
    this.#pending = [];
    this.#disposed = true;
  }

  #schedule(wait: number): void {
    this.#timer = this.#setTimer(() => {
      this.#timer = null;
      if (this.#disposed || this.#pending.length === 0) return;
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

  #emit(): void {
    const text = this.#pending.join('');
    this.#pending = [];
    this.#lastFlush = this.#now();
    const seq = this.#seq;
    this.#seq += 1;
    this.#flush(text, seq);
  }
}
