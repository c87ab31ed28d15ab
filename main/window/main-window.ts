import { BrowserWindow, session } from 'electron';
import { APP_ORIGIN } from './app-protocol';

/**
 * The main window with Electron's security checklist applied (security.md 18–19): sandboxed,
 * context-isolated, no Node, no webviews; navigation, new windows and permission requests are
 * denied. Links leave the app only through the https-only `shell:open-external` handler.
 * `devTools` is false in packaged builds.
 */
export function createMainWindow(
  preloadPath: string,
  options: { readonly devTools: boolean },
): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Latchkey',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Packaged builds: no DevTools at all (not even through a shortcut).
      devTools: options.devTools,
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  return window;
}

/** Denies every permission request and check (camera, notifications, …) of the default session. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
}
