/**
 * Composition root of the Electron app: single-instance lock, app events, the Electron adapters
 * (window, app:// protocol, IPC, safeStorage, deep links), and the Electron-free services.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { app, net, safeStorage, shell, type BrowserWindow } from 'electron';
import { createAppServices, type AppServices } from './app-services';
import { ConfigError, readConfig } from './config';
import { createElectronStoreContainer } from './credentials/electron-store-container';
import { createSafeStoragePort } from './credentials/safe-storage-port';
import { DeepLinkIntake } from './deep-link/intake';
import { listenForDeepLinks, registerProtocolClient } from './deep-link/electron-listener';
import { registerIpc, sendEvent } from './ipc/electron-ipc';
import { createStreamLogger } from './log';
import { APP_ORIGIN, registerAppSchemePrivileges, serveRenderer } from './window/app-protocol';
import { createMainWindow, denyAllPermissions } from './window/main-window';

const log = createStreamLogger((line) => process.stderr.write(line));
const scheme = app.isPackaged ? 'app.latchkey' : 'app.latchkey.dev';

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  process.stderr.write(
    `Latchkey: ${error instanceof ConfigError ? error.message : String(error)}\n`,
  );
  process.exit(1);
}

app.enableSandbox();
registerAppSchemePrivileges();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
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
      if (!window) return;
      if (window.isMinimized()) window.restore();
      window.focus();
    },
  });
  const deepLinksAvailable = registerProtocolClient(
    app,
    scheme,
    app.isPackaged,
    process.argv[1] ?? app.getAppPath(),
  );

  void app.whenReady().then(() => {
    denyAllPermissions();
    serveRenderer(join(import.meta.dirname, '../renderer'));
    services = createAppServices({
      config,
      dataDir: app.getPath('userData'),
      fetch: (input, init) => net.fetch(input instanceof URL ? input.href : input, init),
      encryption: createSafeStoragePort(safeStorage, process.platform),
      createContainer: createElectronStoreContainer,
      openExternal: (url) => shell.openExternal(url),
      scheme,
      hostname: hostname(),
      version: app.getVersion(),
      systemLanguages: app.getPreferredSystemLanguages(),
      deepLinksAvailable,
      intake: osIntake,
      emit: (channel, payload) => sendEvent(window?.webContents ?? null, channel, payload),
      log,
    });
    registerIpc(services.handlers, () => window?.webContents ?? null, APP_ORIGIN, log);
    window = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'));
    window.on('closed', () => {
      window = null;
    });
    services.start();
    const started = services;
    // URLs that arrived before the window could show their outcome are replayed now.
    window.webContents.once('did-finish-load', () => started.acceptDeepLinks());
    void window.loadURL(`${APP_ORIGIN}/index.html`);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => services?.dispose());
}
