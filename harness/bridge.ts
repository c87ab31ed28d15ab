/**
 * The harness's stand-in for preload/index.ts: the same `createLatchkeyApi` over HTTP + server-
 * sent events instead of `ipcRenderer`. Loaded as a classic script before the renderer's module.
 */
import type { EventChannel, LatchkeyApi, Result } from '../preload/api';
import { createLatchkeyApi } from '../preload/bridge';

declare global {
  interface Window {
    latchkey: LatchkeyApi;
  }
}

const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
const source = new EventSource('/__harness/events');
const connected = new Promise<void>((resolve) => {
  source.addEventListener('open', () => resolve(), { once: true });
});
source.addEventListener('message', (event: MessageEvent<string>) => {
  const { channel, payload } = JSON.parse(event.data) as {
    channel: EventChannel;
    payload: unknown;
  };
  for (const listener of listeners.get(channel) ?? []) listener(payload);
});

const api = createLatchkeyApi({
  async invoke(channel, request) {
    await connected;
    const response = await fetch(`/__harness/ipc/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request === undefined ? '' : JSON.stringify(request),
    });
    return (await response.json()) as Result<unknown>;
  },
  subscribe(channel, listener) {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
});

Object.defineProperty(window, 'latchkey', { value: Object.freeze(api), writable: false });
