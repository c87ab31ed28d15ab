import { z } from 'zod';
import type { ModelInfo, Usage } from '../../preload/api';
import { LatchkeyError, type ErrorDetails } from '../errors';
import {
  parseJsonBody,
  parseRetryAfter,
  statusError,
  transportError,
  type FetchLike,
  type HttpRequest,
  type HttpResponse,
} from '../http/request';
import { classifyTransportFailure, transportErrorCode } from '../http/net-errors';
import type { Logger } from '../log';
import type { ContentPart } from './attachment-content';
import type { RequestParameters } from './conversation-settings';
import { readSseEvents } from './sse';

/**
 * The OpenAI-compatible chat API: `POST {base}/chat/completions` streamed as SSE, plus the
 * model list `GET {base}/models`. OpenRouter (https://openrouter.ai/docs/api-reference/streaming,
 * base `https://openrouter.ai/api/v1`) is one such server, with its extensions (attribution
 * headers, usage accounting, `pricing` in the model list); an LLM gateway behind a company's
 * OAuth / OIDC sign-in is another. Request builders are split from response processors (the
 * oauth4webapi shape); `fetch` is injected so the same code runs on Electron's `net.fetch` and
 * in Node tests.
 */
export const OPENROUTER_CHAT = {
  /** Attribution headers (https://openrouter.ai/docs/api-reference/overview#headers). */
  referer: 'https://latchkey.app',
  title: 'Latchkey',
  /** How long the response headers may take; the stream itself has no deadline. */
  connectTimeoutMs: 30_000,
  /** A non-streaming (error) body is read up to this many bytes, for at most this long. */
  errorBodyMaxBytes: 64 * 1024,
  errorBodyTimeoutMs: 10_000,
  /** Longest provider message kept for the user. */
  providerMessageMaxChars: 300,
  modelsTimeoutMs: 20_000,
  modelsMaxBytes: 5 * 1024 * 1024,
} as const;

/** Where requests go, and whether the server is OpenRouter. */
export interface ChatEndpoint {
  /**
   * OpenAI-compatible base URL, e.g. `https://openrouter.ai/api/v1` or
   * `https://gateway.corp/v1`: requests go to `{base}/chat/completions` and `{base}/models`.
   */
  readonly baseUrl: URL;
  /**
   * OpenRouter: its attribution headers (`HTTP-Referer`, `X-Title`) and its usage accounting
   * (`usage: {include: true}`). Otherwise neither is sent, and usage is asked for the standard
   * OpenAI way (`stream_options: {include_usage: true}`).
   */
  readonly attribution: boolean;
}

/**
 * `{base}/{path}`, keeping the base's path (`https://gateway.corp/v1` + `models` →
 * `https://gateway.corp/v1/models`, with or without a trailing slash) and its query (some
 * gateways put an API version there); a fragment is dropped.
 */
export function endpointUrl(baseUrl: URL, path: 'chat/completions' | 'models'): URL {
  const url = new URL(baseUrl.href);
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  return url;
}

function attributionHeaders(endpoint: ChatEndpoint): Record<string, string> {
  return endpoint.attribution
    ? { 'HTTP-Referer': OPENROUTER_CHAT.referer, 'X-Title': OPENROUTER_CHAT.title }
    : {};
}

/**
 * What a chat request carries; of each message `role`, `content` and, on an assistant message
 * that has them, the `reasoning_details` it streamed (sent back as OpenRouter documents).
 */
export interface ChatRequestInput {
  model: string;
  messages: {
    role: 'user' | 'assistant' | 'system';
    /** Parts for a user message with images or PDFs (attachment-content.ts `userContent`). */
    content: string | readonly ContentPart[];
    reasoning_details?: readonly unknown[];
  }[];
  /**
   * `temperature`, `max_tokens`, `reasoning`: already reduced to what the conversation sets and
   * the model takes (conversation-settings.ts `requestParameters`); sent as they are.
   */
  parameters?: RequestParameters;
}

/**
 * `POST {base}/chat/completions` with `stream: true`, the key or access token as Bearer — never
 * in the URL — and usage asked for in the last chunk. For OpenRouter (`attribution`):
 * `usage: {include: true}` (usage and cost) and the `HTTP-Referer` / `X-Title` attribution
 * headers; for any other server `stream_options: {include_usage: true}` and no attribution.
 */
export function buildChatRequest(
  endpoint: ChatEndpoint,
  token: string,
  input: ChatRequestInput,
): HttpRequest {
  return {
    url: endpointUrl(endpoint.baseUrl, 'chat/completions'),
    init: {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...attributionHeaders(endpoint),
      },
      body: JSON.stringify({
        model: input.model,
        messages: input.messages.map(({ role, content, reasoning_details }) => ({
          role,
          content,
          ...(role === 'assistant' && reasoning_details?.length ? { reasoning_details } : {}),
        })),
        ...input.parameters,
        stream: true,
        ...(endpoint.attribution
          ? { usage: { include: true } }
          : { stream_options: { include_usage: true } }),
      }),
    },
  };
}

export interface OpenStreamOptions {
  /** Deadline for the response headers only; a long answer may stream for minutes. */
  readonly connectTimeoutMs: number;
  /** Stop: aborts the request and, later, the body. */
  readonly signal?: AbortSignal;
}

/**
 * Sends a streaming request without reading its body (`send` reads whole bodies). Applies
 * `redirect: 'error'` and a timeout to the headers alone, and maps transport failures as `send`
 * does ({@link transportError}: `HTTP_TIMEOUT`, `NETWORK_OFFLINE`, `NETWORK_PROXY`,
 * `NETWORK_CERTIFICATE`, `HTTP_BAD_RESPONSE`). When `signal` aborts, its `AbortError` is thrown
 * as is, so the caller can tell Stop from a failure.
 */
export async function openStream(
  fetchFn: FetchLike,
  request: HttpRequest,
  options: OpenStreamOptions,
): Promise<Response> {
  options.signal?.throwIfAborted();
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new DOMException('No response headers in time', 'TimeoutError')),
    options.connectTimeoutMs,
  );
  const signal = options.signal
    ? AbortSignal.any([timeout.signal, options.signal])
    : timeout.signal;
  try {
    return await fetchFn(request.url, { ...request.init, redirect: 'error', signal });
  } catch (error) {
    if (options.signal?.aborted && !timeout.signal.aborted) throw error;
    throw transportError(error, timeout.signal);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks the response before its stream is read. A 2xx `text/event-stream` passes. Otherwise
 * at most 64 KB of the body is read (for at most 10 s) and mapped: 401 → `AUTH_KEY_REVOKED`
 * (the caller refreshes the token once, or signs out), 402 → `CHAT_OUT_OF_CREDITS`, 429 →
 * `CHAT_RATE_LIMITED` (with `Retry-After`), 400 → `CHAT_BAD_REQUEST`, 413 →
 * `CHAT_REQUEST_TOO_LARGE`, 5xx →
 * `HTTP_SERVER_ERROR`, others by {@link statusError}; a 2xx of any other type (an HTML page
 * from a proxy) → `HTTP_BAD_RESPONSE`. The `{error:{message}}` of OpenRouter and OpenAI becomes
 * `providerMessage` (plain text, ≤ 300 chars, key-like strings redacted) on every error but 401.
 */
export async function checkChatResponse(response: Response): Promise<void> {
  const { status } = response;
  const ok = status >= 200 && status < 300;
  if (ok && /^text\/event-stream\b/i.test(response.headers.get('content-type')?.trim() ?? '')) {
    return;
  }
  const body = await readErrorBody(response);
  const message = providerMessageOf(body);
  const details: ErrorDetails = {
    status,
    ...(message !== undefined && { providerMessage: message }),
  };
  if (ok) throw new LatchkeyError('HTTP_BAD_RESPONSE', details);
  switch (status) {
    case 400:
      throw new LatchkeyError('CHAT_BAD_REQUEST', details);
    case 401:
      throw new LatchkeyError('AUTH_KEY_REVOKED', { status });
    case 402:
      throw new LatchkeyError('CHAT_OUT_OF_CREDITS', details);
    case 413:
      throw new LatchkeyError('CHAT_REQUEST_TOO_LARGE', details);
    case 429: {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      throw new LatchkeyError('CHAT_RATE_LIMITED', {
        ...details,
        ...(retryAfter !== undefined && { retryAfter }),
      });
    }
  }
  if (status >= 500) throw new LatchkeyError('HTTP_SERVER_ERROR', details);
  const mapped = statusError({ status, headers: response.headers, body });
  throw new LatchkeyError(mapped.code, { ...mapped.details, ...details });
}

async function readErrorBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  const timer = setTimeout(
    () => void reader.cancel().catch(() => undefined),
    OPENROUTER_CHAT.errorBodyTimeoutMs,
  );
  let text = '';
  let room: number = OPENROUTER_CHAT.errorBodyMaxBytes;
  let done = false;
  try {
    while (room > 0) {
      const read = await reader.read();
      if (read.done) {
        done = true;
        break;
      }
      const part = read.value.byteLength > room ? read.value.subarray(0, room) : read.value;
      room -= part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
  } catch {
    // The status alone decides the error; a body that breaks off only loses its message.
  } finally {
    clearTimeout(timer);
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return text + decoder.decode();
}

const errorBodySchema = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]),
});

function providerMessageOf(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { error } = parsed.data;
  return cleanProviderMessage(typeof error === 'string' ? error : error.message);
}

/**
 * Provider text for the user: control characters dropped, anything shaped like a key or a
 * Bearer token redacted (security.md 16), at most 300 characters without splitting a surrogate
 * pair. Empty → undefined.
 */
function cleanProviderMessage(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const max = OPENROUTER_CHAT.providerMessageMaxChars;
  let text = raw
    .slice(0, max * 4)
    .replace(/(?![\t\n])\p{Cc}/gu, '')
    .replace(/\b(sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S+)/g, '[redacted]')
    .trim();
  if (text.length > max) {
    let end = max - 1;
    if (/[\ud800-\udbff]/.test(text.charAt(end - 1))) end -= 1;
    text = `${text.slice(0, end)}…`;
  }
  return text || undefined;
}

/** What {@link readChatStream} yields. */
export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  /**
   * `delta.reasoning` text and/or `delta.reasoning_details` entries (raw: merge them with
   * `ReasoningDetailsAccumulator`); yielded before the same chunk's `delta`.
   */
  | { type: 'reasoning'; text: string; details: readonly unknown[] }
  | { type: 'usage'; usage: Usage; model: string | null }
  /** `finish_reason` other than null and `"error"`: `stop`, `length`, `tool_calls`, … */
  | { type: 'finish'; reason: string };

const loose = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);
const count = z.number().finite().nonnegative();

/** Only the fields used, each tolerant on its own: a chunk is malformed only if not an object. */
const chunkSchema = z.object({
  model: loose(z.string().max(256)),
  choices: loose(
    z.array(
      z.object({
        delta: loose(
          z.object({
            content: loose(z.string()),
            reasoning: loose(z.string()),
            reasoning_details: loose(z.array(z.unknown())),
          }),
        ),
        finish_reason: loose(z.string().max(64)),
      }),
    ),
  ),
  usage: loose(
    z.object({
      prompt_tokens: count,
      completion_tokens: count,
      total_tokens: count.optional(),
      cost: loose(count),
      completion_tokens_details: loose(z.object({ reasoning_tokens: loose(count) })),
    }),
  ),
  error: z
    .union([
      z.string(),
      z.object({
        message: loose(z.string()),
        code: loose(z.union([z.number(), z.string()])),
      }),
    ])
    .nullish()
    .catch({ message: null, code: null }),
});

type Chunk = z.infer<typeof chunkSchema>;

export interface ReadChatStreamOptions {
  /** Gets one `chat.stream.malformed_chunks` line (a count, never content) if any were skipped. */
  readonly log?: Logger;
}

/**
 * Reads an OpenAI-compatible SSE body, OpenRouter's included (after {@link checkChatResponse}),
 * as deltas (`choices[0].delta.content`), reasoning (`delta.reasoning`, `delta.reasoning_details`
 * — never mixed into the deltas), one `finish` (the first finish reason), and `usage` (from the
 * chunk that has it, with `cost` and reasoning tokens when reported). `data: [DONE]` ends it.
 *
 * Returning normally means the answer is complete: `[DONE]` arrived, or a finish reason did and
 * the body then ended (a missing `[DONE]`, or a drop before the usage chunk, loses nothing of
 * the answer). Otherwise it throws, after yielding every delta received (the caller keeps the
 * partial answer):
 * - an error chunk under HTTP 200 (a top-level `error` and/or `finish_reason: "error"`) →
 *   `CHAT_STREAM_ERROR` with `providerMessage` and `status` = `error.code` when numeric;
 * - the body ends or breaks off (not by `signal`) before a finish reason →
 *   `CHAT_STREAM_INCOMPLETE`, or the transport error when the failure says why (offline, proxy,
 *   certificate, timeout: `NETWORK_OFFLINE`, `NETWORK_PROXY`, `NETWORK_CERTIFICATE`,
 *   `HTTP_TIMEOUT`);
 * - `signal` aborts → its `AbortError`, unchanged (Stop is not a failure).
 *
 * A data line that is not a JSON object is skipped (proxies and providers do insert odd
 * lines); but a stream with no valid chunk and at least one malformed one is
 * `HTTP_BAD_RESPONSE` — it was not a chat stream at all.
 */
export async function* readChatStream(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  options: ReadChatStreamOptions = {},
): AsyncGenerator<ChatStreamEvent> {
  let finished = false;
  let doneMarker = false;
  let valid = 0;
  let malformed = 0;
  try {
    for await (const { data } of readSseEvents(body, signal)) {
      if (data.length < 16 && data.trim() === '[DONE]') {
        doneMarker = true;
        break;
      }
      const chunk = parseChunk(data);
      if (!chunk) {
        malformed += 1;
        continue;
      }
      valid += 1;
      const choice = chunk.choices?.[0];
      if (chunk.error || choice?.finish_reason === 'error') throw streamError(chunk.error);
      const thought = choice?.delta?.reasoning ?? '';
      const details = choice?.delta?.reasoning_details ?? [];
      if (thought || details.length > 0) yield { type: 'reasoning', text: thought, details };
      const text = choice?.delta?.content;
      if (text) yield { type: 'delta', text };
      const reason = choice?.finish_reason;
      if (reason && !finished) {
        finished = true;
        yield { type: 'finish', reason };
      }
      if (chunk.usage)
        yield { type: 'usage', usage: toUsage(chunk.usage), model: chunk.model ?? null };
    }
  } catch (error) {
    if (signal?.aborted || error instanceof LatchkeyError) throw error;
    if (finished) return;
    throw brokenStreamError(error);
  } finally {
    if (malformed > 0) options.log?.warn('chat.stream.malformed_chunks', { count: malformed });
  }
  if (valid === 0 && malformed > 0) throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: 200 });
  if (!doneMarker && !finished) throw new LatchkeyError('CHAT_STREAM_INCOMPLETE', { status: 200 });
}

/**
 * A body that broke off before a finish reason. When the transport table says why — no network,
 * the proxy, a certificate, the network stack's timeout — that is the error (the user learns what
 * to fix, and the send can be retried); a connection that merely dropped, or anything else, is
 * `CHAT_STREAM_INCOMPLETE`: the answer was cut off, and nothing more is known.
 */
function brokenStreamError(error: unknown): LatchkeyError {
  const failure = classifyTransportFailure(error);
  switch (failure) {
    case 'offline':
    case 'proxy':
    case 'certificate':
    case 'timeout':
      return new LatchkeyError(transportErrorCode(failure), {}, { cause: error });
    default:
      return new LatchkeyError('CHAT_STREAM_INCOMPLETE', { status: 200 }, { cause: error });
  }
}

function parseChunk(data: string): Chunk | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = chunkSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function streamError(error: Chunk['error']): LatchkeyError {
  if (!error) return new LatchkeyError('CHAT_STREAM_ERROR');
  const message = cleanProviderMessage(typeof error === 'string' ? error : error.message);
  const code = typeof error === 'string' ? null : error.code;
  const status =
    typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599
      ? code
      : undefined;
  return new LatchkeyError('CHAT_STREAM_ERROR', {
    ...(status !== undefined && { status }),
    ...(message !== undefined && { providerMessage: message }),
  });
}

function toUsage(usage: NonNullable<Chunk['usage']>): Usage {
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
    cost: usage.cost ?? null,
    // Non-reasoning models report 0 (OpenAI's shape): shown only when there were some.
    ...(usage.completion_tokens_details?.reasoning_tokens && {
      reasoningTokens: usage.completion_tokens_details.reasoning_tokens,
    }),
  };
}

/**
 * `GET {base}/models` with the Bearer token: OpenAI-compatible servers require it; OpenRouter's
 * list is public and ignores it (https://openrouter.ai/docs/api-reference/list-available-models).
 */
export function buildModelsRequest(endpoint: ChatEndpoint, token: string): HttpRequest {
  return {
    url: endpointUrl(endpoint.baseUrl, 'models'),
    init: {
      method: 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...attributionHeaders(endpoint),
      },
    },
  };
}

const price = loose(z.union([z.string().max(64), z.number()]));

const modelSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/),
  name: loose(z.string()),
  context_length: loose(z.number().int().positive()),
  pricing: loose(z.object({ prompt: price, completion: price })),
  supported_parameters: loose(z.array(z.string().max(64)).max(256)),
  architecture: loose(z.object({ input_modalities: loose(z.array(z.string().max(32)).max(32)) })),
});

const modelsSchema = z.object({ data: z.array(z.unknown()) });

/**
 * Processes `GET {base}/models` (send it with a 5 MB cap). OpenRouter's entries carry `name`,
 * `context_length` and `pricing`: pricing strings ("0.0000015", USD per token) become numbers —
 * negative or unparsable (`openrouter/auto` says "-1") → null — `free` when both are 0. A plain
 * OpenAI entry (`{id, object, created, owned_by}`) is named by its id, with unknown context and
 * prices. Malformed and duplicate entries are skipped, not fatal; a body that is not
 * `{data: [...]}` is `HTTP_BAD_RESPONSE`; 401 is `AUTH_KEY_REVOKED` (the token was refused).
 */
export function processModelsResponse(response: HttpResponse): ModelInfo[] {
  if (response.status === 401) throw new LatchkeyError('AUTH_KEY_REVOKED', { status: 401 });
  if (response.status !== 200) throw statusError(response);
  const parsed = modelsSchema.safeParse(parseJsonBody(response));
  if (!parsed.success) throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: 200 });
  const seen = new Set<string>();
  const models: ModelInfo[] = [];
  for (const entry of parsed.data.data) {
    const model = modelSchema.safeParse(entry);
    if (!model.success || seen.has(model.data.id)) continue;
    const { id, name, context_length, pricing } = model.data;
    seen.add(id);
    const promptPrice = toPrice(pricing?.prompt);
    const completionPrice = toPrice(pricing?.completion);
    models.push({
      id,
      name: name?.trim().slice(0, 200) || id,
      contextLength: context_length ?? null,
      promptPrice,
      completionPrice,
      free: promptPrice === 0 && completionPrice === 0,
      supportedParameters: model.data.supported_parameters ?? [],
      inputModalities: model.data.architecture?.input_modalities ?? ['text'],
    });
  }
  return models;
}

function toPrice(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && !/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) {
    return null;
  }
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}
