/**
 * Turns a picked, pasted or dropped file into what `chat:attach` takes, off the main thread: a
 * Web Worker (its own lazy chunk) decodes and downscales images above 2048 px on the long side
 * and reads the bytes, handed back as a transferred ArrayBuffer (no copy, no base64), so a
 * 10 MB photo never blocks the page. Loaded with `import()` on the
 * first attachment, like the worker itself.
 */
import { ATTACHMENT_LIMITS, type AttachmentUpload } from '../../../preload/api';

export interface PrepareRequest {
  readonly id: number;
  readonly file: File;
  readonly maxSide: number;
}

export interface PrepareResponse {
  readonly id: number;
  readonly ok: boolean;
  /** The bytes to upload (transferred from the worker); null when the file could not be read. */
  readonly bytes: ArrayBuffer | null;
  readonly width?: number;
  readonly height?: number;
  /** True when the image was downscaled (and re-encoded). */
  readonly resized: boolean;
}

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (response: PrepareResponse) => void>();

function theWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./downscale.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<PrepareResponse>) => {
    const resolve = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    resolve?.(event.data);
  };
  return worker;
}

/** The upload for `file`, images downscaled; rejects when the file cannot be read. */
export async function prepareUpload(file: File): Promise<AttachmentUpload> {
  const id = ++nextId;
  const response = await new Promise<PrepareResponse>((resolve) => {
    waiting.set(id, resolve);
    theWorker().postMessage({
      id,
      file,
      maxSide: ATTACHMENT_LIMITS.maxImageSide,
    } satisfies PrepareRequest);
  });
  if (!response.ok || !response.bytes) throw new Error('INTERNAL: the file could not be read');
  return { name: file.name, bytes: new Uint8Array(response.bytes) };
}
