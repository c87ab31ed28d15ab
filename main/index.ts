/**
 * Composition root of the Electron app: data folder, single-instance lock, app events, the
 * Electron adapters (window, menu, app:// protocol, IPC, safeStorage, net.fetch, deep links and
 * their OS registration), and the Electron-free services.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  net,
  safeStorage,
  session,
  shell,
  type WebContents,
} from 'electron';
import { createAppServices, type AppServices } from './app-services';
import { createSaveFile } from './chat/save-file';
import { ConfigError, readConfig } from './config';
import { createElectronStoreContainer } from './credentials/electron-store-container';
import { createSafeStoragePort } from './credentials/safe-storage-port';
import { DeepLinkIntake } from './deep-link/intake';
import { listenForDeepLinks } from './deep-link/electron-listener';
import {
  registerLinuxSchemeHandler,
  unregisterLinuxSchemeHandler,
} from './deep-link/linux-registration';
import {
  DEV_DESKTOP_FILE,
  linuxOptions,
  registerSchemeHandler,
} from './deep-link/scheme-registration';
import { fromNetFetch } from './http/net-fetch';
import { sessionPreconnect } from './http/preconnect';
import { registerIpc, sendEvent } from './ipc/electron-ipc';
import { createStreamLogger } from './log';
import { acquireDataDirLock, DataDirLockedError, type DataDirLock } from './storage/data-dir-lock';
import { APP_ORIGIN, registerAppSchemePrivileges, serveRenderer } from './window/app-protocol';
import { createMainWindow, denyAllPermissions } from './window/main-window';
import { saveDialogChooser } from './window/save-dialog';
import { applicationMenu } from './window/menu';

/** `latchkey --remove-desktop-integration`: undo what the app registered with the OS, then exit. */
const REMOVE_SWITCH = '--remove-desktop-integration';
/** The longest startup waits for the OS registration before the window opens without it. */
const REGISTRATION_WAIT_MS = 3_000;

const log = createStreamLogger((line) => process.stderr.write(line));
const packaged = app.isPackaged;
const scheme = packaged ? 'app.latchkey' : 'app.latchkey.dev';

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  process.stderr.write(
    `Latchkey: ${error instanceof ConfigError ? error.message : String(error)}\n`,
  );
  process.exit(1);
}

// A dev build gets its own data folder before the single-instance lock is taken: Electron keys
// the lock on the user-data directory (electron/electron shell/browser/api/electron_api_app.cc,
// `App::RequestSingleInstanceLock` reads `chrome::DIR_USER_DATA`), so sharing "Latchkey" with the
// installed app would share its lock (a running dev build would swallow the installed app's
// `app.latchkey:` links) and its credentials. An explicit `--user-data-dir` (tests) wins.
if (!packaged && !app.commandLine.hasSwitch('user-data-dir')) {
  app.setPath('userData', join(app.getPath('appData'), 'Latchkey Dev'));
}

// The dev build's windows belong to its own desktop entry (WM_CLASS / app id), not the
// installed app's; packaged builds take `desktopName` from package.json (lib/browser/init.ts).
if (!packaged && process.platform === 'linux') app.setDesktopName(DEV_DESKTOP_FILE);

if (process.argv.includes(REMOVE_SWITCH)) {
  void removeDesktopIntegration().then((code) => app.exit(code));
} else {
  main(config);
}

/** Removes the scheme registration (and, on Linux, the desktop entry the app wrote). */
async function removeDesktopIntegration(): Promise<number> {
  const options = {
    app,
    scheme,
    packaged,
    execPath: process.execPath,
    env: process.env,
  };
  try {
    if (process.platform === 'linux') {
      const result = await unregisterLinuxSchemeHandler(linuxOptions(options));
      if (!result.ok) {
        process.stderr.write(`Latchkey: could not remove the registration: ${result.detail}\n`);
        return 1;
      }
    } else if (packaged) {
      app.removeAsDefaultProtocolClient(scheme);
    } else {
      app.removeAsDefaultProtocolClient(scheme, process.execPath, [app.getAppPath()]);
    }
    process.stdout.write(`Latchkey: removed the ${scheme}: link registration.\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`Latchkey: could not remove the registration (${String(error)}).\n`);
    return 1;
  }
}

function main(appConfig: ReturnType<typeof readConfig>): void {
  app.enableSandbox();
  registerAppSchemePrivileges();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Electron's lock covers one build on one folder; the data-dir lock also keeps out a dev and a
  // packaged build, the browser harness, or another user's session on the same folder.
  let dataDirLock: DataDirLock;
  try {
    dataDirLock = acquireDataDirLock(app.getPath('userData'));
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const message = `Another Latchkey is using ${error.dir} (pid ${error.owner.pid}). Close it first.`;
    process.stderr.write(`Latchkey: ${message}\n`);
    dialog.showErrorBox('Latchkey', message);
    app.exit(1);
    return;
  }

  let window: BrowserWindow | null = null;
  /** The window's contents once its page has loaded: events go nowhere before that. */
  let loaded: WebContents | null = null;
  let services: AppServices | null = null;
  const osIntake = new DeepLinkIntake({
    onError: (error) => log.warn('deep-link.intake-failed', { name: (error as Error).name }),
  });

  // Before `ready`: macOS delivers `open-url` for the launch link only to early listeners.
  listenForDeepLinks({
    app,
    scheme,
    intake: osIntake,
    argv: process.argv,
    onSecondInstance: () => {
      if (!window) {
        if (services) openWindow(services);
        return;
      }
      if (window.isMinimized()) window.restore();
      window.focus();
    },
  });
  // Started now, in parallel with Chromium's start-up; awaited (bounded) before the window opens.
  const registration = withTimeout(
    registerSchemeHandler({
      app,
      scheme,
      packaged,
      platform: process.platform,
      execPath: process.execPath,
      env: process.env,
      registerLinux: registerLinuxSchemeHandler,
    }),
    REGISTRATION_WAIT_MS,
    { available: false, reason: 'xdg-mime-failed' },
  );

  function openWindow(started: AppServices): void {
    const created = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'), {
      devTools: !packaged,
    });
    window = created;
    const contents = created.webContents;
    created.on('closed', () => {
      if (window === created) window = null;
      if (loaded === contents) loaded = null;
    });
    // The page asks for every state it shows when it starts; events sent while it loads would be
    // lost at best. What changed between its answers and now was not sent, so the current states
    // follow at once (revisions and `seq` make repeats harmless). URLs that arrived before the
    // window could show their outcome replay now.
    contents.once('did-finish-load', () => {
      if (window === created) {
        loaded = contents;
        started.replayStates();
      }
      started.acceptDeepLinks();
    });
    void created.loadURL(`${APP_ORIGIN}/index.html`);
  }

  void app.whenReady().then(async () => {
    const deepLinks = await registration;
    if (!deepLinks.available) log.warn('deep-link.unregistered', { reason: deepLinks.reason });
    const menu = applicationMenu(
      process.platform,
      packaged,
      { showShortcuts: () => sendEvent(loaded, 'app:show-shortcuts', null) },
      // The menu is built once: it follows the system language, not a later in-app switch.
      /^zh\b/i.test(app.getPreferredSystemLanguages()[0] ?? '') ? 'zh-CN' : 'en',
    );
    if (menu) Menu.setApplicationMenu(Menu.buildFromTemplate(menu));
    denyAllPermissions();
    serveRenderer(join(import.meta.dirname, '../renderer'));
    services = createAppServices({
      config: appConfig,
      dataDir: app.getPath('userData'),
      fetch: fromNetFetch((input, init) => net.fetch(input, init)),
      // `net.fetch` runs in the default session: the sockets it preconnects are the ones it uses.
      preconnect: sessionPreconnect(session.defaultSession),
      encryption: createSafeStoragePort(safeStorage, process.platform),
      createContainer: createElectronStoreContainer,
      openExternal: (url) => shell.openExternal(url),
      saveFile: createSaveFile({
        choosePath: saveDialogChooser({
          dialog,
          window: () => window,
          folder: () => app.getPath('downloads'),
        }),
      }),
      scheme,
      hostname: hostname(),
      version: app.getVersion(),
      systemLanguages: app.getPreferredSystemLanguages(),
      deepLinks,
      intake: osIntake,
      emit: (channel, payload) => sendEvent(loaded, channel, payload),
      log,
    });
    registerIpc(services.handlers, () => window?.webContents ?? null, APP_ORIGIN, log);
    services.start();
    openWindow(services);
  });

  // Platform conventions: on macOS the app stays running with no window and the Dock icon
  // reopens one (electron/electron docs/tutorial/tutorial-2-first-app.md, "Managing your
  // app's window lifecycle"); elsewhere closing the last window quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!window && services && BrowserWindow.getAllWindows().length === 0) openWindow(services);
  });
  app.on('will-quit', () => {
    services?.dispose();
    dataDirLock.release();
  });
}

/** `promise`, or `fallback` if it has not settled after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
