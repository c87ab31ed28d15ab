import type {
  OidcSettings,
  ProviderId,
  ProviderSettings,
  SettingsSource,
  YooaiSettings,
} from '../../preload/api';
import { isLoopbackHttp, type Config } from '../config';
import type { ProviderFlow } from './flow';
import { OIDC_DEFAULTS, createOidcFlow, validateOidcSettings } from './oidc';
import { OPENROUTER, createOpenRouterFlow } from './openrouter';
import { createYooaiFlow, validateYooaiSettings, yooaiDefaults } from './yooai';

/** Where user-saved provider settings live (the settings store's `providers` entry). */
export interface ProviderSettingsPort {
  read(): { yooai?: YooaiSettings; oidc?: OidcSettings };
  write(next: { yooai?: YooaiSettings; oidc?: OidcSettings }): void;
}

/** A provider as the auth service sees it right now. */
export interface ProviderEntry {
  readonly id: ProviderId;
  /** Null while the provider is not configured (settings missing or invalid). */
  readonly flow: ProviderFlow | null;
  readonly displayName: string;
  /** The effective settings (none for OpenRouter). */
  readonly settings: ProviderSettings | null;
  readonly source: SettingsSource;
  /**
   * Which server and client a session belongs to. A stored session whose fingerprint differs
   * from the current settings' (another issuer, app or chat endpoint) is not used, and deleted.
   */
  readonly fingerprint: string;
  /** http on a loopback host is allowed for this provider's URLs (tests, the harness). */
  readonly allowLoopbackHttp: boolean;
  /**
   * The `iss` a callback may carry (RFC 9207), for providers that do not check it in their flow:
   * their own origin. Null for the OIDC flow, which checks `iss` against discovered metadata.
   */
  readonly expectedIssuer: string | null;
}

export interface ProviderRegistryOptions {
  readonly config: Config;
  readonly settings: ProviderSettingsPort;
  /** `app.latchkey` or `app.latchkey.dev`. */
  readonly scheme: string;
  /** "Latchkey on <hostname>" (OpenRouter key label). */
  readonly keyLabel: string;
}

/**
 * The provider registry: each provider is a definition (its flow) built from data — the
 * environment, the user's saved settings and defaults. OpenRouter needs no settings; YOO-AI and
 * the generic OAuth/OIDC provider are "not configured" until their settings validate.
 */
export class ProviderRegistry {
  readonly #o: ProviderRegistryOptions;
  readonly #entries = new Map<ProviderId, ProviderEntry>();

  constructor(options: ProviderRegistryOptions) {
    this.#o = options;
    this.#entries.set('openrouter', this.#openrouter());
    this.#entries.set('yooai', this.#yooai());
    this.#entries.set('oidc', this.#oidc());
  }

  entry(provider: ProviderId): ProviderEntry {
    const entry = this.#entries.get(provider);
    if (!entry) throw new Error(`unknown provider ${provider}`);
    return entry;
  }

  /**
   * Validates and saves a provider's settings; the provider's flow is rebuilt from them.
   * @throws LatchkeyError `SETTINGS_INVALID` (with the field) or `STORE_WRITE_FAILED`.
   */
  configure(input: ProviderSettings): ProviderEntry {
    const saved = this.#o.settings.read();
    if (input.provider === 'yooai') {
      const settings = validateYooaiSettings(input.settings, { scheme: this.#o.scheme });
      this.#o.settings.write({ ...saved, yooai: settings });
      this.#entries.set('yooai', this.#yooai());
    } else {
      const settings = validateOidcSettings(input.settings);
      this.#o.settings.write({ ...saved, oidc: settings });
      this.#entries.set('oidc', this.#oidc());
    }
    return this.entry(input.provider);
  }

  #openrouter(): ProviderEntry {
    const baseUrl = this.#o.config.openrouterUrl;
    return {
      id: 'openrouter',
      flow: createOpenRouterFlow({ baseUrl, keyLabel: this.#o.keyLabel }),
      displayName: OPENROUTER.displayName,
      settings: null,
      source: 'default',
      fingerprint: baseUrl.origin,
      allowLoopbackHttp: isLoopbackHttp(baseUrl),
      expectedIssuer: baseUrl.origin,
    };
  }

  #yooai(): ProviderEntry {
    const { config, scheme } = this.#o;
    const saved = this.#o.settings.read().yooai;
    const effective: YooaiSettings = saved ?? {
      ...yooaiDefaults(scheme),
      baseUrl: trimSlash(config.yooaiUrl.href),
      ...config.prefill.yooai,
    };
    const source: SettingsSource = saved ? 'user' : config.yooaiFromEnv ? 'env' : 'default';
    let flow: ProviderFlow | null = null;
    let settings = effective;
    try {
      settings = validateYooaiSettings(effective, { scheme });
      flow = createYooaiFlow(settings, { scheme });
    } catch {
      // Not configured yet (or a hand-edited file): the form shows what is missing.
    }
    return {
      id: 'yooai',
      flow,
      displayName: flow?.displayName ?? 'YOO-AI',
      settings: { provider: 'yooai', settings },
      source,
      fingerprint: `${settings.baseUrl}|${settings.appId}|${settings.unionId}`,
      allowLoopbackHttp: urlIsLoopbackHttp(settings.baseUrl),
      expectedIssuer: originOf(settings.baseUrl),
    };
  }

  #oidc(): ProviderEntry {
    const { config, scheme } = this.#o;
    const saved = this.#o.settings.read().oidc;
    const fromEnv = Object.keys(config.prefill.oidc).length > 0;
    const effective: OidcSettings = saved ?? {
      ...OIDC_DEFAULTS,
      ...config.prefill.oidc,
      chatUrl: config.prefill.oidc.chatUrl ?? OIDC_DEFAULTS.chatUrl,
    };
    const source: SettingsSource = saved ? 'user' : fromEnv ? 'env' : 'default';
    let flow: ProviderFlow | null = null;
    let settings = effective;
    try {
      settings = validateOidcSettings(effective);
      flow = createOidcFlow(settings, { scheme });
    } catch {
      // Not configured yet.
    }
    return {
      id: 'oidc',
      flow,
      displayName: settings.displayName.trim() || OIDC_DEFAULTS.displayName,
      settings: { provider: 'oidc', settings },
      source,
      // The chat endpoint too: its access token as Bearer must only go where it was signed in for.
      fingerprint: `${settings.issuer}|${settings.clientId}|${settings.chatUrl ?? ''}`,
      allowLoopbackHttp: urlIsLoopbackHttp(settings.issuer),
      expectedIssuer: null,
    };
  }
}

function trimSlash(href: string): string {
  return href.endsWith('/') ? href.slice(0, -1) : href;
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

function urlIsLoopbackHttp(value: string): boolean {
  try {
    return isLoopbackHttp(new URL(value));
  } catch {
    return false;
  }
}
