import type { FetchLike } from './request';

/**
 * Readies the way to an origin before a request to it is due: a sign-in warms the token
 * endpoint's origin while the user is in the browser, so the code exchange that follows the
 * deep link does not pay for loading the HTTP client, DNS, TCP and TLS (performance.md: first
 * deep link after launch → exchange request ≤ 20 ms). Best effort: never throws, never
 * rejects, carries no credential.
 */
export type Preconnect = (url: URL) => void;

/** What {@link sessionPreconnect} needs of an Electron `Session`. */
export interface PreconnectingSession {
  preconnect(options: { url: string; numSockets?: number }): void;
}

/**
 * Electron: `session.preconnect` opens a socket (DNS, TCP, TLS) to the origin in the network
 * service without sending anything (https://www.electronjs.org/docs/latest/api/session#sespreconnectoptions).
 * Pass the session `net.fetch` uses (the default one).
 */
export function sessionPreconnect(session: PreconnectingSession): Preconnect {
  return (url) => {
    try {
      session.preconnect({ url: url.origin, numSockets: 1 });
    } catch {
      // A hint only: the request opens its own connection.
    }
  };
}

/**
 * Any `fetch` (Node's in the harness and tests): an `OPTIONS` of the origin's root (safe, no
 * body; a Node server closes the connection after answering `HEAD` with a body), no cookies,
 * no cache, no redirects. Node loads its HTTP client (undici, its parser) on the first request
 * and keeps the connection alive a few seconds for the next; the answer, whatever its status,
 * is dropped.
 */
export function fetchPreconnect(fetchFn: FetchLike, timeoutMs = 10_000): Preconnect {
  return (url) => {
    let started: Promise<Response>;
    try {
      started = fetchFn(new URL('/', url.origin), {
        method: 'OPTIONS',
        redirect: 'manual',
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      return;
    }
    started.then((response) => response.body?.cancel()).catch(() => undefined);
  };
}
