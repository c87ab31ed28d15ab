import type { LatchkeyApi } from '../../../preload/api';
import { getContext, setContext } from 'svelte';

/** Data URLs kept for thumbnails (a few MB each at most: images are ≤ 2048 px). */
const CACHE_SIZE = 24;

/**
 * Sent images for the page: fetched from main as `data:` URLs (`chat:attachment-url`), which the
 * renderer's CSP already allows for images (`img-src 'self' data:`; no `blob:` needed), and
 * kept in a small cache, most recently used last.
 */
export class AttachmentImages {
  readonly #api: Pick<LatchkeyApi, 'attachmentUrl'>;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, never rendered
  readonly #cache = new Map<string, Promise<string>>();

  constructor(api: Pick<LatchkeyApi, 'attachmentUrl'>) {
    this.#api = api;
  }

  /** The image as a `data:` URL; rejects when it is gone. */
  url(conversationId: string, id: string): Promise<string> {
    const key = `${conversationId}/${id}`;
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const loading = this.#api.attachmentUrl(conversationId, id);
    this.#cache.set(key, loading);
    loading.catch(() => this.#cache.delete(key));
    for (const old of this.#cache.keys()) {
      if (this.#cache.size <= CACHE_SIZE) break;
      this.#cache.delete(old);
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
