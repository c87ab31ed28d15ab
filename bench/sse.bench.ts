/**
 * SSE budgets of performance.md ("SSE parsing (main)"), measured in one process with Node's
 * clock over ≥ 5 runs after a warm-up:
 * - framing throughput of ~8 MB of OpenRouter-shaped SSE fed in 16 KB chunks, ≥ 50 MB/s
 *   (and the whole client — web stream, framing, JSON, schema — on the same input)
 * - one 1 MB event fed in 1-byte fragments ≤ 100 ms (the fragment views are made inside the
 *   timed loop, as a stream would hand them over)
 * - linearity: time for 1 MB over time for 256 KB, both in 1-byte fragments (≈ 4 when linear,
 *   ≈ 16 when quadratic)
 * The 1-byte case through a `ReadableStream` is reported too: there each chunk costs a
 * web-stream read (a few hundred ns in Node), which is the platform's, not the parser's.
 */
import { performance } from 'node:perf_hooks';
import { readChatStream } from '../main/chat/openrouter-chat';
import { readSseEvents, SseDecoder } from '../main/chat/sse';
import { summarize, type Row } from './stats';

const RUNS = 7;
const MB = 1024 * 1024;

/** ~`bytes` of SSE shaped like OpenRouter's chat stream (ids, provider, CJK/emoji tokens). */
function openRouterSse(bytes: number): Uint8Array {
  const tokens = [
    'Hello',
    ' world',
    ',',
    ' the',
    ' 中文',
    '输出',
    ' 🎉',
    ' code',
    '`',
    '\\n',
    ' é',
  ];
  const parts: string[] = [': OPENROUTER PROCESSING\n\n'];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const part =
      i % 500 === 499
        ? ': OPENROUTER PROCESSING\n\n'
        : `data: ${JSON.stringify({
            id: 'gen-1747300000-Xq3lT2aVbN9sPz0KfE1m',
            provider: 'OpenAI',
            model: 'openai/gpt-4o-mini',
            object: 'chat.completion.chunk',
            created: 1747300000 + Math.floor(i / 50),
            choices: [
              {
                index: 0,
                delta: { role: 'assistant', content: tokens[i % tokens.length] },
                finish_reason: null,
                native_finish_reason: null,
                logprobs: null,
              },
            ],
            system_fingerprint: 'fp_44added55e',
          })}\n\n`;
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  parts.push(
    `data: ${JSON.stringify({
      model: 'openai/gpt-4o-mini',
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 30000, total_tokens: 30010, cost: 0.02 },
    })}\n\ndata: [DONE]\n\n`,
  );
  return new TextEncoder().encode(parts.join(''));
}

function slices(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function streamOf(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[i++];
      if (part === undefined) controller.close();
      else controller.enqueue(part);
    },
  });
}

/** Framing only: bytes in, events out; returns the number of events (kept live). */
function frame(parts: readonly Uint8Array[]): number {
  let events = 0;
  const decoder = new SseDecoder(() => (events += 1));
  for (const part of parts) decoder.push(part);
  decoder.end();
  return events;
}

/** One event of `size` bytes of payload, fed byte by byte; returns ms. */
function oneByteFragments(size: number): number {
  const bytes = new TextEncoder().encode(`data: ${'x'.repeat(size)}\n\n`);
  let received = 0;
  const start = performance.now();
  const decoder = new SseDecoder((event) => (received = event.data.length));
  for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1));
  decoder.end();
  const ms = performance.now() - start;
  if (received !== size) throw new Error(`1-byte fragments: got ${received} of ${size}`);
  return ms;
}

async function oneByteFragmentsStream(size: number): Promise<number> {
  const bytes = new TextEncoder().encode(`data: ${'x'.repeat(size)}\n\n`);
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= bytes.length) controller.close();
      else controller.enqueue(bytes.subarray(i, ++i));
    },
  });
  const start = performance.now();
  let received = 0;
  for await (const event of readSseEvents(body)) received = event.data.length;
  const ms = performance.now() - start;
  if (received !== size) throw new Error(`stream fragments: got ${received} of ${size}`);
  return ms;
}

export async function benchSse(): Promise<Row[]> {
  const sse = openRouterSse(8 * MB);
  const megabytes = sse.length / MB;
  const chunks = slices(sse, 16 * 1024);
  const expectedEvents = frame(chunks);

  const framing: number[] = [];
  const client: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    let start = performance.now();
    const events = frame(chunks);
    const framed = performance.now() - start;
    if (events !== expectedEvents) throw new Error('framing: event count differs');

    start = performance.now();
    let deltas = 0;
    for await (const event of readChatStream(streamOf(chunks))) {
      if (event.type === 'delta') deltas += 1;
    }
    const read = performance.now() - start;
    if (deltas === 0) throw new Error('client: no deltas');

    if (run === 0) continue;
    framing.push(megabytes / (framed / 1000));
    client.push(megabytes / (read / 1000));
  }

  const oneMb: number[] = [];
  const ratio: number[] = [];
  oneByteFragments(MB);
  for (let run = 0; run < RUNS; run++) {
    const small = oneByteFragments(MB / 4);
    const large = oneByteFragments(MB);
    oneMb.push(large);
    ratio.push(large / small);
  }

  const throughStream: number[] = [];
  await oneByteFragmentsStream(MB / 4);
  for (let run = 0; run < 5; run++) throughStream.push(await oneByteFragmentsStream(MB));

  const size = `${megabytes.toFixed(1)} MB`;
  return [
    summarize(`SSE framing, ${size} OpenRouter SSE in 16 KB chunks (MB/s)`, framing, {
      minMedian: 50,
    }),
    summarize(`chat client (stream + SSE + JSON + schema), same input (MB/s)`, client, {
      minMedian: 50,
    }),
    summarize('1 MB event in 1-byte fragments (ms)', oneMb, { median: 100 }),
    summarize('linearity: 1-byte fragments, 1 MB / 256 KB (×, linear ≈ 4)', ratio, {
      median: 6,
    }),
    summarize('info: 1 MB in 1-byte fragments through a ReadableStream (ms)', throughStream, {}),
  ];
}
