import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { INVOKE_CHANNELS, type EventChannel, type EventContract } from '../../preload/api';
import type { Logger } from '../log';
import { dispatch, type Handlers } from './dispatch';

/**
 * True when an invoke comes from our page in the top frame of our window (security.md 20,
 * VS Code's `ValidatedIpcMain`, GitHub Desktop's trusted-ipc-sender).
 */
export function isTrustedSender(
  event: IpcMainInvokeEvent,
  trusted: () => WebContents | null,
  origin: string,
): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (event.sender !== trusted()) return false;
  try {
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === origin;
  } catch {
    return false;
  }
}

/** Registers every contract channel with `ipcMain.handle`; returns a function removing them. */
export function registerIpc(
  handlers: Handlers,
  trusted: () => WebContents | null,
  origin: string,
  log: Logger,
): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, request: unknown) => {
      if (!isTrustedSender(event, trusted, origin)) {
        log.warn('ipc.forbidden-sender', { channel });
        return { ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } };
      }
      return dispatch(handlers, channel, request, log);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Sends a contract event to the window, if it is still there. */
export function sendEvent<C extends EventChannel>(
  contents: WebContents | null,
  channel: C,
  payload: EventContract[C],
): void {
  if (contents && !contents.isDestroyed()) contents.send(channel, payload);
}
