import { SvelteMap } from 'svelte/reactivity';
import type { ErrorView, LatchkeyApi, ModelsView, ProviderId } from '../../../preload/api';
import { errorViewOf } from '../api';

export type ModelsState = 'idle' | 'loading' | 'ready' | 'failed';

/** The model list of every provider that can chat, loaded on demand, one load at a time each. */
export class ModelLists {
  readonly #api: Pick<LatchkeyApi, 'listModels' | 'setDefaultModel'>;
  readonly #views = new SvelteMap<ProviderId, ModelsView>();
  readonly #states = new SvelteMap<ProviderId, ModelsState>();
  readonly #errors = new SvelteMap<ProviderId, ErrorView>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #loads = new Map<ProviderId, Promise<void>>();

  constructor(api: Pick<LatchkeyApi, 'listModels' | 'setDefaultModel'>) {
    this.#api = api;
  }

  view(provider: ProviderId): ModelsView | null {
    return this.#views.get(provider) ?? null;
  }

  state(provider: ProviderId): ModelsState {
    return this.#states.get(provider) ?? 'idle';
  }

  error(provider: ProviderId): ErrorView | null {
    return this.#errors.get(provider) ?? null;
  }

  has(provider: ProviderId): boolean {
    return this.#views.has(provider);
  }

  /** The load running for a provider, if any. */
  loading(provider: ProviderId): Promise<void> | undefined {
    return this.#loads.get(provider);
  }

  load(provider: ProviderId, refresh: boolean): Promise<void> {
    const running = this.#loads.get(provider);
    if (running) return running;
    this.#states.set(provider, 'loading');
    this.#errors.delete(provider);
    const load = (async () => {
      try {
        this.#views.set(provider, await this.#api.listModels(provider, refresh));
        this.#states.set(provider, 'ready');
      } catch (error) {
        this.#errors.set(provider, errorViewOf(error));
        this.#states.set(provider, 'failed');
      } finally {
        this.#loads.delete(provider);
      }
    })();
    this.#loads.set(provider, load);
    return load;
  }

  /** Makes `model` the provider's default for new chats (remembered by main). */
  async setDefault(provider: ProviderId, model: string): Promise<void> {
    try {
      this.#views.set(provider, await this.#api.setDefaultModel(provider, model));
    } catch (error) {
      console.warn('Could not remember the default model', error);
    }
  }

  /** After being offline: reloads the lists that are missing or came from the cache. */
  refreshStale(providers: readonly ProviderId[]): void {
    for (const provider of providers) {
      const models = this.#views.get(provider);
      if (models === undefined || models.stale) void this.load(provider, true);
    }
  }
}
