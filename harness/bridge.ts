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

/**
 * Bytes (attachments) cross as bytes, as they would over Electron's IPC: a value holding a
 * Uint8Array goes as a frame — `<JSON length>\n<JSON><bytes…>`, each Uint8Array in the JSON
 * replaced by `{"$bytes": [offset, length]}` — so the page never builds or parses base64.
 */
const FRAME_TYPE = 'application/x-latchkey-frame';

function encodeFrame(value: unknown): Blob | null {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Uint8Array)) return v;
    parts.push(v);
    offset += v.byteLength;
    return { $bytes: [offset - v.byteLength, v.byteLength] };
  });
  if (parts.length === 0) return null;
  const head = new TextEncoder().encode(json);
  return new Blob([`${head.byteLength}\n`, head, ...(parts as Uint8Array<ArrayBuffer>[])]);
}

function decodeFrame(buffer: ArrayBuffer): unknown {
  const all = new Uint8Array(buffer);
  const newline = all.indexOf(10);
  const length = Number(new TextDecoder().decode(all.subarray(0, newline)));
  const start = newline + 1;
  const json = new TextDecoder().decode(all.subarray(start, start + length));
  const base = start + length;
  return JSON.parse(json, (_key, v: unknown) => {
    const ref = (v as { $bytes?: [number, number] } | null)?.$bytes;
    return Array.isArray(ref) ? new Uint8Array(buffer, base + ref[0], ref[1]) : v;
  });
}

const api = createLatchkeyApi({
  async invoke(channel, request) {
    await connected;
    const frame = request === undefined ? null : encodeFrame(request);
    const response = await fetch(`/__harness/ipc/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': frame ? FRAME_TYPE : 'application/json' },
      body: frame ?? (request === undefined ? '' : JSON.stringify(request)),
    });
    if (response.headers.get('content-type') === FRAME_TYPE) {
      return decodeFrame(await response.arrayBuffer()) as Result<unknown>;
    }
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
