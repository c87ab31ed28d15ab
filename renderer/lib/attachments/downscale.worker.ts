/**
 * Off the main thread: decodes an image, downscales it to at most `maxSide` pixels on its long
 * side (createImageBitmap + OffscreenCanvas), and reads any file's bytes into an ArrayBuffer
 * that is transferred (not copied) back to the page for `chat:attach`.
 * A file that does not decode is passed on as it is: main checks every file's bytes and says
 * what is wrong with it.
 */
import type { PrepareRequest, PrepareResponse } from './prepare';

const RESIZABLE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<PrepareRequest>) => void) | null;
  postMessage(message: PrepareResponse, transfer: Transferable[]): void;
};

async function prepare({ file, maxSide }: PrepareRequest): Promise<Omit<PrepareResponse, 'id'>> {
  let blob: Blob = file;
  let size: { width: number; height: number } | null = null;
  if (RESIZABLE.has(file.type)) {
    try {
      const bitmap = await createImageBitmap(file);
      size = { width: bitmap.width, height: bitmap.height };
      const long = Math.max(bitmap.width, bitmap.height);
      if (long > maxSide) {
        const scale = maxSide / long;
        const width = Math.max(1, Math.round(bitmap.width * scale));
        const height = Math.max(1, Math.round(bitmap.height * scale));
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d');
        if (context) {
          context.imageSmoothingQuality = 'high';
          context.drawImage(bitmap, 0, 0, width, height);
          const type =
            file.type === 'image/jpeg' || file.type === 'image/webp' ? file.type : 'image/png';
          blob = await canvas.convertToBlob({ type, quality: 0.9 });
          size = { width, height };
        }
      }
      bitmap.close();
    } catch {
      // Not an image after all (a renamed file): main refuses it with a clear reason.
    }
  }
  return { ok: true, bytes: await blob.arrayBuffer(), ...(size ?? {}), resized: blob !== file };
}

scope.onmessage = (event) => {
  const { id } = event.data;
  prepare(event.data).then(
    (result) => scope.postMessage({ id, ...result }, result.bytes ? [result.bytes] : []),
    () => scope.postMessage({ id, ok: false, bytes: null, resized: false }, []),
  );
};
