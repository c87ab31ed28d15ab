import type { LatchkeyApi, Locale } from '../../../preload/api';
import { i18n } from '../i18n/index.svelte';

/**
 * Switching the UI language: the page changes at once and main remembers the choice. The
 * initial language is main's remembered one (`AppInfo.locale`, see {@link LocaleStore.adopt}) unless the user
 * picked one first.
 */
export class LocaleStore {
  readonly #api: LatchkeyApi;
  /** Picks since the page started; the answer of an older save never overrides a newer pick. */
  #request = 0;
  /**
   * The saves in flight, chained: each is sent once the one before has settled, so main stores
   * the picks in the order they were made (the harness sends each over its own HTTP request,
   * and one can overtake another).
   */
  #saving: Promise<unknown> = Promise.resolve();

  constructor(api: LatchkeyApi) {
    this.#api = api;
  }

  get current(): Locale {
    return i18n.locale;
  }

  /**
   * The language main remembered (`AppInfo.locale`). Shown only if the user has not picked one
   * since the page started: the answer may arrive after a pick, and must not revert it.
   */
  adopt(locale: Locale): void {
    if (this.#request === 0) void i18n.setLocale(locale);
  }

  async change(locale: Locale): Promise<void> {
    const request = ++this.#request;
    // Shown as soon as its messages are here (a catalog loads the first time it is shown).
    void i18n.setLocale(locale);
    const save = this.#saving.then(() => this.#api.setLocale(locale));
    this.#saving = save.catch(() => undefined);
    try {
      const saved = await save;
      if (request === this.#request) void i18n.setLocale(saved);
    } catch (error) {
      // Not remembered for the next start, but the page keeps the language the user picked.
      console.warn('Could not save the language', error);
    }
  }
}
