import type { ProviderId, ProviderState } from '../../preload/api';
import type { MessageKey } from './i18n/index.svelte';

/**
 * How a provider is presented beyond what main reports. The name shown is main's
 * `ProviderState.displayName` (the generic OAuth/OIDC provider is named by its settings);
 * `fallbackName` is only for wording before the states have loaded.
 */
export interface ProviderInfo {
  readonly id: ProviderId;
  readonly fallbackName: string;
  readonly tagline: MessageKey;
  /**
   * `key`: a long-lived user key with no session (OpenRouter: revoke it on the provider's
   * site). `token`: an access token renewed from a refresh token until the session ends.
   */
  readonly credential: 'key' | 'token';
  /** What the "not configured" state asks the user to fill in, when the provider has settings. */
  readonly setupHint: MessageKey | null;
}

/** One entry per provider of the contract; a new provider adds a card by adding a row here. */
export const PROVIDERS: Readonly<Record<ProviderId, ProviderInfo>> = {
  openrouter: {
    id: 'openrouter',
    fallbackName: 'OpenRouter',
    tagline: 'provider.openrouter.tagline',
    credential: 'key',
    setupHint: null,
  },
  yooai: {
    id: 'yooai',
    fallbackName: 'YOO-AI',
    tagline: 'provider.yooai.tagline',
    credential: 'token',
    setupHint: 'provider.yooai.setup',
  },
  oidc: {
    id: 'oidc',
    fallbackName: 'OAuth / OpenID Connect',
    tagline: 'provider.oidc.tagline',
    credential: 'token',
    setupHint: 'provider.oidc.setup',
  },
};

/** The name to show for a provider: main's display name once known. */
export function providerName(provider: ProviderId, state?: ProviderState | null): string {
  const name = state?.displayName.trim();
  return name ? name : PROVIDERS[provider].fallbackName;
}
