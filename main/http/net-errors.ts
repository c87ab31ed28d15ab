import type { ErrorCode } from '../errors';

/**
 * What a failed request (or body read) says about the way to the provider:
 * - `offline`: no way out — no network, the name did not resolve, no route to the host;
 * - `connection`: the connection was refused, or broke (reset, closed, network changed);
 * - `timeout`: the network stack gave up waiting (our own deadline is told apart by its signal);
 * - `proxy`: the proxy, its configuration (PAC) or its authentication failed;
 * - `certificate`: TLS failed — a certificate not trusted, expired, for another name, or a
 *   client certificate needed;
 * - `redirect`: a redirect was refused (every provider call is `redirect: 'error'`);
 * - `protocol`: something answered, but not with well-formed HTTP;
 * - `unknown`: anything else.
 */
export type TransportFailure =
  | 'offline'
  | 'connection'
  | 'timeout'
  | 'proxy'
  | 'certificate'
  | 'redirect'
  | 'protocol'
  | 'unknown';

/**
 * Chromium's network errors, by name without `ERR_`
 * (https://source.chromium.org/chromium/chromium/src/+/main:net/base/net_error_list.h).
 * Electron's `net.fetch` rejects with a plain `Error` whose message is `net::ERR_<NAME>`, not
 * with a `TypeError` like Node's fetch (electron/electron at v45.0.0-nightly.20260821, 7ca7c50:
 * shell/common/api/electron_api_url_loader.cc:777 emits
 * `net::ErrorToString(loader_->NetError())`; lib/common/api/net-client-request.ts:463-466 wraps it
 * in `new Error(netErrorString)` and destroys the response body with the same error, so a body
 * read fails the same way; lib/browser/api/net-fetch.ts:131-133 rejects the fetch with it).
 * Names not listed here are matched by {@link NET_ERROR_PATTERNS}.
 */
const NET_ERRORS: Readonly<Record<string, TransportFailure>> = {
  INTERNET_DISCONNECTED: 'offline',
  NAME_NOT_RESOLVED: 'offline',
  NAME_RESOLUTION_FAILED: 'offline',
  ADDRESS_UNREACHABLE: 'offline',
  NETWORK_ACCESS_DENIED: 'offline',
  NETWORK_IO_SUSPENDED: 'offline',
  ICANN_NAME_COLLISION: 'offline',

  CONNECTION_REFUSED: 'connection',
  CONNECTION_RESET: 'connection',
  CONNECTION_CLOSED: 'connection',
  CONNECTION_ABORTED: 'connection',
  CONNECTION_FAILED: 'connection',
  NETWORK_CHANGED: 'connection',
  SOCKET_NOT_CONNECTED: 'connection',
  EMPTY_RESPONSE: 'connection',
  HTTP2_PING_FAILED: 'connection',

  TIMED_OUT: 'timeout',
  CONNECTION_TIMED_OUT: 'timeout',

  BAD_SSL_CLIENT_AUTH_CERT: 'certificate',
  CLIENT_AUTH_CERT_TYPE_UNSUPPORTED: 'certificate',
  NO_SSL_VERSIONS_ENABLED: 'certificate',
  TLS13_DOWNGRADE_DETECTED: 'certificate',
  INSECURE_RESPONSE: 'certificate',

  INVALID_REDIRECT: 'redirect',
  TOO_MANY_REDIRECTS: 'redirect',
  UNSAFE_REDIRECT: 'redirect',

  INVALID_RESPONSE: 'protocol',
  INVALID_HTTP_RESPONSE: 'protocol',
  INVALID_CHUNKED_ENCODING: 'protocol',
  CONTENT_LENGTH_MISMATCH: 'protocol',
  INCOMPLETE_CHUNKED_ENCODING: 'protocol',
  CONTENT_DECODING_FAILED: 'protocol',
  CONTENT_DECODING_INIT_FAILED: 'protocol',
};

/**
 * Whole families, after {@link NET_ERRORS}, first match wins: proxies (`*PROXY*`, `*PROXIES*`,
 * `TUNNEL_CONNECTION_FAILED`, `SOCKS_*`, `PAC_*` — `PROXY_CERTIFICATE_INVALID` is the proxy's
 * certificate, so a proxy failure), certificates and TLS (`CERT_*`, `SSL_*`, `*CERTIFICATE*`,
 * `CT_*`, `ECH_*`), DNS (`DNS_*`), HTTP framing (`RESPONSE_HEADERS_*`, `HTTP2_*`, `QUIC_*`).
 */
const NET_ERROR_PATTERNS: readonly (readonly [RegExp, TransportFailure])[] = [
  [/PROXY|PROXIES|^TUNNEL_|^SOCKS_|^PAC_/, 'proxy'],
  [/^CERT_|^SSL_|CERTIFICATE|_CERT_|^CT_|^ECH_/, 'certificate'],
  [/^DNS_/, 'offline'],
  [/^RESPONSE_HEADERS_|^HTTP2_|^QUIC_/, 'protocol'],
];

/**
 * Node's fetch (undici; the tests and the harness) rejects with `TypeError('fetch failed')` and
 * the reason in `cause.code`: a system error (`ECONNREFUSED`, `ENOTFOUND`, …), an undici code
 * (`UND_ERR_*`) or an OpenSSL verification code (`CERT_HAS_EXPIRED`, …; any code naming a
 * certificate, `ERR_SSL_*` or `ERR_TLS_*` is a certificate failure).
 */
const NODE_CODES: Readonly<Record<string, TransportFailure>> = {
  ENOTFOUND: 'offline',
  EAI_AGAIN: 'offline',
  ENETUNREACH: 'offline',
  ENETDOWN: 'offline',
  EHOSTUNREACH: 'offline',
  EHOSTDOWN: 'offline',

  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  ECONNABORTED: 'connection',
  EPIPE: 'connection',
  UND_ERR_SOCKET: 'connection',
  UND_ERR_CLOSED: 'connection',
  ERR_STREAM_PREMATURE_CLOSE: 'connection',

  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',

  UND_ERR_PRX_TLS: 'proxy',

  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate',
  INVALID_CA: 'certificate',
  PATH_LENGTH_EXCEEDED: 'certificate',
  INVALID_PURPOSE: 'certificate',
  HOSTNAME_MISMATCH: 'certificate',
};

const NODE_CERTIFICATE = /CERT|^ERR_SSL_|^ERR_TLS_/;

/** The stable code each failure is reported with. */
const CODES: Readonly<Record<TransportFailure, ErrorCode>> = {
  offline: 'NETWORK_OFFLINE',
  connection: 'NETWORK_OFFLINE',
  // What we knew before this table: the request got no answer.
  unknown: 'NETWORK_OFFLINE',
  timeout: 'HTTP_TIMEOUT',
  proxy: 'NETWORK_PROXY',
  certificate: 'NETWORK_CERTIFICATE',
  redirect: 'HTTP_BAD_RESPONSE',
  protocol: 'HTTP_BAD_RESPONSE',
};

/**
 * Classifies what `fetch` rejected with, or what a body read threw: Electron's
 * `Error('net::ERR_…')`, Node's `TypeError` with a `cause.code`, a refused redirect (Electron:
 * `Error("Attempted to redirect, but redirect policy was 'error'")`,
 * lib/common/api/net-client-request.ts:479-480; Node: `cause` "unexpected redirect"). The error,
 * its `cause` chain and an `AggregateError`'s errors are looked at; a `TypeError` that says no
 * more is a broken connection (what Node's fetch throws for any network failure).
 */
export function classifyTransportFailure(error: unknown): TransportFailure {
  const seen = new Set<unknown>();
  let typeError = false;
  const visit = (value: unknown, depth: number): TransportFailure | null => {
    if (!(value instanceof Error) || depth > 4 || seen.has(value)) return null;
    seen.add(value);
    if (value instanceof TypeError) typeError = true;
    const net = /^net::ERR_([A-Z0-9_]+)/.exec(value.message);
    if (net) return netErrorFailure(net[1] as string);
    const code: unknown = (value as { code?: unknown }).code;
    if (typeof code === 'string') {
      const known = NODE_CODES[code] ?? (NODE_CERTIFICATE.test(code) ? 'certificate' : null);
      if (known) return known;
    }
    if (/redirect/i.test(value.message)) return 'redirect';
    const inner = value instanceof AggregateError ? [...value.errors, value.cause] : [value.cause];
    for (const next of inner) {
      const found = visit(next, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return visit(error, 0) ?? (typeError ? 'connection' : 'unknown');
}

/** A Chromium error name without `ERR_` (`PROXY_CONNECTION_FAILED`), classified. */
export function netErrorFailure(name: string): TransportFailure {
  const listed = NET_ERRORS[name];
  if (listed) return listed;
  for (const [pattern, failure] of NET_ERROR_PATTERNS) if (pattern.test(name)) return failure;
  return 'unknown';
}

/**
 * The error code of a failure: offline and broken connections → `NETWORK_OFFLINE`, timeouts →
 * `HTTP_TIMEOUT`, proxies → `NETWORK_PROXY`, certificates → `NETWORK_CERTIFICATE`, refused
 * redirects and malformed HTTP → `HTTP_BAD_RESPONSE`, anything else → `NETWORK_OFFLINE`.
 */
export function transportErrorCode(failure: TransportFailure): ErrorCode {
  return CODES[failure];
}

/**
 * Whether the failure means the providers cannot be reached from here, so the app shows itself
 * offline: no network, a broken connection, and a failing proxy — every request goes through
 * the proxy, so none can get out until it works again (the error itself names the proxy).
 * Not a certificate failure: the network works and retrying cannot help until the certificate
 * is trusted, so "offline" would send the user to the wrong place. Not a timeout (slow is not
 * gone), a refused redirect or malformed answer (something did answer), or an unknown failure.
 */
export function meansUnreachable(failure: TransportFailure): boolean {
  return failure === 'offline' || failure === 'connection' || failure === 'proxy';
}

/**
 * The codes of failures where no answer came because of the way there (network, proxy, TLS,
 * time): a retry later can succeed with the same request, so they never end a session and
 * are passed through unchanged where other failures get a provider-specific code.
 */
export const TRANSPORT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'NETWORK_OFFLINE',
  'NETWORK_PROXY',
  'NETWORK_CERTIFICATE',
  'HTTP_TIMEOUT',
]);
