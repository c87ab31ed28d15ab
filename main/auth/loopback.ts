import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A loopback redirect listener (RFC 8252 §7.3), open for one sign-in attempt. */
export interface LoopbackListener {
  readonly port: number;
  /** `http://127.0.0.1:<port><path>`: the redirect URI to give the provider. */
  readonly redirectUri: string;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  /** The exact path accepted, e.g. `/oauth/openrouter/<nonce>`. */
  readonly path: string;
  /** Closes the listener by itself after this long. */
  readonly timeoutMs: number;
  /**
   * Receives the full callback URL; returns whether it was accepted. The listener closes after
   * the first accepted callback.
   */
  readonly onCallback: (url: string) => boolean;
  readonly onClose?: () => void;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
} as const;

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;color:#1c1c1e;background:#f6f6f8}@media(prefers-color-scheme:dark){body{color:#eee;background:#18181b}}main{max-width:28rem;text-align:center}h1{font-size:1.25rem}</style></head><body><main>${body}</main></body></html>`;
}

const DONE_PAGE = page(
  'Latchkey',
  '<h1>You can close this tab</h1><p>Return to Latchkey to finish signing in.</p><p lang="zh-CN">可以关闭此标签页，回到 Latchkey 完成登录。</p>',
);
const REJECTED_PAGE = page(
  'Latchkey',
  '<h1>This sign-in link is not valid</h1><p>Return to Latchkey and start signing in again.</p><p lang="zh-CN">此登录链接无效。请回到 Latchkey 重新登录。</p>',
);

/**
 * Opens a listener on 127.0.0.1, port 0 (security.md 8): GET on the exact path only (405 for
 * other methods, 404 for other paths), `Host` must be `127.0.0.1:<port>` (DNS-rebinding
 * defence), static answers with `Cache-Control: no-store` and `Referrer-Policy: no-referrer`.
 */
export async function openLoopbackListener(options: LoopbackOptions): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  let closed = false;
  let port = 0;
  const server = createServer((req, res) => handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const close = async () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A response being written (the page of the accepted callback) finishes; idle sockets go.
      server.closeIdleConnections();
      setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 1000).unref();
    });
    options.onClose?.();
  };

  function handle(req: IncomingMessage, res: ServerResponse) {
    const reply = (status: number, html: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...PAGE_HEADERS, ...extra, connection: 'close' });
      res.end(html);
    };
    if (req.headers.host !== `127.0.0.1:${port}`) return reply(400, REJECTED_PAGE);
    const rawPath = (req.url ?? '').split('?')[0];
    if (rawPath !== options.path) return reply(404, REJECTED_PAGE);
    if (req.method !== 'GET') return reply(405, REJECTED_PAGE, { allow: 'GET' });
    const accepted = !closed && options.onCallback(`http://127.0.0.1:${port}${req.url ?? ''}`);
    reply(accepted ? 200 : 400, accepted ? DONE_PAGE : REJECTED_PAGE);
    if (accepted) void close();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const timer = setTimeout(() => void close(), options.timeoutMs);
  timer.unref();
  return { port, redirectUri: `http://127.0.0.1:${port}${options.path}`, close };
}
