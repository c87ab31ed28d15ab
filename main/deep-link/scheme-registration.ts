import type { App } from 'electron';
import type { DeepLinkUnavailableReason } from '../../preload/api';
import type { LinuxRegistration, LinuxRegistrationOptions } from './linux-registration';

/**
 * The desktop entry of the installed app. electron-builder names the deb's entry after
 * `linux.executableName` (`latchkey`), and `package.json` `desktopName` must say the same so
 * Electron's `CHROME_DESKTOP` agrees (electron/electron lib/browser/init.ts:
 * `app.setDesktopName(packageJson.desktopName || defaultDesktopName(app.name))`).
 */
export const DESKTOP_FILE = 'latchkey.desktop';
/** The dev build's own entry, so it never replaces the installed app's (product.md). */
export const DEV_DESKTOP_FILE = 'latchkey-dev.desktop';

/** Whether the OS will hand `scheme` links to this app, and if not, why (shown to the user). */
export type SchemeRegistration =
  | { readonly available: true }
  | { readonly available: false; readonly reason: DeepLinkUnavailableReason };

/** What {@link registerSchemeHandler} needs; everything is injected so tests run anywhere. */
export interface SchemeRegistrationOptions {
  readonly app: Pick<App, 'setAsDefaultProtocolClient' | 'getAppPath'>;
  readonly scheme: string;
  readonly packaged: boolean;
  readonly platform: NodeJS.Platform;
  /** `process.execPath`: the app's executable (the Electron binary in development). */
  readonly execPath: string;
  readonly env: NodeJS.ProcessEnv;
  /** The Linux registration (xdg-mime); injected for tests. */
  readonly registerLinux: (options: LinuxRegistrationOptions) => Promise<LinuxRegistration>;
}

/**
 * Registers the app as the OS handler of its callback scheme (RFC 8252 §7.1).
 *
 * - Windows and macOS: `app.setAsDefaultProtocolClient`, which writes
 *   `HKCU\Software\Classes\<scheme>` (Windows) or asks LaunchServices (macOS). In development the
 *   Electron binary is registered with the app's folder, `app.getAppPath()`, as its argument —
 *   never `process.argv[1]`, which is whatever the launcher put there (a switch, a URL, or
 *   nothing under `electron .`).
 * - Linux: never `setAsDefaultProtocolClient`. Since Electron 43 it calls GIO's
 *   `g_app_info_set_as_default_for_type(g_desktop_app_info_new($CHROME_DESKTOP), "x-scheme-handler/<scheme>")`
 *   (electron/electron shell/browser/browser_linux.cc `SetDefaultWebClient`, #51316; before
 *   that it ran `xdg-settings set default-url-scheme-handler`, which under GNOME also claimed
 *   `text/html`). GIO fails when no desktop entry by that name exists — always the case for an
 *   AppImage, which nothing installs — and says nothing about why. `linux-registration.ts`
 *   writes the desktop entry where no installer put one (AppImage, development), sets only
 *   `x-scheme-handler/<scheme>` with xdg-mime, reads it back, and names the reason on failure.
 *
 * Never throws: on failure the UI offers loopback and paste, with the reason.
 */
export async function registerSchemeHandler(
  options: SchemeRegistrationOptions,
): Promise<SchemeRegistration> {
  const { app, scheme, packaged, execPath } = options;
  if (options.platform === 'linux') {
    const result = await options
      .registerLinux(linuxOptions(options))
      .catch(() => ({ ok: false, reason: 'xdg-mime-failed' }) as const);
    if (result.ok) return { available: true };
    return { available: false, reason: result.reason };
  }
  try {
    const accepted = packaged
      ? app.setAsDefaultProtocolClient(scheme)
      : app.setAsDefaultProtocolClient(scheme, execPath, [app.getAppPath()]);
    return accepted ? { available: true } : { available: false, reason: 'os-refused' };
  } catch {
    return { available: false, reason: 'os-refused' };
  }
}

/**
 * How the app is launched on Linux, for the desktop entry: the AppImage file itself when run
 * from one (`$APPIMAGE`, set by the AppImage runtime; the mount point changes every launch),
 * else the executable, plus the app folder in development. A packaged AppImage also passes its
 * mount point (`$APPDIR`, set by the same runtime) so its icon is copied out for the entry.
 */
export function linuxOptions(
  options: Pick<SchemeRegistrationOptions, 'app' | 'scheme' | 'packaged' | 'execPath' | 'env'>,
): LinuxRegistrationOptions {
  const { app, scheme, packaged, execPath, env } = options;
  const appImage = packaged ? env['APPIMAGE'] : undefined;
  return {
    scheme,
    appName: packaged ? 'Latchkey' : 'Latchkey (development)',
    desktopFileName: packaged ? DESKTOP_FILE : DEV_DESKTOP_FILE,
    exec: appImage ? [appImage] : packaged ? [execPath] : [execPath, app.getAppPath()],
    appDir: appImage ? env['APPDIR'] || undefined : undefined,
    // The dev build's entry only carries its links; it is not an app to start from the menu.
    showInMenu: packaged,
    env,
  };
}
