import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { LatchkeyError } from '../errors';

/** One dispatched server-sent event (`id` and `retry` are not used by chat APIs). */
export interface SseEvent {
  readonly data: string;
  readonly event?: string;
}

export interface ReadSseOptions {
  /**
   * Characters one event (or one unterminated line) may buffer; more is
   * `HTTP_RESPONSE_TOO_LARGE`, so a server that never ends a line cannot exhaust memory.
   */
  readonly maxEventChars?: number;
}

/** Default {@link ReadSseOptions.maxEventChars}: far above any chat chunk (they are < 1 KB). */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * Reads a `text/event-stream` body as events (WHATWG HTML §9.2 "Server-sent events").
 * Framing is `eventsource-parser`'s: LF, CR and CRLF line ends, comments (`: OPENROUTER
 * PROCESSING`) dropped, multi-line `data:` joined with `\n`, lines split anywhere across chunks.
 * Bytes go through one streaming `TextDecoder`, so a UTF-8 character split across chunks
 * survives. Work is linear in the input: the parser keeps partial lines as fragments and joins
 * them once (v4), and nothing here re-scans what it has already seen.
 *
 * An event not terminated by a blank line when the body ends is discarded, as the spec says.
 * When `signal` aborts, the body is cancelled and its reason (an `AbortError`) is thrown;
 * when the consumer stops early, the body is cancelled too, which closes the connection.
 */
export async function* readSseEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  options: ReadSseOptions = {},
): AsyncGenerator<SseEvent> {
  signal?.throwIfAborted();
  const queue: SseEvent[] = [];
  let overflow = false;
  const parser = createParser({
    maxBufferSize: options.maxEventChars ?? MAX_SSE_EVENT_CHARS,
    onEvent: (message: EventSourceMessage) => {
      queue.push(
        message.event === undefined
          ? { data: message.data }
          : { data: message.data, event: message.event },
      );
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = true;
    },
  });
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (text.length > 0) parser.feed(text);
      if (overflow) throw new LatchkeyError('HTTP_RESPONSE_TOO_LARGE', { status: 200 });
      for (const event of queue) {
        signal?.throwIfAborted();
        yield event;
      }
      queue.length = 0;
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
