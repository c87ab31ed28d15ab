import type { ErrorView, Locale } from '../../../preload/api';
import { en, type MessageKey } from './en';

export type { MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;
type Catalog = Readonly<Record<MessageKey, string>>;

/**
 * Every catalog but English is its own chunk: a page carries the language it shows (English, the
 * reference every key falls back to, is always there). About 8 KB of gzip less in the initial JS
 * for everyone, against one local chunk read when Chinese is first shown.
 */
const LOADERS: Readonly<Record<Locale, () => Promise<Catalog>>> = {
  en: () => Promise.resolve(en),
  'zh-CN': () => import('./zh-CN').then((module) => module.zhCN),
};

/** Replaces `{name}` placeholders; unknown placeholders are left as written. */
export function interpolate(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : match,
  );
}

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** The OS language as a first guess, until main tells us the chosen one (`AppInfo.locale`). */
function guessLocale(): Locale {
  return /^zh\b/i.test(globalThis.navigator?.language ?? '') ? 'zh-CN' : 'en';
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The UI language and everything worded or formatted in it. */
export class I18n {
  /** The language shown: it changes only once its catalog is here. */
  locale = $state<Locale>('en');
  /** Resolves when the first guess (the OS language) is shown, or could not be loaded. */
  readonly ready: Promise<void>;
  readonly #catalogs: Partial<Record<Locale, Catalog>> = { en };
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- loads in flight, not state
  readonly #loading = new Map<Locale, Promise<Catalog>>();
  /** The language asked for last: a catalog that arrives after a newer pick is not shown. */
  #wanted: Locale = 'en';

  constructor(first: Locale = guessLocale()) {
    document.documentElement.lang = this.locale;
    this.ready = this.setLocale(first);
  }

  #money = $derived(
    new Intl.NumberFormat(this.locale, {
      style: 'currency',
      currency: 'USD',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }),
  );
  #relative = $derived(new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto' }));
  #list = $derived(new Intl.ListFormat(this.locale, { type: 'disjunction' }));
  #dateTime = $derived(
    new Intl.DateTimeFormat(this.locale, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }),
  );

  /** The message for `key` in the current locale, with `{name}` placeholders filled in. */
  t = (key: MessageKey, params?: MessageParams): string =>
    interpolate((this.#catalogs[this.locale] ?? en)[key], params);

  /**
   * Shows `locale`: at once when its catalog is here, else once it has loaded (unless another
   * language was asked for meanwhile). A catalog that cannot load leaves the page as it is.
   */
  setLocale(locale: Locale): Promise<void> {
    this.#wanted = locale;
    if (this.#catalogs[locale]) {
      this.#show(locale);
      return Promise.resolve();
    }
    return this.#load(locale).then(
      (catalog) => {
        this.#catalogs[locale] = catalog;
        if (this.#wanted === locale) this.#show(locale);
      },
      (error: unknown) => {
        this.#loading.delete(locale);
        console.warn(`Could not load the ${locale} messages`, error);
      },
    );
  }

  #load(locale: Locale): Promise<Catalog> {
    let loading = this.#loading.get(locale);
    if (!loading) {
      loading = LOADERS[locale]();
      this.#loading.set(locale, loading);
    }
    return loading;
  }

  #show(locale: Locale): void {
    this.locale = locale;
    document.documentElement.lang = locale;
  }

  /** OpenRouter credits are US dollars: always two decimals. */
  money = (amount: number): string => this.#money.format(amount);

  /** "Dec 22, 2026, 02:05 PM" / "2026年12月22日 14:05": a moment, with the date. */
  dateTime = (at: number): string => this.#dateTime.format(at);

  /** "OpenRouter or YOO-AI". */
  anyOf = (names: readonly string[]): string => this.#list.format(names);

  /** "just now", "5 minutes ago", "in 9 minutes"… relative to `now`. */
  relativeTime = (at: number, now: number): string => {
    const delta = at - now;
    const size = Math.abs(delta);
    if (size < 45_000 && delta <= 0) return this.t('time.justNow');
    if (size < MINUTE) return this.#relative.format(Math.round(delta / 1000), 'second');
    if (size < HOUR) return this.#relative.format(Math.round(delta / MINUTE), 'minute');
    if (size < DAY) return this.#relative.format(Math.round(delta / HOUR), 'hour');
    return this.#relative.format(Math.round(delta / DAY), 'day');
  };
}

export const i18n = new I18n();

/** Shorthand for `i18n.t`; reactive wherever it is read (templates, `$derived`). */
export const t = (key: MessageKey, params?: MessageParams): string => i18n.t(key, params);

/** An error worded for a person: what happened, what to do next, and details for support. */
export interface ErrorMessage {
  /** What happened, in one sentence. */
  readonly message: string;
  /** What to do about it (including how long to wait, when the provider said so). */
  readonly next: string;
  /** The provider's own words, to be shown as plain text only (never as HTML). */
  readonly providerMessage: string | null;
  /** Stable code and HTTP status, small print for support. */
  readonly detail: string;
}

/**
 * Words an {@link ErrorView} for the user. Every code of main/errors.ts `ERROR_CODES` has its
 * own message pair in the catalogs; codes this renderer does not know get a generic one.
 */
export function errorMessage(view: ErrorView, provider: string): ErrorMessage {
  // A write that failed says why (disk full, no permission, disk error) when main knows.
  const reasoned = view.reason !== undefined && isMessageKey(`error.${view.code}.${view.reason}`);
  const base = reasoned ? `error.${view.code}.${view.reason}` : `error.${view.code}`;
  const messageKey = base;
  const nextKey = `${base}.next`;
  const known = isMessageKey(messageKey) && isMessageKey(nextKey);
  const params = { provider, file: view.file ?? '' };
  const message = t(known ? messageKey : 'error.unknown', params);
  const wait = view.retryAfter !== undefined && view.retryAfter > 0 ? view.retryAfter : null;
  const next =
    wait === null
      ? t(known ? nextKey : 'error.unknown.next', params)
      : t('error.retryAfter', { when: i18n.relativeTime(Date.now() + wait * 1000, Date.now()) });
  const detail = [t('error.code', { code: view.code })];
  if (view.status !== undefined) detail.push(`HTTP ${view.status}`);
  const providerMessage = view.providerMessage?.trim();
  return {
    message,
    next,
    providerMessage: providerMessage ? providerMessage : null,
    detail: detail.join(' · '),
  };
}
