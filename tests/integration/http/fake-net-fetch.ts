/**
 * A stand-in for Electron's `net.fetch` on top of Node's fetch, failing the way Electron does
 * (electron/electron, read at v45.0.0-nightly.20260821):
 * - a network error rejects with a plain `Error('net::ERR_…')`
 *   (lib/browser/api/net-fetch.ts:131-133, lib/common/api/net-client-request.ts:463-466);
 * - the same error breaks a body read when it happens after the headers (the response stream is
 *   destroyed with it, net-client-request.ts:465);
 * - a redirect under `redirect: 'error'` rejects with
 *   `Error("Attempted to redirect, but redirect policy was 'error'")` (net-client-request.ts:480);
 * - an abort rejects with the signal's reason (net-fetch.ts:66-67).
 * Every call's `init` is recorded, so tests can see what reached `net.fetch`.
 */
import type { NetFetch } from '../../../main/http/net-fetch';

interface Rule {
  readonly matches: (url: string) => boolean;
  readonly name: string;
  /** Undefined: before any response; else the body breaks off after this many bytes. */
  readonly afterBytes?: number;
}

export interface FakeNetFetch {
  readonly fetch: NetFetch;
  readonly calls: { url: string; init: RequestInit | undefined }[];
  /** Requests whose URL starts with `prefix` reject with `net::<name>` (e.g. `ERR_TIMED_OUT`). */
  fail(prefix: string, name: string): void;
  /** Requests whose URL starts with `prefix` get their response, whose body then breaks off. */
  breakBody(prefix: string, name: string, afterBytes: number): void;
  /** The network works again. */
  heal(): void;
}

export function fakeNetFetch(): FakeNetFetch {
  const rules: Rule[] = [];
  const calls: { url: string; init: RequestInit | undefined }[] = [];

  const netFetch: NetFetch = async (url, init) => {
    calls.push({ url, init });
    init?.signal?.throwIfAborted();
    const rule = rules.find((r) => r.matches(url));
    if (rule && rule.afterBytes === undefined) throw new Error(`net::${rule.name}`);
    const refuseRedirects = init?.redirect === 'error';
    const response = await fetch(url, {
      ...init,
      ...(refuseRedirects && { redirect: 'manual' as const }),
    });
    if (refuseRedirects && response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new Error("Attempted to redirect, but redirect policy was 'error'");
    }
    if (!rule || !response.body) return response;
    return new Response(breakingBody(response.body, rule.name, rule.afterBytes ?? 0), {
      status: response.status,
      headers: response.headers,
    });
  };

  return {
    fetch: netFetch,
    calls,
    fail: (prefix, name) => rules.push({ matches: (url) => url.startsWith(prefix), name }),
    breakBody: (prefix, name, afterBytes) =>
      rules.push({ matches: (url) => url.startsWith(prefix), name, afterBytes }),
    heal: () => {
      rules.length = 0;
    },
  };
}

/** `body`'s first `afterBytes` bytes, then an error `net::<name>` (or at its end if sooner). */
function breakingBody(
  body: ReadableStream<Uint8Array>,
  name: string,
  afterBytes: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const read = sent < afterBytes ? await reader.read() : { done: true as const };
        if (read.done) {
          await reader.cancel().catch(() => undefined);
          controller.error(new Error(`net::${name}`));
          return;
        }
        const part = read.value.subarray(0, afterBytes - sent);
        sent += part.byteLength;
        controller.enqueue(part);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Pulled only when read: an error never discards bytes the reader has not taken yet.
    { highWaterMark: 0 },
  );
}
