import type { LatchkeyApi } from '../../../preload/api';
import { getContext, setContext } from 'svelte';

/** Images kept as object URLs for thumbnails (a few MB each at most: images are ≤ 2048 px). */
const CACHE_SIZE = 24;

/**
 * Sent images for the page: their bytes fetched from main (`chat:attachment`) and shown through
 * `blob:` object URLs (the renderer's CSP allows `img-src 'self' data: blob:`), so no page code
 * ever builds or parses a multi-megabyte `data:` string. Kept in a small cache, most recently
 * used last; an evicted URL is revoked.
 */
export class AttachmentImages {
  readonly #api: Pick<LatchkeyApi, 'attachmentData'>;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, never rendered
  readonly #cache = new Map<string, Promise<string>>();

  constructor(api: Pick<LatchkeyApi, 'attachmentData'>) {
    this.#api = api;
  }

  /** The image as a `blob:` URL; rejects when it is gone. */
  url(conversationId: string, id: string): Promise<string> {
    const key = `${conversationId}/${id}`;
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const loading = this.#api
      .attachmentData(conversationId, id)
      .then(({ mediaType, bytes }) =>
        URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mediaType })),
      );
    this.#cache.set(key, loading);
    loading.catch(() => this.#cache.delete(key));
    for (const [old, url] of this.#cache) {
      if (this.#cache.size <= CACHE_SIZE) break;
      this.#cache.delete(old);
      void url.then(
        (u) => URL.revokeObjectURL(u),
        () => undefined,
      );
    }
    return loading;
  }
}

/** What messages need to show their images: the loader and the open conversation. */
export interface AttachmentContext {
  readonly images: AttachmentImages;
  readonly conversationId: () => string | null;
}

const KEY = Symbol('attachments');

/** Called by the chat window, for the messages it shows. */
export function provideAttachments(context: AttachmentContext): void {
  setContext(KEY, context);
}

/** In a message: the context, or undefined outside a chat window. */
export function attachmentContext(): AttachmentContext | undefined {
  return getContext<AttachmentContext | undefined>(KEY);
}
