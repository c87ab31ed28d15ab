import type { Connectivity } from '../preload/api';
import type { FetchLike } from './http/request';

/**
 * Whether the providers can be reached, as last observed: every request main makes goes through
 * {@link ConnectivityTracker.wrap}, so a network failure marks the app offline and any answer
 * marks it online again. No polling: idle means no work (performance.md "Idle CPU").
 */
export class ConnectivityTracker {
  #state: Connectivity;
  readonly #now: () => number;
  readonly #onChange: (state: Connectivity) => void;

  constructor(options: { onChange: (state: Connectivity) => void; now?: () => number }) {
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
    this.#state = { online: true, checkedAt: this.#now() };
  }

  get state(): Connectivity {
    return this.#state;
  }

  /** Records an observation; announces only transitions. */
  report(online: boolean): void {
    const changed = online !== this.#state.online;
    this.#state = { online, checkedAt: this.#now() };
    if (changed) this.#onChange(this.#state);
  }

  /** A fetch that reports what it observed. Aborts and timeouts say nothing about the network. */
  wrap(fetchFn: FetchLike): FetchLike {
    return async (input, init) => {
      try {
        const response = await fetchFn(input, init);
        this.report(true);
        return response;
      } catch (error) {
        const aborted = init?.signal?.aborted === true;
        if (!aborted && error instanceof TypeError && !/redirect/i.test(String(error.cause))) {
          this.report(false);
        }
        throw error;
      }
    };
  }
}
