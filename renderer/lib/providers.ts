import type { ProviderId } from '../../preload/api';
import type { MessageKey } from './i18n/index.svelte';

/** How a provider is presented. Names are brands: the same in every language. */
export interface ProviderInfo {
  readonly id: ProviderId;
  readonly name: string;
  readonly tagline: MessageKey;
}

/** One entry per provider of the contract; a new provider adds a card by adding a row here. */
export const PROVIDERS: Readonly<Record<ProviderId, ProviderInfo>> = {
  openrouter: { id: 'openrouter', name: 'OpenRouter', tagline: 'provider.openrouter.tagline' },
};
