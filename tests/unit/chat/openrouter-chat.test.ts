import { describe, expect, it } from 'vitest';
import {
  buildChatRequest,
  buildModelsRequest,
  checkChatResponse,
  endpointUrl,
  openStream,
  processModelsResponse,
  readChatStream,
  type ChatStreamEvent,
} from '../../../main/chat/openrouter-chat';
import { LatchkeyError } from '../../../main/errors';
import type { FetchLike, HttpResponse } from '../../../main/http/request';
import { createMemoryLogger } from '../../../main/log';
import {
  chunk,
  contentChunk,
  encode,
  fragments,
  RECORDED_OPENROUTER_STREAM,
  RECORDED_TEXT,
  streamOf,
} from './fixtures';

const BASE = new URL('https://openrouter.ai/api/v1');
const OPENROUTER = { baseUrl: BASE, attribution: true } as const;
const GATEWAY = { baseUrl: new URL('https://gateway.corp/v1'), attribution: false } as const;
const KEY = `sk-or-v1-${'c4n4ry'.repeat(10)}`;

async function caught(promise: Promise<unknown>): Promise<LatchkeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LatchkeyError)) throw new Error(`expected a LatchkeyError: ${error}`);
  return error;
}

/** Runs a stream to its end: the events, and the error if it threw. */
async function run(
  parts: readonly (string | Uint8Array)[],
  end: { error?: unknown } = {},
  signal?: AbortSignal,
): Promise<{ events: ChatStreamEvent[]; error: unknown }> {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of readChatStream(streamOf(parts, end), signal)) events.push(event);
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

const text = (events: readonly ChatStreamEvent[]) =>
  events.map((e) => (e.type === 'delta' ? e.text : '')).join('');

describe('chat request', () => {
  it('POSTs the streaming request with Bearer, attribution and usage', async () => {
    const request = buildChatRequest(OPENROUTER, KEY, {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi 你好' },
        { role: 'assistant', content: 'Hello' },
        // Extra fields never reach the wire.
        { role: 'user', content: 'Again', id: 'local-id' } as never,
      ],
    });
    expect(request.url.href).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(request.url.href).not.toContain(KEY);
    expect(request.init.method).toBe('POST');
    const headers = new Headers(request.init.headers);
    expect(headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('accept')).toBe('text/event-stream');
    expect(headers.get('http-referer')).toBe('https://latchkey.app');
    expect(headers.get('x-title')).toBe('Latchkey');
    expect(JSON.parse(request.init.body as string)).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi 你好' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Again' },
      ],
      stream: true,
      usage: { include: true },
    });
  });

  it('keeps the configured origin (emulators on 127.0.0.1)', () => {
    const request = buildChatRequest(
      { baseUrl: new URL('http://127.0.0.1:4000/api/v1'), attribution: true },
      KEY,
      { model: 'm', messages: [] },
    );
    expect(request.url.href).toBe('http://127.0.0.1:4000/api/v1/chat/completions');
  });

  it('another OpenAI-compatible server: its base path, no attribution, standard usage option', () => {
    const request = buildChatRequest(GATEWAY, 'eyJhbGciOi.access.token', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(request.url.href).toBe('https://gateway.corp/v1/chat/completions');
    const headers = new Headers(request.init.headers);
    expect(headers.get('authorization')).toBe('Bearer eyJhbGciOi.access.token');
    expect(headers.has('http-referer')).toBe(false);
    expect(headers.has('x-title')).toBe(false);
    expect(JSON.parse(request.init.body as string)).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([
    ['https://gateway.corp/v1', 'https://gateway.corp/v1/chat/completions'],
    ['https://gateway.corp/v1/', 'https://gateway.corp/v1/chat/completions'],
    ['https://gateway.corp/v1//', 'https://gateway.corp/v1/chat/completions'],
    ['https://gateway.corp', 'https://gateway.corp/chat/completions'],
    ['http://127.0.0.1:8080/gw/v1', 'http://127.0.0.1:8080/gw/v1/chat/completions'],
    [
      'https://x.example/openai/v1?api-version=preview#frag',
      'https://x.example/openai/v1/chat/completions?api-version=preview',
    ],
  ])('joins %s + chat/completions → %s, keeping the base path', (base, expected) => {
    expect(endpointUrl(new URL(base), 'chat/completions').href).toBe(expected);
    expect(endpointUrl(new URL(base), 'models').href).toBe(
      expected.replace('chat/completions', 'models'),
    );
  });
});

describe('openStream', () => {
  it("sends with redirect: 'error' and a signal, and returns the response unread", async () => {
    let init: RequestInit | undefined;
    const fetchFn: FetchLike = async (_url, i) => {
      init = i;
      return new Response('data: [DONE]\n\n', {
        headers: { 'content-type': 'text/event-stream' },
      });
    };
    const response = await openStream(
      fetchFn,
      buildChatRequest(OPENROUTER, KEY, { model: 'm', messages: [] }),
      {
        connectTimeoutMs: 1000,
      },
    );
    expect(init?.redirect).toBe('error');
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    expect(response.bodyUsed).toBe(false);
  });

  it('maps transport failures like send does', async () => {
    const request = buildChatRequest(OPENROUTER, KEY, { model: 'm', messages: [] });
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
    };
    expect((await caught(openStream(offline, request, { connectTimeoutMs: 1000 }))).code).toBe(
      'NETWORK_OFFLINE',
    );
    const redirect: FetchLike = async () => {
      throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    };
    expect((await caught(openStream(redirect, request, { connectTimeoutMs: 1000 }))).code).toBe(
      'HTTP_BAD_RESPONSE',
    );
  });

  it('times out when the headers do not come, but passes Stop through as AbortError', async () => {
    const request = buildChatRequest(OPENROUTER, KEY, { model: 'm', messages: [] });
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    expect((await caught(openStream(hang, request, { connectTimeoutMs: 20 }))).code).toBe(
      'HTTP_TIMEOUT',
    );
    const stop = new AbortController();
    const pending = openStream(hang, request, { connectTimeoutMs: 5000, signal: stop.signal });
    stop.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('checkChatResponse', () => {
  const sse = { 'content-type': 'text/event-stream; charset=utf-8' };
  const json = { 'content-type': 'application/json' };
  const orError = (status: number, message: string) =>
    JSON.stringify({ error: { code: status, message } });

  it('passes a 200 event stream without reading it', async () => {
    const response = new Response('data: x\n\n', { status: 200, headers: sse });
    await checkChatResponse(response);
    expect(response.bodyUsed).toBe(false);
  });

  it.each([
    [400, {}, 'CHAT_BAD_REQUEST', undefined],
    [401, {}, 'AUTH_KEY_REVOKED', undefined],
    [402, {}, 'CHAT_OUT_OF_CREDITS', undefined],
    [403, {}, 'HTTP_CLIENT_ERROR', undefined],
    [404, {}, 'HTTP_CLIENT_ERROR', undefined],
    [408, {}, 'HTTP_CLIENT_ERROR', undefined],
    [413, {}, 'CHAT_REQUEST_TOO_LARGE', undefined],
    [429, {}, 'CHAT_RATE_LIMITED', undefined],
    [429, { 'retry-after': '17' }, 'CHAT_RATE_LIMITED', 17],
    [500, {}, 'HTTP_SERVER_ERROR', undefined],
    [502, {}, 'HTTP_SERVER_ERROR', undefined],
    [503, { 'retry-after': '5' }, 'HTTP_SERVER_ERROR', undefined],
    [504, {}, 'HTTP_SERVER_ERROR', undefined],
  ])('%i %o → %s', async (status, headers, code, retryAfter) => {
    const response = new Response(orError(status, `Provider says ${status}`), {
      status,
      headers: { ...json, ...headers },
    });
    const error = await caught(checkChatResponse(response));
    expect(error.code).toBe(code);
    expect(error.details.status).toBe(status);
    expect(error.details.retryAfter).toBe(retryAfter);
    expect(error.details.providerMessage).toBe(
      status === 401 ? undefined : `Provider says ${status}`,
    );
  });

  it('200 that is not an event stream is HTTP_BAD_RESPONSE (HTML, JSON, no type)', async () => {
    for (const [body, type] of [
      ['<html><body>Bad gateway</body></html>', 'text/html'],
      [orError(400, 'not streaming'), 'application/json'],
      ['data: x\n\n', ''],
    ] as const) {
      const response = new Response(body, {
        status: 200,
        headers: type ? { 'content-type': type } : {},
      });
      if (!type) response.headers.delete('content-type');
      const error = await caught(checkChatResponse(response));
      expect(error.code).toBe('HTTP_BAD_RESPONSE');
      expect(error.details.status).toBe(200);
    }
  });

  it('provider messages: truncated to 300, controls dropped, key-like strings redacted', async () => {
    const long = `Invalid model "x". ${'a'.repeat(400)}`;
    const truncated = await caught(
      checkChatResponse(new Response(orError(400, long), { status: 400, headers: json })),
    );
    expect(truncated.details.providerMessage).toHaveLength(300);
    expect(truncated.details.providerMessage?.endsWith('…')).toBe(true);

    const leaky = await caught(
      checkChatResponse(
        new Response(orError(403, `bad key ${KEY}\u0000\u001b[31m, Bearer ${KEY}`), {
          status: 403,
          headers: json,
        }),
      ),
    );
    expect(leaky.details.providerMessage).toBe('bad key [redacted][31m, [redacted]');
    expect(JSON.stringify(leaky)).not.toContain('c4n4ry');

    const html = await caught(
      checkChatResponse(
        new Response('<h1>502</h1>', { status: 502, headers: { 'content-type': 'text/html' } }),
      ),
    );
    expect(html.details.providerMessage).toBeUndefined();
  });

  it('reads at most 64 KB of an error body and does not wait for the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 1;
        c.enqueue(new Uint8Array(16 * 1024).fill(0x61));
      },
      cancel() {
        cancelled = true;
      },
    });
    const error = await caught(checkChatResponse(new Response(body, { status: 500 })));
    expect(error.code).toBe('HTTP_SERVER_ERROR');
    expect(pulled).toBeLessThanOrEqual(6);
    expect(cancelled).toBe(true);
  });

  it('an error body that breaks off still maps by status', async () => {
    const body = streamOf(['{"error":{"mess'], { error: new TypeError('terminated') });
    const error = await caught(checkChatResponse(new Response(body, { status: 402 })));
    expect(error.code).toBe('CHAT_OUT_OF_CREDITS');
    expect(error.details.providerMessage).toBeUndefined();
  });
});

describe('readChatStream', () => {
  it('the recorded stream: deltas, one finish, usage with cost and model', async () => {
    const { events, error } = await run([RECORDED_OPENROUTER_STREAM]);
    expect(error).toBeNull();
    expect(text(events)).toBe(RECORDED_TEXT);
    expect(events.filter((e) => e.type === 'delta').every((e) => e.text !== '')).toBe(true);
    expect(events.filter((e) => e.type !== 'delta')).toEqual([
      { type: 'finish', reason: 'stop' },
      {
        type: 'usage',
        usage: { promptTokens: 14, completionTokens: 11, totalTokens: 25, cost: 0.00000875 },
        model: 'openai/gpt-4o-mini',
      },
    ]);
  });

  it('1-byte fragments give the same events', async () => {
    const whole = await run([RECORDED_OPENROUTER_STREAM]);
    const split = await run(fragments(encode(RECORDED_OPENROUTER_STREAM), 1));
    expect(split).toEqual(whole);
  });

  it('usage in the finishing chunk itself; cost absent → null; total computed', async () => {
    const last = chunk({
      choices: [{ index: 0, delta: { content: '!' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    });
    const { events, error } = await run([contentChunk('Hi'), last, 'data: [DONE]\n\n']);
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'delta', text: 'Hi' },
      { type: 'delta', text: '!' },
      { type: 'finish', reason: 'length' },
      {
        type: 'usage',
        usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7, cost: null },
        model: 'openai/gpt-4o-mini',
      },
    ]);
  });

  it('[DONE] ends the stream: nothing after it is read', async () => {
    let cancelled = false;
    const events: ChatStreamEvent[] = [];
    const body = streamOf([contentChunk('a', 'stop'), 'data: [DONE]\n\n', contentChunk('late')], {
      onCancel: () => (cancelled = true),
    });
    for await (const event of readChatStream(body)) events.push(event);
    expect(text(events)).toBe('a');
    expect(cancelled).toBe(true);
  });

  it('[DONE] without a finish reason is still a complete answer', async () => {
    const { events, error } = await run([contentChunk('a'), 'data: [DONE]\n\n']);
    expect(error).toBeNull();
    expect(events).toEqual([{ type: 'delta', text: 'a' }]);
  });

  it('missing [DONE] after a finish reason is fine', async () => {
    const { events, error } = await run([contentChunk('a'), contentChunk('', 'stop')]);
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'delta', text: 'a' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('a stream that ends without a finish reason is CHAT_STREAM_INCOMPLETE, after its deltas', async () => {
    const { events, error } = await run([
      ': OPENROUTER PROCESSING\n\n',
      contentChunk('par'),
      contentChunk('tial'),
    ]);
    expect(text(events)).toBe('partial');
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('CHAT_STREAM_INCOMPLETE');

    const empty = await run([]);
    expect((empty.error as LatchkeyError).code).toBe('CHAT_STREAM_INCOMPLETE');
  });

  it('a dropped connection is CHAT_STREAM_INCOMPLETE, or fine once the answer finished', async () => {
    const reset = new TypeError('terminated', { cause: new Error('ECONNRESET') });
    const dropped = await run([contentChunk('par'), 'data: {"choi'], { error: reset });
    expect(text(dropped.events)).toBe('par');
    expect((dropped.error as LatchkeyError).code).toBe('CHAT_STREAM_INCOMPLETE');
    expect((dropped.error as LatchkeyError).cause).toBe(reset);

    const afterFinish = await run([contentChunk('all', 'stop')], { error: reset });
    expect(afterFinish.error).toBeNull();
    expect(afterFinish.events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('an error chunk under 200 is CHAT_STREAM_ERROR with the provider message and code', async () => {
    const errorChunk = chunk({
      error: { code: 502, message: 'Provider returned error' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
    const { events, error } = await run([contentChunk('Hel'), errorChunk, 'data: [DONE]\n\n']);
    expect(text(events)).toBe('Hel');
    expect(error).toMatchObject({
      code: 'CHAT_STREAM_ERROR',
      details: { status: 502, providerMessage: 'Provider returned error' },
    });
  });

  it('finish_reason "error" alone, or a top-level error alone, are stream errors', async () => {
    const reasonOnly = await run([
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'error' }] }),
    ]);
    expect(reasonOnly.error).toMatchObject({ code: 'CHAT_STREAM_ERROR', details: {} });
    const errorOnly = await run([chunk({ error: { code: 'server_error', message: 'Oops' } })]);
    expect(errorOnly.error).toMatchObject({
      code: 'CHAT_STREAM_ERROR',
      details: { providerMessage: 'Oops' },
    });
    expect((errorOnly.error as LatchkeyError).details.status).toBeUndefined();
    const mid401 = await run([chunk({ error: { code: 401, message: 'User not found.' } })]);
    expect(mid401.error).toMatchObject({ code: 'CHAT_STREAM_ERROR', details: { status: 401 } });
  });

  it('skips malformed data lines, counting them in the log (never their content)', async () => {
    const log = createMemoryLogger();
    const events: ChatStreamEvent[] = [];
    const body = streamOf([
      'data: {"truncated\n\n',
      contentChunk('ok'),
      `data: not json ${KEY}\n\n`,
      'data: 42\n\n',
      contentChunk('', 'stop'),
    ]);
    for await (const event of readChatStream(body, undefined, { log })) events.push(event);
    expect(text(events)).toBe('ok');
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('"count":3');
    expect(log.lines.join('')).not.toContain('c4n4ry');
  });

  it('a stream of nothing but malformed lines is HTTP_BAD_RESPONSE', async () => {
    const { error } = await run(['data: <html>\n\n', 'data: oops\n\n', 'data: [DONE]\n\n']);
    expect(error).toMatchObject({ code: 'HTTP_BAD_RESPONSE' });
  });

  it('tolerates odd fields: wrong-typed usage or content are ignored, not fatal', async () => {
    const { events, error } = await run([
      chunk({ choices: [{ index: 0, delta: { content: 5 } }], usage: { prompt_tokens: 'x' } }),
      chunk({ choices: null }),
      chunk({ choices: [{ delta: { content: 'ok', tool_calls: [] }, finish_reason: 'stop' }] }),
    ]);
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'delta', text: 'ok' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('abort: the AbortError comes through unchanged, after the deltas read so far', async () => {
    const controller = new AbortController();
    const events: ChatStreamEvent[] = [];
    let cancelled = false;
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(encode(contentChunk(`t${n++} `)));
        return new Promise((resolve) => setTimeout(resolve, 2));
      },
      cancel() {
        cancelled = true;
      },
    });
    const error = await (async () => {
      for await (const event of readChatStream(body, controller.signal)) {
        events.push(event);
        if (events.length === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(text(events)).toBe('t0 t1 t2 ');
    expect(cancelled).toBe(true);
  });
});

describe('models', () => {
  const response = (body: unknown, status = 200): HttpResponse => ({
    status,
    headers: new Headers({ 'content-type': 'application/json' }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('GET {base}/models with the Bearer; attribution for OpenRouter only', () => {
    const request = buildModelsRequest(OPENROUTER, KEY);
    expect(request.url.href).toBe('https://openrouter.ai/api/v1/models');
    expect(request.init.method).toBe('GET');
    const headers = new Headers(request.init.headers);
    expect(headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(headers.get('x-title')).toBe('Latchkey');

    const gateway = buildModelsRequest(GATEWAY, 'access-token');
    expect(gateway.url.href).toBe('https://gateway.corp/v1/models');
    const gatewayHeaders = new Headers(gateway.init.headers);
    expect(gatewayHeaders.get('authorization')).toBe('Bearer access-token');
    expect(gatewayHeaders.has('x-title')).toBe(false);
    expect(gatewayHeaders.has('http-referer')).toBe(false);
  });

  it("OpenAI's shape (no name, pricing or context length): named by id, prices unknown", () => {
    const models = processModelsResponse(
      response({
        object: 'list',
        data: [
          { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
          { id: 'llama-3.1-70b', object: 'model', created: 0, owned_by: 'corp' },
        ],
      }),
    );
    expect(models).toEqual([
      {
        id: 'gpt-4o',
        name: 'gpt-4o',
        contextLength: null,
        promptPrice: null,
        completionPrice: null,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
      {
        id: 'llama-3.1-70b',
        name: 'llama-3.1-70b',
        contextLength: null,
        promptPrice: null,
        completionPrice: null,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
    ]);
  });

  it('prices from strings, free flag, malformed and duplicate entries skipped', () => {
    const models = processModelsResponse(
      response({
        data: [
          {
            id: 'openai/gpt-4o-mini',
            name: 'OpenAI: GPT-4o-mini',
            context_length: 128000,
            pricing: { prompt: '0.00000015', completion: '0.0000006', image: '0.007' },
            architecture: { modality: 'text+image->text' },
          },
          {
            id: 'meta-llama/llama-3.3-70b-instruct:free',
            name: 'Llama 3.3 70B (free)',
            context_length: 131072,
            pricing: { prompt: '0', completion: '0' },
          },
          {
            id: 'openrouter/auto',
            name: 'Auto Router',
            context_length: 2000000,
            pricing: { prompt: '-1', completion: '-1' },
          },
          { id: 'odd/one', pricing: { prompt: 'abc', completion: '' }, context_length: 'big' },
          { id: 'half/free', name: ' ', pricing: { prompt: 0, completion: '0.000001' } },
          { id: 'openai/gpt-4o-mini', name: 'duplicate' },
          { name: 'no id' },
          { id: '' },
          { id: 'has space' },
          null,
          'text',
          42,
        ],
      }),
    );
    expect(models).toEqual([
      {
        id: 'openai/gpt-4o-mini',
        name: 'OpenAI: GPT-4o-mini',
        contextLength: 128000,
        promptPrice: 0.00000015,
        completionPrice: 0.0000006,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
      {
        id: 'meta-llama/llama-3.3-70b-instruct:free',
        name: 'Llama 3.3 70B (free)',
        contextLength: 131072,
        promptPrice: 0,
        completionPrice: 0,
        free: true,
        supportedParameters: [],
        inputModalities: ['text'],
      },
      {
        id: 'openrouter/auto',
        name: 'Auto Router',
        contextLength: 2000000,
        promptPrice: null,
        completionPrice: null,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
      {
        id: 'odd/one',
        name: 'odd/one',
        contextLength: null,
        promptPrice: null,
        completionPrice: null,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
      {
        id: 'half/free',
        name: 'half/free',
        contextLength: null,
        promptPrice: 0,
        completionPrice: 0.000001,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
    ]);
  });

  it('errors: status, HTML, wrong shape', () => {
    const code = (r: HttpResponse) => {
      try {
        processModelsResponse(r);
      } catch (error) {
        return (error as LatchkeyError).code;
      }
      return 'none';
    };
    expect(code(response({ error: { message: 'down' } }, 503))).toBe('HTTP_SERVER_ERROR');
    expect(code(response({ error: { message: 'invalid token' } }, 401))).toBe('AUTH_KEY_REVOKED');
    expect(code(response({}, 404))).toBe('HTTP_CLIENT_ERROR');
    expect(
      code({ status: 200, headers: new Headers({ 'content-type': 'text/html' }), body: '<html>' }),
    ).toBe('HTTP_BAD_RESPONSE');
    expect(code(response('{"data":'))).toBe('HTTP_BAD_RESPONSE');
    expect(code(response({ data: {} }))).toBe('HTTP_BAD_RESPONSE');
    expect(code(response(null))).toBe('HTTP_BAD_RESPONSE');
    expect(processModelsResponse(response({ data: [] }))).toEqual([]);
  });
});
