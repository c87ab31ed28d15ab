import type { Connectivity } from '../preload/api';
import { classifyTransportFailure, meansUnreachable } from './http/net-errors';
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

  /**
   * A fetch that reports what it observed: any response is online; a failure the transport table
   * calls unreachable ({@link meansUnreachable}: no network, a broken connection, a failing
   * proxy — Electron's `net::ERR_*` and Node's `TypeError` alike) is offline. Our own aborts and
   * timeouts, certificate failures, refused redirects and unknown failures say nothing.
   */
  wrap(fetchFn: FetchLike): FetchLike {
    return async (input, init) => {
      try {
        const response = await fetchFn(input, init);
        this.report(true);
        return response;
      } catch (error) {
        const aborted = init?.signal?.aborted === true;
        if (!aborted && meansUnreachable(classifyTransportFailure(error))) this.report(false);
        throw error;
      }
    };
  }
}
