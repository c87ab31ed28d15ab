import type { MessageKey } from './i18n/en';

/**
 * The keyboard shortcuts the chat offers, as the shortcut sheet lists them. Pure data: the
 * handlers live where the keys are pressed (ChatWindow, Composer, EditMessage, App).
 */

/** One key of a combination: a named key (worded per platform and language) or a character. */
export type Key =
  | { readonly kind: 'mod' }
  | { readonly kind: 'named'; readonly name: 'shift' | 'enter' | 'esc' | 'up' }
  | { readonly kind: 'char'; readonly char: string };

export interface Shortcut {
  readonly id: string;
  readonly label: MessageKey;
  /** Alternatives, each a combination of keys pressed together. */
  readonly combos: readonly (readonly Key[])[];
}

const mod: Key = { kind: 'mod' };
const named = (name: 'shift' | 'enter' | 'esc' | 'up'): Key => ({ kind: 'named', name });
const char = (value: string): Key => ({ kind: 'char', char: value });

/** Every shortcut, in the order the sheet shows them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'new-chat', label: 'shortcuts.newChat', combos: [[mod, char('N')]] },
  { id: 'search', label: 'shortcuts.search', combos: [[mod, char('K')]] },
  { id: 'send', label: 'shortcuts.send', combos: [[named('enter')]] },
  { id: 'new-line', label: 'shortcuts.newLine', combos: [[named('shift'), named('enter')]] },
  { id: 'stop', label: 'shortcuts.stop', combos: [[named('esc')]] },
  { id: 'edit-last', label: 'shortcuts.editLast', combos: [[named('up')]] },
  { id: 'cancel-edit', label: 'shortcuts.cancelEdit', combos: [[named('esc')]] },
  { id: 'attach', label: 'shortcuts.attach', combos: [[mod, char('V')]] },
  { id: 'sheet', label: 'shortcuts.sheet', combos: [[char('?')]] },
];

/** macOS, where the shortcut modifier is ⌘ rather than Ctrl. */
export function isMac(
  navigatorLike: { platform?: string; userAgent?: string } | undefined = globalThis.navigator,
): boolean {
  const platform = navigatorLike?.platform ?? '';
  if (platform !== '') return /^mac/i.test(platform);
  return /Mac OS X|Macintosh/.test(navigatorLike?.userAgent ?? '');
}

/**
 * How a key looks on the key cap (as printed on keyboards: English names, macOS symbols), and
 * what a screen reader should say for it (in the UI language).
 */
export function keyFace(
  key: Key,
  mac: boolean,
  t: (key: MessageKey) => string,
): { readonly shown: string; readonly spoken: string } {
  switch (key.kind) {
    case 'mod':
      return mac
        ? { shown: '⌘', spoken: t('shortcuts.key.cmd') }
        : { shown: 'Ctrl', spoken: t('shortcuts.key.ctrl') };
    case 'char':
      return { shown: key.char, spoken: key.char };
    case 'named':
      switch (key.name) {
        case 'shift':
          return { shown: mac ? '⇧' : 'Shift', spoken: t('shortcuts.key.shift') };
        case 'enter':
          return { shown: mac ? '↩' : 'Enter', spoken: t('shortcuts.key.enter') };
        case 'esc':
          return { shown: 'Esc', spoken: t('shortcuts.key.esc') };
        case 'up':
          return { shown: '↑', spoken: t('shortcuts.key.up') };
      }
  }
}

/** True when the key event comes from a place that takes text (where `?` is typed, not a shortcut). */
export function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(
      target.type,
    );
  }
  return false;
}

/** `?` pressed outside a text field, without Ctrl/⌘/Alt: opens the shortcut sheet. */
export function opensSheet(event: KeyboardEvent): boolean {
  return (
    event.key === '?' &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.altKey &&
    !event.defaultPrevented &&
    !inTextField(event.target)
  );
}
