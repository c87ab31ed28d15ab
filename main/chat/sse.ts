import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { LatchkeyError } from '../errors';

/** One dispatched server-sent event (`id` and `retry` are not used by chat APIs). */
export interface SseEvent {
  readonly data: string;
  readonly event?: string;
}

export interface SseOptions {
  /**
   * Characters one event (or one unterminated line) may buffer; more is
   * `HTTP_RESPONSE_TOO_LARGE`, so a server that never ends a line cannot exhaust memory.
   */
  readonly maxEventChars?: number;
}

/** Default {@link SseOptions.maxEventChars}: far above any chat chunk (they are < 1 KB). */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/** Chunks up to this size are checked for ASCII in JS; larger ones always go to the decoder. */
const ASCII_FAST_PATH_BYTES = 16;
/** Pieces this short without a line end are held and fed to the parser together. */
const HOLD_CHARS = 16;
const HOLD_PIECES = 4096;

/**
 * Bytes of a `text/event-stream` in, events out, synchronously (WHATWG HTML §9.2.6). Framing
 * is `eventsource-parser`'s: LF, CR and CRLF line ends, comments dropped, multi-line `data:`
 * joined with `\n`, lines split anywhere. Text comes from one streaming `TextDecoder`, so a UTF-8
 * character split across chunks survives. Linear in the input: the parser keeps a partial line
 * as fragments and joins them once, and nothing here re-scans what it has seen.
 */
export class SseDecoder {
  readonly #parser: EventSourceParser;
  // ignoreBOM: the parser strips the stream's leading U+FEFF; the decoder must have no notion
  // of "start of stream", because of the ASCII shortcut below.
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** True when the decoder holds no partial UTF-8 sequence. */
  #clean = true;
  #overflow = false;
  /** Tiny pieces without a line end, not yet fed to the parser. */
  readonly #held: string[] = [];

  constructor(onEvent: (event: SseEvent) => void, options: SseOptions = {}) {
    this.#parser = createParser({
      maxBufferSize: options.maxEventChars ?? MAX_SSE_EVENT_CHARS,
      onEvent: (message: EventSourceMessage) =>
        onEvent(
          message.event === undefined
            ? { data: message.data }
            : { data: message.data, event: message.event },
        ),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.#overflow = true;
      },
    });
  }

  /** Feeds the next bytes; events complete in them are delivered before this returns. */
  push(bytes: Uint8Array): void {
    const text = this.#decode(bytes);
    if (text.length <= HOLD_CHARS && text.indexOf('\n') === -1 && text.indexOf('\r') === -1) {
      // No event can complete before a line ends: hold tiny pieces (a server flushing byte by
      // byte) and feed them to the parser together, sparing it a call per byte.
      if (text.length > 0) this.#held.push(text);
      if (this.#held.length >= HOLD_PIECES) this.#feed('');
      return;
    }
    this.#feed(text);
  }

  /** The body ended: flushes the decoder. An event without its closing blank line is dropped. */
  end(): void {
    this.#feed(this.#decoder.decode());
    this.#clean = true;
  }

  #decode(bytes: Uint8Array): string {
    // Tiny chunks would pay the decoder's call overhead per byte; ASCII decoded with a clean
    // decoder is the same text either way.
    if (this.#clean && bytes.length <= ASCII_FAST_PATH_BYTES) {
      const ascii = asciiText(bytes);
      if (ascii !== null) return ascii;
    }
    const text = this.#decoder.decode(bytes, { stream: true });
    // An ASCII byte never leaves a sequence pending; anything else might.
    this.#clean = bytes.length === 0 ? this.#clean : (bytes[bytes.length - 1] ?? 0) < 0x80;
    return text;
  }

  #feed(text: string): void {
    if (this.#held.length > 0) {
      this.#held.push(text);
      text = this.#held.join('');
      this.#held.length = 0;
    }
    if (text.length > 0) this.#parser.feed(text);
    if (this.#overflow) throw new LatchkeyError('HTTP_RESPONSE_TOO_LARGE', { status: 200 });
  }
}

/** The text of a short all-ASCII chunk, or null when it has a byte ≥ 0x80. */
function asciiText(bytes: Uint8Array): string | null {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const char = ASCII[bytes[i] as number];
    if (char === undefined) return null;
    text += char;
  }
  return text;
}

const ASCII = Array.from({ length: 0x80 }, (_, code) => String.fromCharCode(code));

/**
 * Reads a `text/event-stream` body as events, through {@link SseDecoder}. When `signal` aborts,
 * the body is cancelled and the signal's reason (an `AbortError`) is thrown; when the consumer
 * stops early, the body is cancelled too, which closes the connection. A failed read is thrown
 * as is.
 */
export async function* readSseEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  options: SseOptions = {},
): AsyncGenerator<SseEvent> {
  signal?.throwIfAborted();
  const queue: SseEvent[] = [];
  const decoder = new SseDecoder((event) => queue.push(event), options);
  const reader = body.getReader();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) decoder.end();
      else decoder.push(value);
      if (queue.length > 0) {
        for (let i = 0; i < queue.length; i++) {
          signal?.throwIfAborted();
          yield queue[i] as SseEvent;
        }
        queue.length = 0;
      }
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
