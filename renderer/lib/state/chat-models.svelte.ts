import { SvelteMap } from 'svelte/reactivity';
import type { ErrorView, LatchkeyApi, ModelsView, ProviderId } from '../../../preload/api';
import { errorViewOf } from '../api';
import { NEW_CHAT } from './drafts.svelte';

export type ModelsState = 'idle' | 'loading' | 'ready' | 'failed';

/** Where the model picked for a chat is kept: new chats keep one per provider. */
function choiceKey(key: string, provider: ProviderId | null): string {
  return key === NEW_CHAT ? `${NEW_CHAT}:${provider ?? ''}` : key;
}

/**
 * The model list of every provider that can chat (loaded on demand, one load at a time each),
 * and the model picked per chat.
 */
export class ModelLists {
  readonly #api: Pick<LatchkeyApi, 'listModels' | 'setDefaultModel'>;
  readonly #views = new SvelteMap<ProviderId, ModelsView>();
  readonly #states = new SvelteMap<ProviderId, ModelsState>();
  readonly #errors = new SvelteMap<ProviderId, ErrorView>();
  readonly #choices = new SvelteMap<string, string>();
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

  /** The model a chat uses: picked for it, else its conversation's, else the default. */
  modelFor(key: string, provider: ProviderId | null, conversationModel: string | null) {
    const models = provider === null ? null : this.view(provider);
    return (
      this.#choices.get(choiceKey(key, provider)) ??
      conversationModel ??
      models?.defaultModel ??
      models?.models[0]?.id ??
      null
    );
  }

  /** Uses `model` for a chat and makes it its provider's default for new chats. */
  async choose(key: string, provider: ProviderId, model: string): Promise<void> {
    this.#choices.set(choiceKey(key, provider), model);
    await this.setDefault(provider, model);
  }

  /** A new chat became conversation `id`: the model it was sent with is its own now. */
  adoptChoice(id: string, provider: ProviderId, model: string): void {
    this.#choices.set(id, model);
    this.#choices.delete(choiceKey(NEW_CHAT, provider));
  }

  forgetChoice(id: string): void {
    this.#choices.delete(id);
  }

  /** After being offline: reloads the lists that are missing or came from the cache. */
  refreshStale(providers: readonly ProviderId[]): void {
    for (const provider of providers) {
      const models = this.#views.get(provider);
      if (models === undefined || models.stale) void this.load(provider, true);
    }
  }
}
