import type { LatchkeyApi, RaisedNotice } from '../../../preload/api';

/**
 * The notices main keeps until the user dismisses them (main/notices.ts). Those raised before
 * the page loaded (a damaged file found at startup) come with the app info; later ones come as
 * events. Both carry main's id, so a notice that arrives both ways shows once. Dismissing tells
 * main, so a reload does not bring it back.
 */
export class NoticeStore {
  items = $state.raw<readonly RaisedNotice[]>([]);
  /** Dismissed here: an event or a list already on its way must not bring it back. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #dismissed = new Set<string>();
  readonly #api: LatchkeyApi;

  constructor(api: LatchkeyApi) {
    this.#api = api;
  }

  /** Subscribes first, then asks for the notices already raised; returns the disposer. */
  start(): () => void {
    let off: () => void;
    try {
      off = this.#api.onNotice((notice) => this.#add([notice]));
    } catch {
      // No bridge: the auth store reports that failure; there is nothing to show here.
      return () => {};
    }
    void this.#api.getAppInfo().then(
      (info) => this.#add(info.notices),
      () => undefined,
    );
    return off;
  }

  dismiss(notice: RaisedNotice): void {
    this.#dismissed.add(notice.id);
    this.items = this.items.filter((item) => item.id !== notice.id);
    // Should main not hear it, the notice comes back after a reload: nothing is lost.
    void this.#api.dismissNotice(notice.id).catch(() => undefined);
  }

  #add(notices: readonly RaisedNotice[]): void {
    const known = this.items.map((item) => item.id);
    const fresh = notices.filter(
      (notice) => !known.includes(notice.id) && !this.#dismissed.has(notice.id),
    );
    if (fresh.length > 0) this.items = [...this.items, ...fresh];
  }
}
