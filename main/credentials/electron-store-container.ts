// eslint-disable-next-line no-restricted-syntax -- only to remove electron-store's own listener, see below
import { ipcMain } from 'electron';
import ElectronStore from 'electron-store';
import { CONTAINER_DEFAULTS, type Container, type ContainerOptions } from './credential-store';

/** The sync IPC channel electron-store answers in the main process (its `initRenderer` data). */
export const ELECTRON_STORE_IPC_CHANNEL = 'electron-store-get-data';

/**
 * The `createContainer` for the Electron main process: electron-store (a thin subclass of conf,
 * so the same atomic writes, file mode and options) rooted at the data directory.
 *
 * `initRenderer` is never called (security.md 14). electron-store 12 nevertheless registers the
 * same handler from its constructor whenever it runs in the main process: a sync
 * `ipcMain.on('electron-store-get-data')` that answers any renderer, without a sender check,
 * with the `userData` path and the app version. The renderer never needs it (it has no store),
 * and every IPC handler must check its sender (security.md 20), so the listener is removed right
 * away. electron-store registers it only once per process, so it does not come back.
 */
export function createElectronStoreContainer(options: ContainerOptions): Container {
  const store = new ElectronStore<Record<string, unknown>>({
    ...CONTAINER_DEFAULTS,
    cwd: options.cwd,
    name: options.configName,
    configFileMode: options.configFileMode,
  });
  // eslint-disable-next-line no-restricted-syntax -- removes electron-store's unchecked handler
  ipcMain.removeAllListeners(ELECTRON_STORE_IPC_CHANNEL);
  return store;
}
