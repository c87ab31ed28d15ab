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
 * Any `fetch` (Node's in the harness and tests): two `OPTIONS` of the origin's root, sent
 * together, with no cookies, no cache and no redirects (safe methods, nothing changes on the
 * server; a Node server closes the connection after answering `HEAD` with a body). Node loads and
 * compiles its HTTP client (undici, its parser) on first use, and the parts that send a request
 * body only when one is first sent: the exchange is a `POST` with a JSON body, so:
 * - the first `OPTIONS` has no body: its connection is kept alive, and it is the pool's first,
 *   the one the exchange is given;
 * - the second carries `{}`, so the body path is compiled now rather than on the exchange
 *   (undici closes a connection after a body on a method that expects none: hence two).
 * Without the second, the first exchange of a process reached the server about 5–10 ms later
 * here (median; up to 30 ms under load).
 * The answers, whatever their status, are dropped.
 */
export function fetchPreconnect(fetchFn: FetchLike, timeoutMs = 10_000): Preconnect {
  const send = (root: URL, init: RequestInit) => {
    try {
      fetchFn(root, {
        method: 'OPTIONS',
        ...init,
        redirect: 'manual',
        credentials: 'omit',
        cache: 'no-store',
        // The exchange's own shape (`send`: a deadline combined with the caller's signal).
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs)]),
      })
        .then((response) => response.body?.cancel())
        .catch(() => undefined);
    } catch {
      // A hint only: the request opens its own connection.
    }
  };
  return (url) => {
    const root = new URL('/', url.origin);
    send(root, {});
    send(root, { headers: { 'content-type': 'application/json' }, body: '{}' });
  };
}
