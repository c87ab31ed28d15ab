import type { ErrorView, LatchkeyApi, SearchResult } from '../../../preload/api';
import { errorViewOf } from '../api';

/** Results asked for per query. */
const LIMIT = 20;
/** Typing faster than this asks once, for the last text. */
const DEBOUNCE_MS = 60;

/** Where a chosen result leads: the caller opens the conversation there. */
export interface SearchTarget {
  readonly conversationId: string;
  readonly messageId: string | null;
}

/**
 * "Search conversations": what was typed, the results main found for it, and which one is
 * active (arrow keys). Only the answer to the latest query is shown; an older one arriving late
 * is dropped.
 */
export class SearchState {
  open = $state(false);
  query = $state('');
  results = $state.raw<readonly SearchResult[]>([]);
  /** `idle`: nothing to search for (blank, or no letter or digit: `*`, `"`…). */
  status = $state<'idle' | 'searching' | 'ready' | 'failed'>('idle');
  error = $state.raw<ErrorView | null>(null);
  active = $state(0);

  readonly #api: LatchkeyApi;
  #request = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The text waiting for the debounce, and the search in flight. */
  #waiting: string | null = null;
  #inFlight: Promise<void> | null = null;

  constructor(api: LatchkeyApi) {
    this.#api = api;
  }

  /** Opens the search; main starts loading its index now, so the first query is quick. */
  show(): void {
    if (this.open) return;
    this.open = true;
    this.active = 0;
    void this.#api.searchConversations('', 1).catch(() => undefined);
    if (/[\p{L}\p{N}]/u.test(this.query)) void this.#run(this.query);
  }

  hide(): void {
    this.open = false;
    this.#cancel();
  }

  /** The text changed: searches it shortly (the last text typed wins). */
  setQuery(text: string): void {
    this.query = text;
    this.#cancel();
    // Main finds nothing without a letter or digit (`*`, `"`…): no need to ask it.
    if (!/[\p{L}\p{N}]/u.test(text)) {
      this.#request++;
      this.results = [];
      this.status = 'idle';
      this.error = null;
      return;
    }
    this.#waiting = text;
    this.#timer = setTimeout(() => void this.#run(text), DEBOUNCE_MS);
  }

  /** Resolves once the results are those of the text typed last (Enter right after typing). */
  async settled(): Promise<void> {
    if (this.#waiting !== null) {
      const text = this.#waiting;
      this.#cancel();
      await this.#run(text);
    } else {
      await this.#inFlight;
    }
  }

  /** Moves the active result by `delta`, wrapping around. */
  move(delta: number): void {
    const count = this.results.length;
    if (count === 0) return;
    this.active = (((this.active + delta) % count) + count) % count;
  }

  /** The result at `index` (default: the active one), or null. */
  target(index = this.active): SearchTarget | null {
    const result = this.results[index];
    return result ? { conversationId: result.conversationId, messageId: result.messageId } : null;
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#waiting = null;
  }

  #run(text: string): Promise<void> {
    this.#timer = null;
    this.#waiting = null;
    const run = this.#search(text);
    this.#inFlight = run;
    return run;
  }

  async #search(text: string): Promise<void> {
    const request = ++this.#request;
    this.status = 'searching';
    try {
      const results = await this.#api.searchConversations(text, LIMIT);
      if (request !== this.#request) return;
      this.results = results;
      this.active = 0;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      if (request !== this.#request) return;
      this.results = [];
      this.error = errorViewOf(error);
      this.status = 'failed';
    }
  }
}
