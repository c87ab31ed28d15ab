import type { LatchkeyApi, Locale } from '../../../preload/api';
import { i18n } from '../i18n/index.svelte';

/**
 * Switching the UI language: the page changes at once and main remembers the choice. The
 * initial language comes from `AppInfo.locale` (see AuthStore.load).
 */
export class LocaleStore {
  readonly #api: LatchkeyApi;
  #request = 0;

  constructor(api: LatchkeyApi) {
    this.#api = api;
  }

  get current(): Locale {
    return i18n.locale;
  }

  async change(locale: Locale): Promise<void> {
    const request = ++this.#request;
    i18n.setLocale(locale);
    try {
      const saved = await this.#api.setLocale(locale);
      if (request === this.#request) i18n.setLocale(saved);
    } catch (error) {
      // Not remembered for the next start, but the page keeps the language the user picked.
      console.warn('Could not save the language', error);
    }
  }
}
