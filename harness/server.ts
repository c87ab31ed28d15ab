/**
 * The browser harness (product.md "The browser harness"): the real renderer served to any
 * browser, talking to the real main-process services through an HTTP bridge. Only the Electron
 * adapter is swapped: IPC → HTTP + server-sent events, `safeStorage` → a key file in the data
 * dir, `shell.openExternal` → a recorded list, the OS deep-link intake → POST /__harness/deep-link,
 * the save dialog → none (an export comes back to the page, which downloads it).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ATTACHMENT_LIMITS,
  DEEP_LINK_UNAVAILABLE_REASONS,
  type DeepLinkUnavailableReason,
  type EventChannel,
  type EventContract,
} from '../preload/api';
import type { SchemeRegistration } from '../main/deep-link/scheme-registration';
import { createAppServices } from '../main/app-services';
import { ConfigError, readConfig } from '../main/config';
import type { EncryptionPort } from '../main/credentials/encryption';
import { createKeyfilePort } from '../main/credentials/keyfile-port';
import { acquireDataDirLock, DataDirLockedError } from '../main/storage/data-dir-lock';
import { dispatch } from '../main/ipc/dispatch';
import { createStreamLogger } from '../main/log';
import { CONTENT_SECURITY_POLICY } from '../main/window/csp';
import { mimeType, resolveStaticFile } from '../main/window/static-files';

const root = resolve(import.meta.dirname, '..');
const rendererDir = join(root, 'out', 'renderer');
const bridgeFile = join(root, 'out', 'harness', 'bridge.js');

const JSON_TYPE = 'application/json';
/** A `chat:attach` body: a frame of 20 MB of bytes plus the JSON around them. */
const ATTACH_BODY_MAX = ATTACHMENT_LIMITS.maxBytes + 64 * 1024;

function fail(message: string): never {
  process.stderr.write(`harness: ${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string', default: join(root, '.harness-data') },
    // What the OS registration would have answered (default: deep links work), e.g.
    // `--deep-links xdg-utils-missing` to see the app as a Linux machine without xdg-utils.
    'deep-links': { type: 'string', default: 'available' },
    // What the OS keyring offers: `os` (default), `basic_text` (Linux without a keyring: weak,
    // kept only after "remember anyway") or `none` (nothing can encrypt: memory only).
    keyring: { type: 'string', default: 'os' },
  },
  allowPositionals: false,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0–65535');
const dataDir = resolve(values['data-dir']);
const deepLinksArg = values['deep-links'];
const deepLinks: SchemeRegistration =
  deepLinksArg === 'available'
    ? { available: true }
    : isDeepLinkReason(deepLinksArg)
      ? { available: false, reason: deepLinksArg }
      : fail(`--deep-links must be available, ${DEEP_LINK_UNAVAILABLE_REASONS.join(', ')}`);

// Before anything in the data dir is opened: a second harness (or app) on it is refused.
const dataDirLock = (() => {
  try {
    return acquireDataDirLock(dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(error.message);
    throw error;
  }
})();
process.on('exit', () => dataDirLock.release());

const keyfile = createKeyfilePort(dataDir);
const encryption: EncryptionPort =
  values.keyring === 'os'
    ? keyfile
    : values.keyring === 'basic_text'
      ? { ...keyfile, backend: 'basic_text', isAvailable: () => keyfile.isAvailable() }
      : values.keyring === 'none'
        ? { ...keyfile, backend: 'unknown', isAvailable: () => false }
        : fail('--keyring must be os, basic_text or none');

function isDeepLinkReason(value: string): value is DeepLinkUnavailableReason {
  return (DEEP_LINK_UNAVAILABLE_REASONS as readonly string[]).includes(value);
}

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

const version = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version;
const log = createStreamLogger((line) => process.stderr.write(line));
const openedUrls: string[] = [];
const eventClients = new Set<ServerResponse>();

const emit = <C extends EventChannel>(channel: C, payload: EventContract[C]) => {
  const frame = `data: ${JSON.stringify({ channel, payload })}\n\n`;
  for (const client of eventClients) client.write(frame);
};

const services = createAppServices({
  config,
  dataDir,
  fetch: (input, init) => fetch(input, init),
  encryption,
  openExternal: (url) => {
    openedUrls.push(url);
    return Promise.resolve();
  },
  scheme: 'app.latchkey.dev',
  hostname: hostname(),
  version,
  systemLanguages: [Intl.DateTimeFormat().resolvedOptions().locale],
  deepLinks,
  emit,
  log,
});

let origin = '';

/**
 * Channels whose requests may be larger than 64 KB: attachments, and conversation settings (a
 * system prompt at its 65,536-character cap is up to ~400 KB of JSON in the worst case).
 */
function bodyLimit(channel: string): number | undefined {
  if (channel === 'chat:attach') return ATTACH_BODY_MAX;
  if (
    channel === 'chat:set-settings' ||
    channel === 'chat:set-default-settings' ||
    channel === 'chat:create'
  ) {
    return 1024 * 1024;
  }
  return undefined;
}

async function readBytes(req: IncomingMessage, limit = 64 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return (await readBytes(req, limit)).toString('utf8');
}

/**
 * Values holding bytes (attachments) cross as a frame, as harness/bridge.ts writes them:
 * `<JSON length>\n<JSON><bytes…>`, each Uint8Array in the JSON a `{"$bytes": [offset, length]}`.
 */
const FRAME_TYPE = 'application/x-latchkey-frame';

function decodeFrame(body: Buffer): unknown {
  const newline = body.indexOf(10);
  if (newline < 1 || newline > 12) throw new Error('bad frame');
  const length = Number(body.subarray(0, newline).toString('latin1'));
  const start = newline + 1;
  if (!Number.isSafeInteger(length) || start + length > body.length) throw new Error('bad frame');
  const base = start + length;
  return JSON.parse(body.subarray(start, base).toString('utf8'), (_key, v: unknown) => {
    const ref = (v as { $bytes?: unknown } | null)?.$bytes;
    if (!Array.isArray(ref)) return v;
    const [offset, size] = ref as [number, number];
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0)
      throw new Error('bad frame');
    if (base + offset + size > body.length) throw new Error('bad frame');
    return new Uint8Array(body.buffer, body.byteOffset + base + offset, size);
  });
}

/**
 * Whether a value holds bytes anywhere. Walking is far cheaper than a `JSON.stringify` with a
 * replacer, which a response of 10,000 conversation summaries paid (~50 ms) only to find none.
 */
function holdsBytes(value: unknown): boolean {
  if (value instanceof Uint8Array) return true;
  if (typeof value !== 'object' || value === null) return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (typeof item === 'object' && item !== null && holdsBytes(item)) return true;
  }
  return false;
}

function encodeFrame(value: unknown): Buffer | null {
  if (!holdsBytes(value)) return null;
  const parts: Uint8Array[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Uint8Array)) return v;
    parts.push(v);
    offset += v.byteLength;
    return { $bytes: [offset - v.byteLength, v.byteLength] };
  });
  if (parts.length === 0) return null;
  const head = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(`${head.length}\n`, 'latin1'), head, ...parts]);
}

function send(res: ServerResponse, status: number, body: string, type: string) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** The harness's version of the IPC sender check: same origin, same site. */
function fromOurPage(req: IncomingMessage): boolean {
  return req.headers.origin === origin && req.headers['sec-fetch-site'] !== 'cross-site';
}

async function serveStatic(res: ServerResponse, pathname: string) {
  if (pathname === '/' || pathname === '/index.html') {
    const html = await readFile(join(rendererDir, 'index.html'), 'utf8');
    const withBridge = html.replace(
      '</head>',
      '  <script src="/__harness/bridge.js"></script>\n  </head>',
    );
    res.writeHead(200, {
      'content-type': mimeType('index.html'),
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(withBridge);
    return;
  }
  const file = resolveStaticFile(rendererDir, pathname);
  if (!file) return send(res, 404, 'not found', 'text/plain');
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': mimeType(file),
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  } catch {
    send(res, 404, 'not found', 'text/plain');
  }
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  if (req.headers.host !== new URL(origin).host) return send(res, 421, 'wrong host', 'text/plain');
  const { pathname } = new URL(req.url ?? '/', origin);
  const method = req.method ?? 'GET';

  if (pathname.startsWith('/__harness/ipc/') && method === 'POST') {
    if (!fromOurPage(req))
      return send(res, 403, '{"ok":false,"error":{"code":"IPC_FORBIDDEN_SENDER"}}', JSON_TYPE);
    const channel = decodeURIComponent(pathname.slice('/__harness/ipc/'.length));
    let raw: unknown;
    try {
      // `chat:attach` carries a file's bytes as a frame (its schema caps them at 20 MB).
      const body = await readBytes(req, bodyLimit(channel));
      if (req.headers['content-type'] === FRAME_TYPE) raw = decodeFrame(body);
      else raw = body.length === 0 ? undefined : (JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      return send(res, 400, '{"ok":false,"error":{"code":"IPC_INVALID_ARGUMENT"}}', JSON_TYPE);
    }
    const result = await dispatch(services.handlers, channel, raw, log);
    const frame = encodeFrame(result);
    if (frame) {
      res.writeHead(200, {
        'content-type': FRAME_TYPE,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(frame);
      return;
    }
    return send(res, 200, JSON.stringify(result), JSON_TYPE);
  }
  if (pathname === '/__harness/events' && method === 'GET') {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    eventClients.add(res);
    req.on('close', () => eventClients.delete(res));
    return;
  }
  if (pathname === '/__harness/deep-link' && method === 'POST') {
    let url: string;
    try {
      url = (await readBody(req, 16 * 1024)).trim();
    } catch {
      return send(res, 413, 'too large', 'text/plain');
    }
    services.intake.deliver(url);
    // The OS intake answers no one: what the handler sends at once (the code exchange) goes out
    // before this reply, as it would in the app (cold deep-link bench).
    setImmediate(() => res.writeHead(204).end());
    return;
  }
  if (pathname === '/__harness/opened-urls' && method === 'GET') {
    return send(res, 200, JSON.stringify(openedUrls), JSON_TYPE);
  }
  if (pathname.startsWith('/__harness/')) {
    if (pathname === '/__harness/bridge.js' && method === 'GET') {
      return send(res, 200, await readFile(bridgeFile, 'utf8'), 'text/javascript; charset=utf-8');
    }
    return send(res, 404, 'not found', 'text/plain');
  }
  if (method !== 'GET' && method !== 'HEAD')
    return send(res, 405, 'method not allowed', 'text/plain');
  return serveStatic(res, pathname);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    log.warn('harness.request-failed', { name: (error as Error).name });
    if (!res.headersSent) send(res, 500, 'internal error', 'text/plain');
    else res.end();
  });
});

server.listen({ host: '127.0.0.1', port }, () => {
  const { port: bound } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${bound}`;
  services.start();
  services.acceptDeepLinks();
  process.stdout.write(`harness ready ${origin}/\n`);
});

function shutdown() {
  services.dispose();
  for (const client of eventClients) client.end();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
