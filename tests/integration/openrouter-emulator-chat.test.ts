import { createParser } from 'eventsource-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MODELS,
  defaultChatAnswer,
  loremMarkdown,
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../fixtures/openrouter-emulator';
import { runStandaloneFixture } from './standalone';

const CHAT = '/api/v1/chat/completions';
const MODEL = 'anthropic/claude-3.5-sonnet';

let emulator: OpenRouterEmulator;
let key: string;

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
  key = emulator.issueKey();
});

afterEach(async () => {
  await emulator.close();
});

interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  provider: string;
  choices: {
    index: number;
    delta: { role?: string; content?: string };
    finish_reason: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost: number };
  error?: { code: number; message: string };
}

interface ReadStream {
  chunks: Chunk[];
  comments: string[];
  done: boolean;
  /** `[DONE]` was the last event. */
  doneLast: boolean;
  content: string;
  /** Raw body pieces as fetch delivered them. */
  reads: Uint8Array[];
}

function chat(
  body: Record<string, unknown> = {},
  init: { key?: string | null; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<Response> {
  const token = init.key === undefined ? key : init.key;
  return fetch(`${emulator.url}${CHAT}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...init.headers,
    },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello there' }],
      stream: true,
      ...body,
    }),
    signal: init.signal ?? null,
  });
}

/**
 * Reads an SSE body to its end with eventsource-parser, as the app's client does. `lean` keeps only
 * the content and the last two chunks (not every chunk and raw read), for big answers.
 */
async function readStream(response: Response, { lean = false } = {}): Promise<ReadStream> {
  const result: ReadStream = {
    chunks: [],
    comments: [],
    done: false,
    doneLast: false,
    content: '',
    reads: [],
  };
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') {
        result.done = true;
        result.doneLast = true;
        return;
      }
      result.doneLast = false;
      const chunk = JSON.parse(event.data) as Chunk;
      result.chunks.push(chunk);
      if (lean && result.chunks.length > 2) result.chunks.shift();
      result.content += chunk.choices[0]?.delta.content ?? '';
    },
    onComment(comment) {
      result.comments.push(comment);
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!lean) result.reads.push(bytes);
    parser.feed(decoder.decode(bytes, { stream: true }));
  }
  parser.feed(decoder.decode());
  return result;
}

describe('models (GET /api/v1/models)', () => {
  it('lists models with string per-token prices, no auth needed', async () => {
    const response = await fetch(`${emulator.url}/api/v1/models`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const { data } = (await response.json()) as { data: Record<string, unknown>[] };
    expect(data.length).toBeGreaterThanOrEqual(4);
    const ids = data.map((model) => model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'openai/gpt-4o-mini',
        'anthropic/claude-3.5-sonnet',
        'meta-llama/llama-3.1-8b-instruct:free',
        'google/gemini-flash-1.5',
      ]),
    );
    for (const model of data) {
      expect(model).toMatchObject({
        id: expect.any(String),
        name: expect.any(String),
        context_length: expect.any(Number),
        pricing: { prompt: expect.any(String), completion: expect.any(String) },
      });
    }
    const free = data.find((model) => model.id === 'meta-llama/llama-3.1-8b-instruct:free');
    expect(free?.pricing).toMatchObject({ prompt: '0', completion: '0' });
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/models' });
  });

  it('setModels replaces the list', async () => {
    emulator.setModels([
      { id: 'x/one', name: 'One', context_length: 1000, pricing: { prompt: '1', completion: '2' } },
    ]);
    const { data } = (await (await fetch(`${emulator.url}/api/v1/models`)).json()) as {
      data: unknown[];
    };
    expect(data).toEqual([
      { id: 'x/one', name: 'One', context_length: 1000, pricing: { prompt: '1', completion: '2' } },
    ]);
    expect(DEFAULT_MODELS.length).toBeGreaterThan(1);
  });
});

describe('chat stream', () => {
  it('streams the default answer as OpenRouter does: comment, chunks, stop, usage, [DONE]', async () => {
    const response = await chat({ messages: [{ role: 'user', content: 'What is 2+2?' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const stream = await readStream(response);

    expect(stream.content).toBe(defaultChatAnswer('What is 2+2?'));
    expect(stream.content).toContain('You said: "What is 2+2?"');
    expect(stream.content).toContain('```ts');
    expect(stream.comments.map((comment) => comment.trim())).toEqual(['OPENROUTER PROCESSING']);
    expect(stream.done && stream.doneLast).toBe(true);

    const content = stream.chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(content.length).toBe(Math.ceil(stream.content.length / 4));
    for (const chunk of stream.chunks) {
      expect(chunk).toMatchObject({
        id: expect.stringMatching(/^gen-/),
        object: 'chat.completion.chunk',
        created: expect.any(Number),
        model: MODEL,
        provider: 'Emulated',
      });
    }
    expect(new Set(stream.chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(content[0]?.choices[0]).toMatchObject({
      index: 0,
      delta: { role: 'assistant', content: 'You ' },
      finish_reason: null,
    });

    const [finish, usage] = stream.chunks.slice(-2);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    expect(finish?.choices[0]?.delta.content ?? '').toBe('');
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: Math.ceil(stream.content.length / 4),
      total_tokens: expect.any(Number),
    });
    expect(usage?.usage?.cost).toBeGreaterThan(0);
    expect(stream.chunks.filter((chunk) => chunk.usage)).toEqual([usage]);
  });

  it('echoes the text parts of a content array, and costs nothing on a free model', async () => {
    const stream = await readStream(
      await chat({
        model: 'meta-llama/llama-3.1-8b-instruct:free',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'text', text: 'second' }] },
        ],
      }),
    );
    expect(stream.content).toBe(defaultChatAnswer('second'));
    expect(stream.chunks.at(-1)?.usage?.cost).toBe(0);
  });

  it('records the parsed request with its attribution headers and key', async () => {
    await readStream(
      await chat(
        { temperature: 0.5 },
        { headers: { 'HTTP-Referer': 'https://latchkey.app', 'X-Title': 'Latchkey' } },
      ),
    );
    const [request] = emulator.chatRequests();
    expect(request).toMatchObject({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello there' }],
      body: { stream: true, temperature: 0.5 },
      key,
    });
    expect(request?.headers['http-referer']).toBe('https://latchkey.app');
    expect(request?.headers['x-title']).toBe('Latchkey');
    expect(request?.headers.authorization).toBe(`Bearer ${key}`);
    expect(emulator.requests.at(-1)?.path).toBe(CHAT);
  });

  it('streams exactly the scripted content in pieces that keep surrogate pairs whole', async () => {
    const content = 'a🙂b🙂🙂c — 日本語 done';
    emulator.scriptChat({ content, pieceSize: 1, finishReason: 'length' });
    const stream = await readStream(await chat());
    expect(stream.content).toBe(content);
    const pieces = stream.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '');
    expect(pieces.filter((piece) => piece !== '')).toEqual([...content]);
    expect(stream.chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
  });

  it('scripts apply to the next requests only, in order', async () => {
    emulator.scriptChat({ content: 'one' });
    emulator.scriptChat({ content: 'two' }, 2);
    const contents = [];
    for (let i = 0; i < 4; i += 1) contents.push((await readStream(await chat())).content);
    expect(contents).toEqual(['one', 'two', 'two', defaultChatAnswer('Hello there')]);
  });

  it('length generates that many characters of markdown', async () => {
    emulator.scriptChat({ length: 5000, pieceSize: 7 });
    const stream = await readStream(await chat());
    expect(stream.content).toBe(loremMarkdown(5000));
    expect(stream.content.length).toBe(5000);
    expect(stream.content).toContain('```ts');
  });

  it('commentEvery adds comment lines between chunks', async () => {
    emulator.scriptChat({ content: 'x'.repeat(40), pieceSize: 4, commentEvery: 3 });
    const stream = await readStream(await chat());
    expect(stream.content).toBe('x'.repeat(40));
    // 1 at the start, then after chunks 3, 6 and 9 of 10.
    expect(stream.comments).toHaveLength(4);
  });

  it('splitBytes fragments the stream (UTF-8 characters included) yet parses the same', async () => {
    const content = 'Grüße, 世界! 🙂 '.repeat(10);
    emulator.scriptChat({ content, splitBytes: true });
    const stream = await readStream(await chat());
    expect(stream.content).toBe(content);
    expect(stream.done && stream.doneLast).toBe(true);
    expect(stream.reads.length).toBeGreaterThan(50);
    expect(Math.max(...stream.reads.map((bytes) => bytes.length))).toBeLessThanOrEqual(7 * 4);
    const splitCharacter = stream.reads.some((bytes) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        return false;
      } catch {
        return true;
      }
    });
    expect(splitCharacter).toBe(true);
  });

  // Speed is measured in `npm run bench`; these check that a 1 MB answer arrives whole and
  // print how long it took (a timed assertion would only measure how busy the machine is).
  it('a 1 MB answer arrives, parsed, whole', async () => {
    // 16-character pieces: 18 MB of SSE to parse here; the default 4 is timed in the next test.
    emulator.scriptChat({ length: 1_000_000, pieceSize: 16 });
    const started = Date.now();
    const stream = await readStream(await chat(), { lean: true });
    const elapsed = Date.now() - started;
    expect(stream.content.length).toBe(1_000_000);
    expect(stream.content).toBe(loremMarkdown(1_000_000));
    expect(stream.done).toBe(true);
    expect(stream.chunks.at(-1)?.usage?.completion_tokens).toBe(250_000);
    console.log(`[emulator] 1 MB answer in 16-character pieces, parsed: ${elapsed} ms`);
  });

  it('a 1 MB answer in 4-character pieces streams whole', async () => {
    emulator.scriptChat({ length: 1_000_000 });
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    const started = Date.now();
    let bytes = 0;
    let tail = '';
    try {
      const response = await chat();
      // Drain without parsing (250,000 chunks, 73 MB), so mostly the emulator's work is measured.
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        tail = Buffer.from(chunk.subarray(-64)).toString('latin1');
      }
    } finally {
      clearInterval(timer);
    }
    console.log(
      `[emulator] 1 MB answer in 4-character pieces: ${Date.now() - started} ms, ` +
        `longest event-loop gap ${longest.toFixed(0)} ms`,
    );
    expect(bytes).toBeGreaterThan(250_000 * 200);
    expect(tail.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('paceMs spaces the chunks', async () => {
    emulator.scriptChat({ content: 'abcdefghijkl', pieceSize: 4, paceMs: 60 });
    const started = Date.now();
    const response = await chat();
    const arrivals: number[] = [];
    const parser = createParser({
      onEvent(event) {
        if (event.data === '[DONE]') return;
        const chunk = JSON.parse(event.data) as Chunk;
        if (chunk.choices[0]?.delta.content) arrivals.push(Date.now() - started);
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(bytes, { stream: true }));
    }
    expect(arrivals).toHaveLength(3);
    const [first = 0, second = 0, third = 0] = arrivals;
    expect(second - first).toBeGreaterThanOrEqual(45);
    expect(third - second).toBeGreaterThanOrEqual(45);
    expect(third - first).toBeLessThan(1000);
  });

  it('answers stream: false with one JSON completion', async () => {
    emulator.scriptChat({ content: 'whole answer' });
    const response = await chat({ stream: false });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      model: MODEL,
      choices: [{ message: { role: 'assistant', content: 'whole answer' }, finish_reason: 'stop' }],
      usage: { completion_tokens: 3 },
    });
  });
});

describe('chat errors', () => {
  const userNotFound = { error: { code: 401, message: 'User not found.' } };

  it('401 for a missing, unknown or revoked key', async () => {
    for (const token of [null, 'sk-or-v1-unknown']) {
      const response = await chat({}, { key: token });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(userNotFound);
    }
    emulator.revokeKey(key);
    const revoked = await chat();
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual(userNotFound);
    expect(emulator.chatRequests().map((request) => request.key)).toEqual([
      undefined,
      'sk-or-v1-unknown',
      key,
    ]);
  });

  it('a script is not used up by a refused request', async () => {
    emulator.scriptChat({ content: 'kept' });
    expect((await chat({}, { key: 'bad' })).status).toBe(401);
    expect((await readStream(await chat())).content).toBe('kept');
  });

  it('400 for bad JSON or missing messages', async () => {
    const badJson = await fetch(`${emulator.url}${CHAT}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}` },
      body: '{"model":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 400 } });
    for (const messages of [undefined, [], 'hi', [{ content: 'no role' }]]) {
      const response = await chat({ messages });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 400 } });
    }
  });

  it('402 out of credits, 429 with and without Retry-After, 5xx', async () => {
    emulator.scriptChat({ status: 402 });
    emulator.scriptChat({ status: 429, retryAfter: '7' });
    emulator.scriptChat({ status: 429 });
    emulator.scriptChat({ status: 503 });

    const credits = await chat();
    expect(credits.status).toBe(402);
    expect(await credits.json()).toEqual({ error: { code: 402, message: 'Insufficient credits' } });

    const limited = await chat();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ error: { code: 429 } });

    const limitedNoHeader = await chat();
    expect(limitedNoHeader.status).toBe(429);
    expect(limitedNoHeader.headers.get('retry-after')).toBeNull();
    await limitedNoHeader.body?.cancel();

    const down = await chat();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: { code: 503 } });

    expect((await chat()).status).toBe(200);
  });

  it('errorAfter: an error chunk under HTTP 200, then the end without [DONE]', async () => {
    emulator.scriptChat({ content: 'x'.repeat(40), errorAfter: 3 });
    const response = await chat();
    expect(response.status).toBe(200);
    const stream = await readStream(response);
    expect(stream.content).toBe('x'.repeat(12));
    expect(stream.done).toBe(false);
    const last = stream.chunks.at(-1);
    expect(last).toMatchObject({
      object: 'chat.completion.chunk',
      error: { code: 502, message: 'Provider returned error' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
    expect(stream.chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('endWithoutDone: a clean end with no finish_reason and no [DONE]', async () => {
    emulator.scriptChat({ content: 'x'.repeat(40), endWithoutDone: 2 });
    const stream = await readStream(await chat());
    expect(stream.content).toBe('x'.repeat(8));
    expect(stream.done).toBe(false);
    expect(stream.chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
  });

  it('dropAfter: the connection drops, so reading the body rejects', async () => {
    emulator.scriptChat({ content: 'x'.repeat(40), dropAfter: 2 });
    const response = await chat();
    expect(response.status).toBe(200);
    const received: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        received.push(decoder.decode(bytes, { stream: true }));
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(received.join('')).toContain('"content":"xxxx"');
    expect(emulator.disconnects()).toEqual([]);
  });

  it('a client abort mid-stream is recorded as a disconnect', async () => {
    emulator.scriptChat({ content: 'x'.repeat(400), paceMs: 20 });
    const controller = new AbortController();
    const response = await chat({}, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const decoder = new TextDecoder();
    while ((text.match(/"content":"x/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended early');
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await expect.poll(() => emulator.disconnects().length).toBe(1);
    const [disconnect] = emulator.disconnects();
    expect(disconnect).toMatchObject({ path: CHAT, at: expect.any(Number) });
    expect(disconnect?.chunksSent).toBeGreaterThanOrEqual(2);
    expect(disconnect?.chunksSent).toBeLessThan(100);
    // A finished stream is not a disconnect.
    await readStream(await chat());
    expect(emulator.disconnects()).toHaveLength(1);
  });

  it('close() is fast with streams in flight', async () => {
    emulator.scriptChat({ content: 'x'.repeat(4000), paceMs: 50 });
    const response = await chat();
    const reading = readStream(response).catch((error: unknown) => error);
    await expect.poll(() => emulator.chatRequests().length).toBe(1);
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await reading).toBeInstanceOf(Error);
  });
});

describe('standalone', () => {
  /** Signs in through the emulator's consent flow (no PKCE challenge) and returns the key. */
  async function signIn(url: string): Promise<string> {
    const consent = await fetch(
      `${url}/auth?callback_url=${encodeURIComponent('http://127.0.0.1:9/cb')}`,
    );
    const session = /name="session" value="([^"]+)"/.exec(await consent.text())?.[1] ?? '';
    const approved = await fetch(`${url}/auth/approve`, {
      method: 'POST',
      body: new URLSearchParams({ session }),
      redirect: 'manual',
    });
    const code = new URL(approved.headers.get('location') ?? '').searchParams.get('code');
    const exchanged = await fetch(`${url}/api/v1/auth/keys`, {
      method: 'POST',
      body: JSON.stringify({ code }),
    });
    return ((await exchanged.json()) as { key: string }).key;
  }

  it('--pace-ms sets the default pace', async () => {
    const args = ['--port', '0', '--pace-ms', '5'];
    const { code } = await runStandaloneFixture('openrouter-emulator.ts', args, async (line) => {
      const url = /^openrouter emulator (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1] ?? '';
      expect(url).not.toBe('');
      const token = await signIn(url);
      const started = Date.now();
      const response = await fetch(`${url}${CHAT}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        }),
      });
      const stream = await readStream(response);
      expect(stream.content).toBe(defaultChatAnswer('hi'));
      const pauses = Math.ceil(stream.content.length / 4) - 1;
      expect(Date.now() - started).toBeGreaterThanOrEqual(pauses * 5 * 0.8);
    });
    expect(code).toBe(0);
  });
});
