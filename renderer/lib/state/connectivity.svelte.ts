import type { Connectivity, LatchkeyApi } from '../../../preload/api';
import { online } from 'svelte/reactivity/window';

/**
 * Whether the providers can be reached: main's observations (`app:connectivity` and the answers
 * to checks), ordered by main's `seq` so a late answer never hides a newer observation, and the
 * OS's online flag.
 */
export class ConnectionState {
  readonly #api: Pick<LatchkeyApi, 'checkConnectivity'>;
  readonly #onBackOnline: () => void;
  current = $state.raw<Connectivity | null>(null);
  checking = $state(false);
  /** False when main or the OS says the provider cannot be reached. */
  readonly online: boolean = $derived(this.current?.online !== false && online.current !== false);

  /** @param onBackOnline called when main sees the providers again after being offline. */
  constructor(api: Pick<LatchkeyApi, 'checkConnectivity'>, onBackOnline: () => void) {
    this.#api = api;
    this.#onBackOnline = onBackOnline;
  }

  /** Asks main to probe the providers now. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      this.apply(await this.#api.checkConnectivity());
    } catch (error) {
      console.warn('Could not check connectivity', error);
    } finally {
      this.checking = false;
    }
  }

  /** Newer observations only: an equal `seq` is the same observation. */
  apply(next: Connectivity): void {
    const wasOffline = this.current?.online === false;
    if (this.current && next.seq <= this.current.seq) return;
    this.current = next;
    if (wasOffline && next.online) this.#onBackOnline();
  }
}
