/**
 * A reverse proxy in front of the OpenRouter emulator that adds a `Set-Cookie` to every answer,
 * as OpenRouter's CDN does (`__cf_bm`). The emulator sets no cookie itself, so without this a
 * client that keeps and replays cookies would look the same as one that does not. Records the
 * `Cookie` header of every request it forwards, and can hold requests back.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PROBE_COOKIE = '__cf_bm';

export interface CookieProxy {
  /** Base URL without a trailing slash. */
  readonly url: string;
  /** Every request forwarded, oldest first, with its `Cookie` header (if any). */
  readonly seen: { method: string; path: string; cookie: string | undefined }[];
  /** Number of answers that carried the probe cookie. */
  cookiesSet(): number;
  /**
   * Requests whose path starts with `path` are forwarded only once the returned function is
   * called (those already waiting, and any later).
   */
  hold(path: string): () => void;
  close(): Promise<void>;
}

export async function startCookieProxy(target: string): Promise<CookieProxy> {
  const upstream = new URL(target);
  const seen: CookieProxy['seen'] = [];
  let cookiesSet = 0;
  const holds = new Map<string, Promise<void>>();
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', cookie: req.headers.cookie });
    const held = [...holds].filter(([path]) => (req.url ?? '').startsWith(path));
    void Promise.all(held.map(([, released]) => released)).then(() => forward(req, res));
  });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstreamRequest = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const value = `${PROBE_COOKIE}=${randomBytes(8).toString('hex')}; Path=/; HttpOnly; SameSite=None; Max-Age=1800`;
        cookiesSet += 1;
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, {
          ...answer.headers,
          'set-cookie': [...(answer.headers['set-cookie'] ?? []), value],
        });
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    req.pipe(upstreamRequest);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    cookiesSet: () => cookiesSet,
    hold(path) {
      let release = () => {};
      holds.set(path, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        holds.delete(path);
        release();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
