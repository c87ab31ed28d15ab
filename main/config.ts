import { LOCALES, type Locale } from '../preload/api';

/** Configuration read from `LATCHKEY_*` environment variables (README "Configuration"). */
export interface Config {
  readonly openrouterUrl: URL;
  readonly yooaiUrl: URL;
  /** `LATCHKEY_LOCALE`: forces the UI language. */
  readonly locale: Locale | null;
  /**
   * Settings prefilled from the environment (tests and managed fleets); the user's saved
   * settings win. Values are raw text: they are validated like the form's.
   */
  readonly prefill: {
    readonly yooai: Readonly<{ appId?: string; unionId?: string; scope?: string }>;
    readonly oidc: Readonly<{
      issuer?: string;
      clientId?: string;
      scopes?: string;
      chatUrl?: string;
    }>;
  };
  /** True when any `LATCHKEY_YOOAI_*` variable is set. */
  readonly yooaiFromEnv: boolean;
}

/** Non-empty value of a variable, or nothing (so it can be spread into a prefill). */
function pick<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  const trimmed = value?.trim();
  return (trimmed ? { [key]: trimmed } : {}) as { [P in K]?: string };
}

/** A configuration mistake, explained in words (it names a variable, never a secret). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for `http:` URLs on a loopback host (allowed for tests and the harness only). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * An endpoint base URL: https, or http on a loopback host (security.md 3); no credentials,
 * query or fragment. Returns the origin (plus path prefix) as a URL.
 */
export function parseEndpoint(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new ConfigError(`${name} must use https (http is allowed for 127.0.0.1/localhost only).`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must not contain credentials, a query or a fragment.`);
  }
  return url;
}

/** Reads and validates the configuration; throws {@link ConfigError} with a clear sentence. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const locale = env['LATCHKEY_LOCALE'];
  if (locale !== undefined && locale !== '' && !(LOCALES as readonly string[]).includes(locale)) {
    throw new ConfigError(`LATCHKEY_LOCALE must be one of: ${LOCALES.join(', ')}.`);
  }
  return {
    openrouterUrl: parseEndpoint(
      'LATCHKEY_OPENROUTER_URL',
      env['LATCHKEY_OPENROUTER_URL'] || 'https://openrouter.ai',
    ),
    yooaiUrl: parseEndpoint(
      'LATCHKEY_YOOAI_URL',
      env['LATCHKEY_YOOAI_URL'] || 'https://saas.api.yoo-ai.com',
    ),
    locale: locale ? (locale as Locale) : null,
    prefill: {
      yooai: {
        ...pick('appId', env['LATCHKEY_YOOAI_APP_ID']),
        ...pick('unionId', env['LATCHKEY_YOOAI_UNION_ID']),
        ...pick('scope', env['LATCHKEY_YOOAI_SCOPE']),
      },
      oidc: {
        ...pick('issuer', env['LATCHKEY_OIDC_ISSUER']),
        ...pick('clientId', env['LATCHKEY_OIDC_CLIENT_ID']),
        ...pick('scopes', env['LATCHKEY_OIDC_SCOPE']),
        ...pick('chatUrl', env['LATCHKEY_OIDC_CHAT_URL']),
      },
    },
    yooaiFromEnv: ['URL', 'APP_ID', 'UNION_ID', 'SCOPE'].some((k) =>
      Boolean(env[`LATCHKEY_YOOAI_${k}`]?.trim()),
    ),
  };
}

/** Picks the UI language: forced by env, else the user's choice, else the OS languages. */
export function resolveLocale(
  forced: Locale | null,
  chosen: Locale | undefined,
  systemLanguages: readonly string[],
): Locale {
  if (forced) return forced;
  if (chosen) return chosen;
  for (const tag of systemLanguages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}
