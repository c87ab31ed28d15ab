import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../../../main/errors';
import {
  classifyTransportFailure,
  meansUnreachable,
  netErrorFailure,
  TRANSPORT_ERROR_CODES,
  type TransportFailure,
} from '../../../main/http/net-errors';
import { transportError } from '../../../main/http/request';

/** What Electron's `net.fetch` rejects with (and a broken body read throws). */
const electron = (name: string) => new Error(`net::${name}`);

/** What Node's fetch rejects with: `TypeError('fetch failed')` with a system or undici error. */
const nodeFailed = (code: string) =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error(`connect ${code} 203.0.113.7:443`), { code }),
  });

const idle = () => new AbortController().signal;
const codeOf = (error: unknown) => transportError(error, idle()).code;

describe('Chromium net errors (Electron net.fetch)', () => {
  it.each<[string, TransportFailure, string]>([
    ['ERR_INTERNET_DISCONNECTED', 'offline', 'NETWORK_OFFLINE'],
    ['ERR_NAME_NOT_RESOLVED', 'offline', 'NETWORK_OFFLINE'],
    ['ERR_NAME_RESOLUTION_FAILED', 'offline', 'NETWORK_OFFLINE'],
    ['ERR_ADDRESS_UNREACHABLE', 'offline', 'NETWORK_OFFLINE'],
    ['ERR_NETWORK_ACCESS_DENIED', 'offline', 'NETWORK_OFFLINE'],
    ['ERR_DNS_TIMED_OUT', 'offline', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_REFUSED', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_RESET', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_CLOSED', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_ABORTED', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_CONNECTION_FAILED', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_NETWORK_CHANGED', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_EMPTY_RESPONSE', 'connection', 'NETWORK_OFFLINE'],
    ['ERR_TIMED_OUT', 'timeout', 'HTTP_TIMEOUT'],
    ['ERR_CONNECTION_TIMED_OUT', 'timeout', 'HTTP_TIMEOUT'],
    ['ERR_PROXY_CONNECTION_FAILED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_TUNNEL_CONNECTION_FAILED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_PROXY_AUTH_REQUESTED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_PROXY_AUTH_UNSUPPORTED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_PROXY_CERTIFICATE_INVALID', 'proxy', 'NETWORK_PROXY'],
    ['ERR_MANDATORY_PROXY_CONFIGURATION_FAILED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_PAC_SCRIPT_FAILED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_PAC_NOT_IN_DHCP', 'proxy', 'NETWORK_PROXY'],
    ['ERR_SOCKS_CONNECTION_FAILED', 'proxy', 'NETWORK_PROXY'],
    ['ERR_HTTPS_PROXY_TUNNEL_RESPONSE_REDIRECT', 'proxy', 'NETWORK_PROXY'],
    ['ERR_NO_SUPPORTED_PROXIES', 'proxy', 'NETWORK_PROXY'],
    ['ERR_CERT_AUTHORITY_INVALID', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_CERT_COMMON_NAME_INVALID', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_CERT_DATE_INVALID', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_CERT_REVOKED', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_CERTIFICATE_TRANSPARENCY_REQUIRED', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_SSL_PROTOCOL_ERROR', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_SSL_VERSION_OR_CIPHER_MISMATCH', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_SSL_CLIENT_AUTH_CERT_NEEDED', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_BAD_SSL_CLIENT_AUTH_CERT', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_QUIC_CERT_ROOT_NOT_KNOWN', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_UNSAFE_REDIRECT', 'redirect', 'HTTP_BAD_RESPONSE'],
    ['ERR_TOO_MANY_REDIRECTS', 'redirect', 'HTTP_BAD_RESPONSE'],
    ['ERR_INVALID_HTTP_RESPONSE', 'protocol', 'HTTP_BAD_RESPONSE'],
    ['ERR_HTTP2_PROTOCOL_ERROR', 'protocol', 'HTTP_BAD_RESPONSE'],
    ['ERR_INCOMPLETE_CHUNKED_ENCODING', 'protocol', 'HTTP_BAD_RESPONSE'],
    ['ERR_FAILED', 'unknown', 'NETWORK_OFFLINE'],
    ['ERR_ABORTED', 'unknown', 'NETWORK_OFFLINE'],
    ['ERR_BLOCKED_BY_CLIENT', 'unknown', 'NETWORK_OFFLINE'],
  ])('net::%s → %s → %s', (name, failure, code) => {
    const error = electron(name);
    expect(classifyTransportFailure(error)).toBe(failure);
    expect(netErrorFailure(name.slice('ERR_'.length))).toBe(failure);
    const mapped = transportError(error, idle());
    expect(mapped).toBeInstanceOf(LatchkeyError);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
  });

  it('reads the name of a QUIC error with its detail suffix', () => {
    expect(classifyTransportFailure(electron('ERR_QUIC_PROTOCOL_ERROR.QUIC_NETWORK_IDLE'))).toBe(
      'protocol',
    );
  });

  it("a redirect refused under redirect: 'error' is HTTP_BAD_RESPONSE", () => {
    const refused = new Error("Attempted to redirect, but redirect policy was 'error'");
    expect(classifyTransportFailure(refused)).toBe('redirect');
    expect(codeOf(refused)).toBe('HTTP_BAD_RESPONSE');
  });

  it('our own deadline or abort wins over what the network stack said', () => {
    const timeout = new AbortController();
    timeout.abort(new DOMException('deadline', 'TimeoutError'));
    for (const name of ['ERR_ABORTED', 'ERR_PROXY_CONNECTION_FAILED', 'ERR_CERT_INVALID']) {
      expect(transportError(electron(name), timeout.signal).code).toBe('HTTP_TIMEOUT');
    }
    const aborted = new DOMException('The operation was aborted.', 'AbortError');
    expect(codeOf(aborted)).toBe('HTTP_TIMEOUT');
  });
});

describe("Node's fetch (tests, harness)", () => {
  it.each<[string, TransportFailure, string]>([
    ['ENOTFOUND', 'offline', 'NETWORK_OFFLINE'],
    ['EAI_AGAIN', 'offline', 'NETWORK_OFFLINE'],
    ['ENETUNREACH', 'offline', 'NETWORK_OFFLINE'],
    ['EHOSTUNREACH', 'offline', 'NETWORK_OFFLINE'],
    ['ECONNREFUSED', 'connection', 'NETWORK_OFFLINE'],
    ['ECONNRESET', 'connection', 'NETWORK_OFFLINE'],
    ['UND_ERR_SOCKET', 'connection', 'NETWORK_OFFLINE'],
    ['ETIMEDOUT', 'timeout', 'HTTP_TIMEOUT'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', 'HTTP_TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout', 'HTTP_TIMEOUT'],
    ['CERT_HAS_EXPIRED', 'certificate', 'NETWORK_CERTIFICATE'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'certificate', 'NETWORK_CERTIFICATE'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate', 'NETWORK_CERTIFICATE'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate', 'NETWORK_CERTIFICATE'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'certificate', 'NETWORK_CERTIFICATE'],
    ['UND_ERR_PRX_TLS', 'proxy', 'NETWORK_PROXY'],
    ['SOMETHING_NEW', 'connection', 'NETWORK_OFFLINE'],
  ])('TypeError with cause.code %s → %s → %s', (code, failure, mapped) => {
    const error = nodeFailed(code);
    expect(classifyTransportFailure(error)).toBe(failure);
    expect(codeOf(error)).toBe(mapped);
  });

  it('looks into the AggregateError of a happy-eyeballs connect', () => {
    const both = Object.assign(
      new AggregateError(
        [
          Object.assign(new Error('connect ETIMEDOUT ::1:443'), { code: 'ETIMEDOUT' }),
          Object.assign(new Error('connect ETIMEDOUT 127.0.0.1:443'), { code: 'ETIMEDOUT' }),
        ],
        'all failed',
      ),
    );
    expect(classifyTransportFailure(new TypeError('fetch failed', { cause: both }))).toBe(
      'timeout',
    );
  });

  it('a TypeError that says no more is a broken connection; a redirect is a redirect', () => {
    expect(codeOf(new TypeError('fetch failed'))).toBe('NETWORK_OFFLINE');
    expect(classifyTransportFailure(new TypeError('fetch failed'))).toBe('connection');
    const message = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') });
    expect(codeOf(message)).toBe('NETWORK_OFFLINE');
    const redirect = new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    expect(classifyTransportFailure(redirect)).toBe('redirect');
    expect(codeOf(redirect)).toBe('HTTP_BAD_RESPONSE');
  });

  it('anything else is unknown, reported as NETWORK_OFFLINE', () => {
    expect(classifyTransportFailure(new Error('boom'))).toBe('unknown');
    expect(classifyTransportFailure('not an error')).toBe('unknown');
    expect(codeOf(new Error('boom'))).toBe('NETWORK_OFFLINE');
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(classifyTransportFailure(a)).toBe('unknown');
  });
});

describe('what the failures mean', () => {
  it('no network, a broken connection and a failing proxy are "unreachable"; nothing else', () => {
    const all: TransportFailure[] = [
      'offline',
      'connection',
      'timeout',
      'proxy',
      'certificate',
      'redirect',
      'protocol',
      'unknown',
    ];
    expect(all.filter(meansUnreachable)).toEqual(['offline', 'connection', 'proxy']);
  });

  it('the transport codes are the ones a retry can cure', () => {
    expect([...TRANSPORT_ERROR_CODES].sort()).toEqual([
      'HTTP_TIMEOUT',
      'NETWORK_CERTIFICATE',
      'NETWORK_OFFLINE',
      'NETWORK_PROXY',
    ]);
  });
});
