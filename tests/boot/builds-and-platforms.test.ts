/**
 * Boot test of `out/main/index.js` (issue 9): what differs between development and packaged
 * builds and between platforms — the data folder and the single-instance lock, how the callback
 * scheme is registered with the OS, DevTools and the menu, and what closing the last window does.
 * `process.platform` is set in the child (register-electron-double.mjs), so one Linux machine
 * boots the macOS and Windows paths of the bundle.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe } from 'vitest';
import { test } from './boot-test';
import type { CallRecord, DoublePlatform } from './double-protocol';
import { DEV_SCHEME } from './flows';

const PACKAGED_SCHEME = 'app.latchkey';
/** Menu roles that reload the page or open DevTools (docs/api/menu-item.md, roles). */
const DEVELOPER_ROLES = ['viewMenu', 'reload', 'forceReload', 'toggleDevTools'];
/** The roles macOS needs for ⌘Z/⌘X/⌘C/⌘V/⌘A in text fields (docs/api/menu.md, macOS notes). */
const EDIT_ROLES = ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'];

const HAS_XDG_MIME = (process.env['PATH'] ?? '')
  .split(delimiter)
  .some((dir) => dir !== '' && existsSync(join(dir, 'xdg-mime')));

interface MenuItem {
  role?: string;
  label?: string;
  submenu?: MenuItem[];
}

/** Every role in a menu template, submenus included. */
function roles(template: readonly MenuItem[]): string[] {
  return template.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

/** An Edit menu: the `editMenu` role (Electron fills it in), or a submenu with the edit roles. */
function hasEditMenu(template: readonly MenuItem[]): boolean {
  return template.some(
    (item) =>
      item.role === 'editMenu' ||
      (Array.isArray(item.submenu) &&
        EDIT_ROLES.every((role) => roles(item.submenu!).includes(role))),
  );
}

function webPreferences(created: CallRecord): Record<string, unknown> {
  return (created.data['options'] as { webPreferences: Record<string, unknown> }).webPreferences;
}

const CASES: { platform: DoublePlatform; isPackaged: boolean; withoutXdgUtils?: boolean }[] = [
  { platform: 'linux', isPackaged: false },
  { platform: 'win32', isPackaged: false },
  { platform: 'darwin', isPackaged: false },
  // …on a machine without xdg-utils (no `xdg-mime` on PATH).
  { platform: 'linux', isPackaged: true, withoutXdgUtils: true },
  { platform: 'win32', isPackaged: true },
  { platform: 'darwin', isPackaged: true },
];

describe.concurrent('builds and platforms', () => {
  test.for(CASES)(
    '$platform, packaged $isPackaged: data folder, scheme registration, DevTools, menu, last window',
    async ({ platform, isPackaged, withoutXdgUtils }, { boot, expect, onTestFinished }) => {
      let env: Record<string, string> | undefined;
      if (withoutXdgUtils) {
        const emptyBin = mkdtempSync(join(tmpdir(), 'latchkey-boot-bin-'));
        onTestFinished(() => rmSync(emptyBin, { recursive: true, force: true }));
        env = { PATH: emptyBin };
      }
      const app = await boot({ platform, isPackaged, ...(env && { env }) });
      await app.ready();
      const windowId = await app.mainWindow();
      await app.finishLoad(windowId);
      const { paths } = await app.state();

      // The data folder. Electron keys the single-instance lock on userData
      // (electron_api_app.cc:1054-1060), so a dev build must move it before taking the lock.
      const packagedFolder = join(paths.appData, 'Latchkey');
      const lock = app.calls('app.requestSingleInstanceLock');
      expect(lock).toHaveLength(1);
      const moved = app.calls('app.setPath', (r) => r.data['name'] === 'userData');
      if (isPackaged) {
        expect.soft(moved, 'a packaged build keeps the default data folder').toEqual([]);
        expect.soft(lock[0]!.data['userData']).toBe(packagedFolder);
      } else {
        expect.soft(moved, 'a dev build moves its data folder once').toHaveLength(1);
        expect.soft(moved[0]?.data['path']).not.toBe(packagedFolder);
        expect.soft(moved[0]?.seq ?? Infinity, 'before the lock').toBeLessThan(lock[0]!.seq);
        expect.soft(lock[0]!.data['userData']).toBe(moved[0]?.data['path']);
        expect.soft(paths.userData).toBe(moved[0]?.data['path']);
      }

      // Scheme registration: Windows and macOS through Electron, the dev build registering
      // Electron with the app folder (never process.argv[1], here the bundle's path); Linux
      // never through Electron (see the Linux tests below).
      const registered = app.calls('app.setAsDefaultProtocolClient').map((r) => r.data);
      if (platform === 'linux') {
        expect.soft(registered).toEqual([]);
        // A dev build's windows belong to its own desktop entry (Electron sets CHROME_DESKTOP,
        // electron_api_app.cc:977-982); a packaged one keeps package.json's desktopName.
        expect
          .soft(app.calls('app.setDesktopName').map((r) => r.data['name']))
          .toEqual(isPackaged ? [] : ['latchkey-dev.desktop']);
        if (withoutXdgUtils) {
          // The page says why sign-in links cannot come back (loopback and paste still work).
          expect.soft(await app.call('app:get-info', undefined)).toMatchObject({
            deepLinksUnavailable: 'xdg-utils-missing',
          });
        }
      } else if (isPackaged) {
        expect.soft(registered).toEqual([{ protocol: PACKAGED_SCHEME }]);
      } else {
        expect
          .soft(registered)
          .toEqual([{ protocol: DEV_SCHEME, path: process.execPath, args: [app.config.appPath] }]);
      }

      // DevTools and the menu.
      const created = app.calls('BrowserWindow.new')[0]!;
      const menus = app.calls('Menu.setApplicationMenu');
      const menu = (menus.at(-1)?.data['template'] ?? []) as MenuItem[];
      if (isPackaged) {
        expect.soft(webPreferences(created)['devTools']).toBe(false);
        expect.soft(app.calls('webContents.openDevTools')).toEqual([]);
        expect.soft(menus.filter((r) => r.data['by'] === 'app')).toHaveLength(1);
        expect.soft(roles(menu).filter((role) => DEVELOPER_ROLES.includes(role))).toEqual([]);
      } else {
        expect.soft(webPreferences(created)['devTools']).not.toBe(false);
      }
      if (platform === 'darwin') {
        expect.soft(hasEditMenu(menu), `an Edit menu in ${JSON.stringify(menu)}`).toBe(true);
      }

      // The last window closes: macOS keeps the app and reopens a window on activate
      // (docs/api/app.md:144-154); elsewhere the app quits.
      await app.send({ cmd: 'close-window', windowId });
      if (platform === 'darwin') {
        await app.state();
        expect.soft(app.calls('app.quit')).toEqual([]);
        expect(app.running).toBe(true);
        await app.appEmit('activate', false);
        const reopened = await app.until(
          () => app.calls('BrowserWindow.new')[1],
          'a window reopened on activate',
        );
        expect.soft(reopened.data['options']).toEqual(created.data['options']);
        expect.soft(app.calls('webContents.loadURL')).toHaveLength(2);
        await app.appEmit('activate', true);
        await app.state();
        expect.soft(app.calls('BrowserWindow.new'), 'no second window').toHaveLength(2);
      } else {
        expect.soft((await app.waitForExit()).code).toBe(0);
        expect.soft(app.calls('app.quit')).toHaveLength(1);
      }
    },
  );

  test('Windows dev build: --remove-desktop-integration unregisters what it registered, and exits', async ({
    boot,
    expect,
  }) => {
    const app = await boot({ platform: 'win32', argv: ['--remove-desktop-integration'] });
    expect((await app.waitForExit()).code).toBe(0);
    expect(app.calls('app.removeAsDefaultProtocolClient').map((r) => r.data)).toEqual([
      { protocol: DEV_SCHEME, path: process.execPath, args: [app.config.appPath] },
    ]);
    expect(app.calls('BrowserWindow.new')).toEqual([]);
  });

  test.skipIf(!HAS_XDG_MIME)(
    'Linux dev build: registers with xdg-mime in the user’s own folders; --remove-desktop-integration undoes it',
    async ({ boot, expect }) => {
      const home = mkdtempSync(join(tmpdir(), 'latchkey-boot-'));
      try {
        const desktopFile = join(home, '.local', 'share', 'applications', 'latchkey-dev.desktop');
        const mimeapps = join(home, '.config', 'mimeapps.list');
        const association = `x-scheme-handler/${DEV_SCHEME}=latchkey-dev.desktop`;

        const app = await boot({ home });
        await app.ready();
        await app.mainWindow();
        const info = await app.call('app:get-info', undefined);
        expect(info).toMatchObject({ deepLinksUnavailable: null });
        expect(app.calls('app.setAsDefaultProtocolClient')).toEqual([]);
        const entry = readFileSync(desktopFile, 'utf8');
        expect(entry).toContain(`MimeType=x-scheme-handler/${DEV_SCHEME};`);
        expect(entry).toContain(process.execPath);
        expect(entry).toContain(app.config.appPath);
        // The dev build's entry opens links but stays out of the applications menu.
        expect(entry).toContain('NoDisplay=true');
        expect(readFileSync(mimeapps, 'utf8')).toContain(association);
        await app.close();

        const removal = await boot({ home, argv: ['--remove-desktop-integration'] });
        expect((await removal.waitForExit()).code).toBe(0);
        expect(removal.calls('BrowserWindow.new')).toEqual([]);
        expect(existsSync(desktopFile)).toBe(false);
        expect(readFileSync(mimeapps, 'utf8')).not.toContain('latchkey-dev.desktop');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );
});
