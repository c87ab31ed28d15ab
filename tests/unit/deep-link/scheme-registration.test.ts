import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { LinuxRegistrationOptions } from '../../../main/deep-link/linux-registration';
import {
  DESKTOP_FILE,
  DEV_DESKTOP_FILE,
  registerSchemeHandler,
  type SchemeRegistrationOptions,
} from '../../../main/deep-link/scheme-registration';

const APP_PATH = '/home/me/src/latchkey';
const EXEC = '/opt/Latchkey/latchkey';

function options(overrides: Partial<SchemeRegistrationOptions> = {}) {
  const setAsDefaultProtocolClient = vi.fn((..._args: unknown[]): boolean => true);
  const registerLinux = vi.fn(async (_options: LinuxRegistrationOptions) => ({
    ok: true as const,
    wroteEntry: false,
  }));
  const base: SchemeRegistrationOptions = {
    app: { setAsDefaultProtocolClient, getAppPath: () => APP_PATH },
    scheme: 'app.latchkey',
    packaged: true,
    platform: 'win32',
    execPath: EXEC,
    env: {},
    registerLinux,
    ...overrides,
  };
  return { base, setAsDefaultProtocolClient, registerLinux };
}

describe('registerSchemeHandler (RFC 8252 §7.1)', () => {
  it.each<NodeJS.Platform>(['win32', 'darwin'])(
    'registers the scheme alone when packaged on %s',
    async (platform) => {
      const { base, setAsDefaultProtocolClient } = options({ platform });
      expect(await registerSchemeHandler(base)).toEqual({ available: true });
      expect(setAsDefaultProtocolClient.mock.calls).toEqual([['app.latchkey']]);
    },
  );

  it('registers the Electron binary with app.getAppPath() in development, not argv[1]', async () => {
    const { base, setAsDefaultProtocolClient } = options({
      packaged: false,
      scheme: 'app.latchkey.dev',
    });
    await registerSchemeHandler(base);
    expect(setAsDefaultProtocolClient.mock.calls).toEqual([['app.latchkey.dev', EXEC, [APP_PATH]]]);
  });

  it('says the OS refused when Windows or macOS answers false or throws', async () => {
    const refused = options();
    refused.setAsDefaultProtocolClient.mockReturnValue(false);
    expect(await registerSchemeHandler(refused.base)).toEqual({
      available: false,
      reason: 'os-refused',
    });
    const thrown = options();
    thrown.setAsDefaultProtocolClient.mockImplementation(() => {
      throw new Error('registry locked');
    });
    expect(await registerSchemeHandler(thrown.base)).toEqual({
      available: false,
      reason: 'os-refused',
    });
  });

  it('never calls setAsDefaultProtocolClient on Linux', async () => {
    const { base, setAsDefaultProtocolClient, registerLinux } = options({ platform: 'linux' });
    expect(await registerSchemeHandler(base)).toEqual({ available: true });
    expect(setAsDefaultProtocolClient).not.toHaveBeenCalled();
    expect(registerLinux).toHaveBeenCalledOnce();
  });

  it.each([
    ['installed (deb)', true, { APPDIR: '/tmp/.mount_other' }, DESKTOP_FILE, [EXEC], undefined],
    [
      'AppImage',
      true,
      { APPIMAGE: '/home/me/Apps/Latchkey-0.1.0.AppImage', APPDIR: '/tmp/.mount_LatchkXYZ' },
      DESKTOP_FILE,
      ['/home/me/Apps/Latchkey-0.1.0.AppImage'],
      '/tmp/.mount_LatchkXYZ',
    ],
    [
      'AppImage without APPDIR',
      true,
      { APPIMAGE: '/home/me/Apps/Latchkey-0.1.0.AppImage', APPDIR: '' },
      DESKTOP_FILE,
      ['/home/me/Apps/Latchkey-0.1.0.AppImage'],
      undefined,
    ],
    [
      'development',
      false,
      { APPIMAGE: '/ignored', APPDIR: '/ignored' },
      DEV_DESKTOP_FILE,
      [EXEC, APP_PATH],
      undefined,
    ],
  ] as const)(
    'Linux %s: launches with the right command line under the right entry name',
    async (_name, packaged, env, desktopFileName, exec, appDir) => {
      const { base, registerLinux } = options({
        platform: 'linux',
        packaged,
        env,
        scheme: packaged ? 'app.latchkey' : 'app.latchkey.dev',
      });
      await registerSchemeHandler(base);
      expect(registerLinux.mock.calls[0]?.[0]).toMatchObject({
        scheme: packaged ? 'app.latchkey' : 'app.latchkey.dev',
        desktopFileName,
        exec,
        showInMenu: packaged,
      });
      // Only a packaged AppImage's mount point is searched for the icon.
      expect(registerLinux.mock.calls[0]?.[0].appDir).toBe(appDir);
    },
  );

  it('passes a Linux failure reason through, and a throw becomes xdg-mime-failed', async () => {
    const failed = options({ platform: 'linux' });
    failed.registerLinux.mockResolvedValue({ ok: false, reason: 'xdg-utils-missing' } as never);
    expect(await registerSchemeHandler(failed.base)).toEqual({
      available: false,
      reason: 'xdg-utils-missing',
    });
    const thrown = options({ platform: 'linux' });
    thrown.registerLinux.mockRejectedValue(new Error('boom'));
    expect(await registerSchemeHandler(thrown.base)).toEqual({
      available: false,
      reason: 'xdg-mime-failed',
    });
  });

  it("names the desktop entry as package.json's desktopName (Electron's CHROME_DESKTOP)", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { desktopName?: string };
    expect(pkg.desktopName).toBe(DESKTOP_FILE);
  });

  it("names the AppImage's icon files as the desktop file: electron-builder's executableName", () => {
    // linux-registration.ts looks for usr/share/icons/hicolor/<N>x<N>/apps/<executableName>.png
    // in $APPDIR under the desktop file's stem.
    const config = readFileSync('electron-builder.yml', 'utf8');
    expect(/^ {2}executableName: (\S+)$/m.exec(config)?.[1]).toBe(
      DESKTOP_FILE.replace(/\.desktop$/, ''),
    );
  });
});
