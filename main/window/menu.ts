import type { MenuItemConstructorOptions } from 'electron';
import type { Locale } from '../../preload/api';

/** What the menu's own items do (the rest are Electron roles). */
export interface MenuActions {
  /** "Keyboard Shortcuts": the page opens its shortcut sheet (`app:show-shortcuts`). */
  readonly showShortcuts: () => void;
}

const SHORTCUTS_LABEL: Readonly<Record<Locale, string>> = {
  en: 'Keyboard Shortcuts',
  'zh-CN': '键盘快捷键',
};

/** The Help menu: "Keyboard Shortcuts" (the page's `?` opens the same sheet). */
function helpMenu(actions: MenuActions, locale: Locale): MenuItemConstructorOptions {
  return {
    role: 'help',
    submenu: [
      {
        id: 'keyboard-shortcuts',
        label: SHORTCUTS_LABEL[locale],
        click: () => actions.showShortcuts(),
      },
    ],
  };
}

/**
 * The application menu of a packaged build, or `null` to keep Electron's default menu (dev
 * builds: it has Reload and Toggle Developer Tools).
 *
 * Packaged builds set a minimal production menu built from roles only:
 * - macOS needs an Edit menu whose items carry the `undo`/`copy`/`paste`/… roles: without it
 *   ⌘C, ⌘V, ⌘X and ⌘A do nothing in text fields, because macOS routes those key equivalents
 *   through the menu bar (electron/electron docs/api/menu.md, "Standard Menu Roles" and the
 *   macOS notes of `Menu.setApplicationMenu`). The app menu (about, hide, quit) and the Window
 *   menu follow the platform's conventions.
 * - Windows and Linux: Chromium handles the editing shortcuts in text fields without a menu;
 *   the menu bar is hidden (`autoHideMenuBar`) and keeps only Quit and Edit, so nothing in it
 *   reloads the page or opens DevTools.
 * - Both end with a Help menu whose "Keyboard Shortcuts" opens the page's shortcut sheet (when
 *   `actions` are given).
 */
export function applicationMenu(
  platform: NodeJS.Platform,
  packaged: boolean,
  actions?: MenuActions,
  locale: Locale = 'en',
): MenuItemConstructorOptions[] | null {
  if (!packaged) return null;
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  const help = actions ? [helpMenu(actions, locale)] : [];
  if (platform === 'darwin') {
    return [{ role: 'appMenu' }, edit, { role: 'windowMenu' }, ...help];
  }
  return [{ role: 'fileMenu' }, edit, ...help];
}
