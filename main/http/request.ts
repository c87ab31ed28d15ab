import { LatchkeyError } from '../errors';
import { classifyTransportFailure, transportErrorCode } from './net-errors';

/**
 * The `fetch` main uses. In Electron it is `net.fetch` (system proxy, PAC, OS certificates)
 * wrapped by `fromNetFetch` (./net-fetch.ts: no cookies, no HTTP cache); in Node tests and the
 * harness it is Node's `fetch`. Never hard-wire a global in app code.
 */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** A request built by a provider module, ready to send. */
export interface HttpRequest {
  readonly url: URL;
  readonly init: RequestInit;
}

/** A fully read, size-capped response. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface SendOptions {
  readonly timeoutMs: number;
  /** Bytes read at most; a larger body is `HTTP_RESPONSE_TOO_LARGE` (security.md 10). */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

/**
 * Sends a request with a timeout, `redirect: 'error'` and a body size cap, and maps transport
 * failures to typed errors ({@link transportError}) and an oversized body to
 * `HTTP_RESPONSE_TOO_LARGE`. Status codes are left to the caller's response processor.
 */
export async function send(
  fetchFn: FetchLike,
  request: HttpRequest,
  options: SendOptions,
): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  try {
    response = await fetchFn(request.url, { ...request.init, redirect: 'error', signal });
  } catch (error) {
    throw transportError(error, signal);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new LatchkeyError('HTTP_RESPONSE_TOO_LARGE', { status: response.status });
  }
  try {
    const body = await readCapped(response, options.maxBytes);
    return { status: response.status, headers: response.headers, body };
  } catch (error) {
    if (error instanceof LatchkeyError) throw error;
    throw transportError(error, signal);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new LatchkeyError('HTTP_RESPONSE_TOO_LARGE', { status: response.status });
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Maps a failed `fetch` (or body read) to a typed error: `HTTP_TIMEOUT` when `signal` (our
 * deadline, or the caller's signal with it) aborted or the failure is an abort; otherwise by the
 * transport failure table ({@link classifyTransportFailure}): `NETWORK_OFFLINE`,
 * `HTTP_TIMEOUT`, `NETWORK_PROXY`, `NETWORK_CERTIFICATE`, or `HTTP_BAD_RESPONSE` (a refused
 * redirect, malformed HTTP).
 */
export function transportError(error: unknown, signal: AbortSignal): LatchkeyError {
  if (signal.aborted || (error instanceof Error && error.name === 'AbortError')) {
    return new LatchkeyError('HTTP_TIMEOUT', {}, { cause: error });
  }
  const code = transportErrorCode(classifyTransportFailure(error));
  return new LatchkeyError(code, {}, { cause: error });
}

/** `Retry-After` in seconds (delta-seconds or HTTP-date, RFC 9110 §10.2.3), or undefined. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed), 86_400);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.min(Math.ceil((date - now) / 1000), 86_400));
}

/**
 * Maps a non-2xx status that has no provider-specific meaning: 429 → `HTTP_RATE_LIMITED`
 * (with Retry-After), 5xx → `HTTP_SERVER_ERROR`, other → `HTTP_CLIENT_ERROR`.
 */
export function statusError(response: HttpResponse): LatchkeyError {
  const { status } = response;
  if (status === 429) {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    return new LatchkeyError('HTTP_RATE_LIMITED', {
      status,
      ...(retryAfter !== undefined && { retryAfter }),
    });
  }
  if (status >= 500) return new LatchkeyError('HTTP_SERVER_ERROR', { status });
  if (status >= 300 && status < 400) return new LatchkeyError('HTTP_BAD_RESPONSE', { status });
  return new LatchkeyError('HTTP_CLIENT_ERROR', { status });
}

/**
 * Parses a 2xx JSON body: the content type must be JSON and the text must parse; anything else
 * (HTML error pages, empty or truncated bodies) is `HTTP_BAD_RESPONSE` (security.md 10).
 */
export function parseJsonBody(response: HttpResponse): unknown {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type.trim())) {
    throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: response.status });
  }
  try {
    return JSON.parse(response.body) as unknown;
  } catch (error) {
    throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: response.status }, { cause: error });
  }
}
