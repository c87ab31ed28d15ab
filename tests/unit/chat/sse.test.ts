import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../../../main/errors';
import { readSseEvents, SseDecoder, type SseEvent } from '../../../main/chat/sse';
import { collect, encode, fragments, prng, RECORDED_OPENROUTER_STREAM, streamOf } from './fixtures';

const read = (parts: readonly (string | Uint8Array)[]) => collect(readSseEvents(streamOf(parts)));

function decodeSync(parts: readonly Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = [];
  const decoder = new SseDecoder((e) => events.push(e));
  for (const part of parts) decoder.push(part);
  decoder.end();
  return events;
}

describe('SSE framing', () => {
  it('joins a line split across chunks', async () => {
    expect(await read(['data: {"a"', ':1}\n', '\n', 'data: x\n\n'])).toEqual([
      { data: '{"a":1}' },
      { data: 'x' },
    ]);
  });

  it('recognizes `data:` split mid-word and a blank line split from its line', async () => {
    expect(await read(['d', 'a', 'ta', ': hel', 'lo\n', '\n'])).toEqual([{ data: 'hello' }]);
    expect(await read(['dat', 'a:no-space\n\n'])).toEqual([{ data: 'no-space' }]);
  });

  it('accepts CRLF and CR line ends, also when a CRLF is split', async () => {
    expect(await read(['data: a\r\n\r\ndata: b\r\rdata: c\n\n'])).toEqual([
      { data: 'a' },
      { data: 'b' },
      { data: 'c' },
    ]);
    expect(await read(['data: a\r', '\n', '\r', '\ndata: b\r', '\r'])).toEqual([
      { data: 'a' },
      { data: 'b' },
    ]);
  });

  it('ignores comment lines, alone or inside an event', async () => {
    expect(
      await read([': OPENROUTER PROCESSING\n\n', 'data: a\n: keep-alive\ndata: b\n\n', ':x\n\n']),
    ).toEqual([{ data: 'a\nb' }]);
  });

  it('joins multi-line data with \\n and keeps the event type', async () => {
    expect(await read(['event: error\ndata: one\ndata:\ndata: three\n\n'])).toEqual([
      { event: 'error', data: 'one\n\nthree' },
    ]);
  });

  it('drops an event the body ends before its blank line, and a leading BOM', async () => {
    expect(await read(['\uFEFFdata: a\n\ndata: cut'])).toEqual([{ data: 'a' }]);
    expect(
      await read([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf]), 'data: a\n\n']),
    ).toEqual([{ data: 'a' }]);
  });

  it('keeps UTF-8 characters split at every byte (CJK, emoji, ZWJ sequences)', async () => {
    const text = '中文 🎉 👩‍💻 é ẞ';
    const bytes = encode(`data: ${text}\n\n`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const events = await read([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(events).toEqual([{ data: text }]);
    }
    expect(await read(fragments(bytes, 1))).toEqual([{ data: text }]);
    expect(await read(fragments(bytes, 3))).toEqual([{ data: text }]);
  });

  it('1-byte fragments of a recorded OpenRouter stream give the same events as one chunk', async () => {
    const bytes = encode(RECORDED_OPENROUTER_STREAM);
    const whole = await read([bytes]);
    expect(whole.length).toBe(8);
    expect(whole.at(-1)).toEqual({ data: '[DONE]' });
    expect(await read(fragments(bytes, 1))).toEqual(whole);
    expect(await read(fragments(bytes, 7))).toEqual(whole);
    expect(decodeSync(fragments(bytes, 1))).toEqual(whole);
  });

  it('any chunking of any bytes (invalid UTF-8 included) decodes like one chunk', () => {
    const random = prng(42);
    const alphabet = ['x', 'y', '中', '🎉', 'é', ' ', '\n\ndata: ', '\r\n:c\r\ndata:', '\r\r'];
    for (let round = 0; round < 500; round++) {
      const parts: number[] = [...encode('data: ')];
      const length = 1 + Math.floor(random() * 40);
      for (let i = 0; i < length; i++) {
        if (random() < 0.15) parts.push(0x80 + Math.floor(random() * 0x80));
        else parts.push(...encode(alphabet[Math.floor(random() * alphabet.length)]!));
      }
      parts.push(...encode('\n\n'));
      const bytes = Uint8Array.from(parts);
      const oneShot = decodeSync([bytes]);
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < bytes.length;) {
        const size = 1 + Math.floor(random() * (random() < 0.5 ? 3 : 40));
        pieces.push(bytes.subarray(i, i + size));
        i += size;
      }
      expect(decodeSync(pieces)).toEqual(oneShot);
    }
  });

  it('reads a 1 MB event sent in 1-byte fragments (linear path, no re-scanning)', () => {
    const payload = 'x'.repeat(1024 * 1024);
    const events = decodeSync(fragments(encode(`data: ${payload}\n\n`), 1));
    expect(events).toHaveLength(1);
    expect(events[0]!.data.length).toBe(payload.length);
  });

  it('an endless line past the cap is HTTP_RESPONSE_TOO_LARGE', async () => {
    const events = readSseEvents(streamOf(['data: ', 'y'.repeat(2000)]), undefined, {
      maxEventChars: 1000,
    });
    await expect(collect(events)).rejects.toMatchObject({ code: 'HTTP_RESPONSE_TOO_LARGE' });
  });
});

describe('readSseEvents lifecycle', () => {
  it('abort: throws the AbortError and cancels the body', async () => {
    let cancelled: unknown = 'not cancelled';
    const controller = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(encode(`data: ${sent++}\n\n`));
        return new Promise((resolve) => setTimeout(resolve, 5));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const seen: string[] = [];
    const run = (async () => {
      for await (const event of readSseEvents(body, controller.signal)) {
        seen.push(event.data);
        if (seen.length === 2) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual(['0', '1']);
    expect(cancelled).toBeInstanceOf(DOMException);
  });

  it('an already aborted signal throws before reading', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      collect(readSseEvents(streamOf(['data: a\n\n']), controller.signal)),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stopping early cancels the body', async () => {
    let cancelled = false;
    const body = streamOf(['data: a\n\ndata: b\n\n', 'data: c\n\n'], {
      onCancel: () => (cancelled = true),
    });
    for await (const event of readSseEvents(body)) {
      expect(event.data).toBe('a');
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('a failed read is thrown as is', async () => {
    const failure = new TypeError('terminated');
    const events = readSseEvents(streamOf(['data: a\n\n'], { error: failure }));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of events) seen.push(e.data);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual(['a']);
  });

  it('throws typed errors as LatchkeyError', async () => {
    const error = await collect(
      readSseEvents(streamOf(['data: ', 'z'.repeat(50)]), undefined, { maxEventChars: 10 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
  });
});
