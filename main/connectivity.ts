import type { Connectivity } from '../preload/api';
import { classifyTransportFailure, meansUnreachable } from './http/net-errors';
import type { FetchLike } from './http/request';

/**
 * Whether the providers can be reached, as last observed: every request main makes goes through
 * {@link ConnectivityTracker.wrap}, so a network failure marks the app offline and any answer
 * marks it online again. No polling: idle means no work (performance.md "Idle CPU").
 *
 * Every observation gets the next `seq` (0 before the first), so the renderer orders what it
 * receives by `seq`, never by the wall clock: two observations in the same millisecond, or a
 * clock set back, would tie or reverse `checkedAt`.
 */
export class ConnectivityTracker {
  #state: Connectivity;
  readonly #now: () => number;
  readonly #onChange: (state: Connectivity) => void;

  constructor(options: { onChange: (state: Connectivity) => void; now?: () => number }) {
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
    this.#state = { online: true, checkedAt: this.#now(), seq: 0 };
  }

  get state(): Connectivity {
    return this.#state;
  }

  /** Records an observation (a new `seq` whether or not `online` changed); announces transitions. */
  report(online: boolean): void {
    const changed = online !== this.#state.online;
    this.#state = { online, checkedAt: this.#now(), seq: this.#state.seq + 1 };
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
