import type { LatchkeyApi } from '../../../preload/api';

/**
 * Whether the keyboard-shortcut sheet is open. It opens from `?` (outside a text field), the
 * sidebar's "Keyboard shortcuts" button, and the app menu's "Keyboard Shortcuts" (main sends
 * `app:show-shortcuts`). Focus goes back where it was when the sheet closes.
 */
export class ShortcutsSheet {
  readonly #api: Pick<LatchkeyApi, 'onShowShortcuts'>;
  open = $state(false);
  #returnTo: HTMLElement | null = null;

  constructor(api: Pick<LatchkeyApi, 'onShowShortcuts'>) {
    this.#api = api;
  }

  /** Listens for the app menu's item; returns the unsubscribe. */
  start(): () => void {
    return this.#api.onShowShortcuts(() => this.show());
  }

  show(): void {
    if (this.open) return;
    const active = globalThis.document?.activeElement;
    this.#returnTo = active instanceof HTMLElement ? active : null;
    this.open = true;
  }

  hide(): void {
    if (!this.open) return;
    this.open = false;
    const back = this.#returnTo;
    this.#returnTo = null;
    // After the modal is gone (the page is inert while it is open).
    if (back) queueMicrotask(() => back.isConnected && back.focus());
  }
}
