import type { MenuItemConstructorOptions } from 'electron';

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
 */
export function applicationMenu(
  platform: NodeJS.Platform,
  packaged: boolean,
): MenuItemConstructorOptions[] | null {
  if (!packaged) return null;
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  if (platform === 'darwin') {
    return [{ role: 'appMenu' }, edit, { role: 'windowMenu' }];
  }
  return [{ role: 'fileMenu' }, edit];
}
