/** What {@link DeepLinkIntake} accepts. */
export interface DeepLinkIntakeOptions {
  /** URLs kept while no handler is attached; the oldest is dropped beyond it. Default 16. */
  readonly maxQueued?: number;
  /**
   * Called with whatever a handler threw, so nothing is thrown into Electron's event loop. The
   * URL is not passed on: it may hold an authorization code (security.md 16).
   */
  readonly onError?: (error: unknown) => void;
}

/** Default bound of the queue. */
export const DEFAULT_MAX_QUEUED = 16;

/**
 * The one intake for every route back from the browser (security.md 4): macOS `open-url`,
 * `second-instance` argv, cold-start argv, the loopback listener, the paste form and the
 * harness's `POST /__harness/deep-link` all call {@link DeepLinkIntake.deliver}.
 *
 * Like VS Code's `ElectronURLListener`, URLs that arrive before the app is ready to handle them
 * are buffered and replayed once, in order, when a handler is attached. Hand-written because the
 * buffering is specific to Electron's event timing; no library does it.
 *
 * The intake does not validate: the handler parses with `parseDeepLink` (parse.ts), and single-use
 * nonces make a replayed callback harmless (security.md 7).
 */
export class DeepLinkIntake {
  readonly #maxQueued: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #queue: string[] = [];
  #handler: ((url: string) => void) | null = null;
  #draining = false;

  constructor(options: DeepLinkIntakeOptions = {}) {
    this.#maxQueued = Math.max(1, options.maxQueued ?? DEFAULT_MAX_QUEUED);
    this.#onError = options.onError;
  }

  /** Number of URLs waiting for a handler. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Hands a URL to the handler, or queues it until one is attached. A URL identical to the last
   * queued one is dropped (the OS may report one click twice). Never throws.
   */
  deliver(url: string): void {
    const handler = this.#handler;
    if (handler === null || this.#draining) {
      this.#enqueue(url);
      return;
    }
    this.#call(handler, url);
  }

  /**
   * Attaches the single handler and replays the queued URLs once, in order. Returns a function
   * that detaches it; URLs delivered afterwards are queued again.
   * @throws Error when a handler is already attached (a wiring bug in the composition root).
   */
  attach(handler: (url: string) => void): () => void {
    if (this.#handler !== null) throw new Error('DeepLinkIntake: a handler is already attached');
    this.#handler = handler;
    this.#drain(handler);
    return () => {
      if (this.#handler === handler) this.#handler = null;
    };
  }

  #enqueue(url: string): void {
    if (this.#queue.at(-1) === url) return;
    this.#queue.push(url);
    if (this.#queue.length > this.#maxQueued) this.#queue.shift();
  }

  #drain(handler: (url: string) => void): void {
    this.#draining = true;
    try {
      for (let url = this.#queue.shift(); url !== undefined; url = this.#queue.shift()) {
        this.#call(handler, url);
      }
    } finally {
      this.#draining = false;
    }
  }

  #call(handler: (url: string) => void, url: string): void {
    try {
      handler(url);
    } catch (error) {
      this.#reportError(error);
    }
  }

  #reportError(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // The error reporter itself failed; there is nowhere safer to send it.
    }
  }
}
