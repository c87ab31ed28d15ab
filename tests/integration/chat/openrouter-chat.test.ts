/**
 * The chat client against a real HTTP server on 127.0.0.1 with Node's real `fetch`: a tiny SSE
 * server written here (each test sets its handler), independent of the shared emulator.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildChatRequest,
  checkChatResponse,
  openStream,
  readChatStream,
  type ChatStreamEvent,
} from '../../../main/chat/openrouter-chat';
import { LatchkeyError } from '../../../main/errors';
import type { FetchLike } from '../../../main/http/request';

const KEY = `sk-or-v1-${'5ecret'.repeat(10)}`;

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let base: URL;
let handler: Handler = (_req, res) => res.end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (body += part));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const realFetch: FetchLike = (input, init) => fetch(input, init);

function sseHead(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const delta = (content: string, finish: string | null = null) =>
  data({
    id: 'gen-1',
    model: 'openai/gpt-4o-mini',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finish }],
  });

async function openChat(signal?: AbortSignal, connectTimeoutMs = 5000) {
  const request = buildChatRequest({ baseUrl: base, attribution: true }, KEY, {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'Write a lot' }],
  });
  const response = await openStream(realFetch, request, { connectTimeoutMs, signal });
  await checkChatResponse(response);
  return response.body!;
}

describe('OpenRouter chat over real HTTP', () => {
  it('parses a 1 MB answer sent as many chunks, written in odd slices', async () => {
    const pieces: string[] = [];
    for (let i = 0, length = 0; length < 1024 * 1024; i++) {
      const piece = `token ${i} 中文🎉 `.repeat(1 + (i % 5));
      pieces.push(piece);
      length += piece.length;
    }
    const answer = pieces.join('');
    let received: { headers: IncomingMessage['headers']; body: string } | undefined;
    handler = (req, res, body) => {
      received = { headers: req.headers, body };
      sseHead(res);
      const wire = Buffer.from(
        [
          ': OPENROUTER PROCESSING\n\n',
          ...pieces.map((p) => delta(p)),
          delta('', 'stop'),
          data({
            choices: [],
            model: 'openai/gpt-4o-mini',
            usage: {
              prompt_tokens: 3,
              completion_tokens: 250000,
              total_tokens: 250003,
              cost: 0.15,
            },
          }),
          'data: [DONE]\n\n',
        ].join(''),
      );
      // Slices that cut lines and UTF-8 characters anywhere.
      let offset = 0;
      let size = 1;
      const write = () => {
        while (offset < wire.length) {
          const slice = wire.subarray(offset, offset + size);
          offset += slice.length;
          size = (size * 7 + 3) % 4093 || 1;
          if (!res.write(slice)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    };

    const events: ChatStreamEvent[] = [];
    for await (const event of readChatStream(await openChat())) events.push(event);

    expect(received?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(received?.headers['http-referer']).toBe('https://latchkey.app');
    expect(received?.headers['x-title']).toBe('Latchkey');
    expect(JSON.parse(received!.body)).toMatchObject({ stream: true, usage: { include: true } });
    const text = events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    expect(text.length).toBe(answer.length);
    expect(text === answer).toBe(true);
    expect(events.slice(-2)).toEqual([
      { type: 'finish', reason: 'stop' },
      {
        type: 'usage',
        usage: { promptTokens: 3, completionTokens: 250000, totalTokens: 250003, cost: 0.15 },
        model: 'openai/gpt-4o-mini',
      },
    ]);
  });

  it('Stop mid-stream: AbortError, and the server sees the connection close', async () => {
    let closed!: Promise<void>;
    let timer: NodeJS.Timeout | undefined;
    handler = (_req, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      sseHead(res);
      let n = 0;
      timer = setInterval(() => res.write(delta(`t${n++} `)), 5);
      res.on('close', () => clearInterval(timer));
    };
    const stop = new AbortController();
    const events: ChatStreamEvent[] = [];
    const error = await (async () => {
      for await (const event of readChatStream(await openChat(stop.signal), stop.signal)) {
        events.push(event);
        if (events.length === 3) stop.abort();
      }
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(events).toHaveLength(3);
    await closed;
    clearInterval(timer);
  });

  it('a dropped connection is CHAT_STREAM_INCOMPLETE after the partial answer', async () => {
    handler = (_req, res) => {
      sseHead(res);
      res.write(delta('partial '));
      res.write('data: {"choi');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const events: ChatStreamEvent[] = [];
    const error = await (async () => {
      for await (const event of readChatStream(await openChat())) events.push(event);
    })().catch((e: unknown) => e);
    expect(events).toEqual([{ type: 'delta', text: 'partial ' }]);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('CHAT_STREAM_INCOMPLETE');
  });

  it('the connect timeout bounds the headers only', async () => {
    handler = (_req, res) => {
      const later = setTimeout(() => {
        sseHead(res);
        res.end(delta('late', 'stop'));
      }, 1000);
      res.on('close', () => clearTimeout(later));
    };
    const timedOut = await openChat(undefined, 100).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(LatchkeyError);
    expect((timedOut as LatchkeyError).code).toBe('HTTP_TIMEOUT');

    handler = (_req, res) => {
      sseHead(res);
      let n = 0;
      const timer = setInterval(() => {
        if (n === 8) {
          clearInterval(timer);
          res.end(delta('', 'stop'));
          return;
        }
        res.write(delta(`${n++}`));
      }, 50);
      res.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    const events: ChatStreamEvent[] = [];
    for await (const event of readChatStream(await openChat(undefined, 100))) events.push(event);
    expect(Date.now() - started).toBeGreaterThan(300);
    expect(events.map((e) => (e.type === 'delta' ? e.text : e.type)).join('')).toBe(
      '01234567finish',
    );
  });

  it('error statuses are mapped before the stream (429 with Retry-After)', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
      res.end(JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded' } }));
    };
    const error = await openChat().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CHAT_RATE_LIMITED',
      details: { status: 429, retryAfter: 30, providerMessage: 'Rate limit exceeded' },
    });
  });

  it('a redirect is refused', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: 'https://evil.example/' });
      res.end();
    };
    const error = await openChat().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HTTP_BAD_RESPONSE' });
  });
});
