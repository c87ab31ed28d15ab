import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Result } from './api';
import { createLatchkeyApi } from './bridge';

/**
 * Exposes `window.latchkey`: named functions only, never `ipcRenderer` itself. Listeners receive
 * the payload, not the Electron event (which would leak `sender`).
 */
const api = createLatchkeyApi({
  invoke: (channel, request) => ipcRenderer.invoke(channel, request) as Promise<Result<unknown>>,
  subscribe(channel, listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('latchkey', api);
