import { describe, expect, it } from 'vitest';
import type { Connectivity } from '../../../preload/api';
import { ConnectivityTracker } from '../../../main/connectivity';
import type { FetchLike } from '../../../main/http/request';

const URL_ = 'https://openrouter.ai/api/v1/models';

function rig() {
  const changes: Connectivity[] = [];
  let t = 0;
  const tracker = new ConnectivityTracker({ onChange: (s) => changes.push(s), now: () => ++t });
  return { tracker, changes };
}

const failing =
  (error: unknown): FetchLike =>
  () =>
    Promise.reject(error);
const answering: FetchLike = async () => new Response('{}', { status: 503 });

describe('ConnectivityTracker with what net.fetch rejects with', () => {
  it.each([
    'net::ERR_INTERNET_DISCONNECTED',
    'net::ERR_NAME_NOT_RESOLVED',
    'net::ERR_ADDRESS_UNREACHABLE',
    'net::ERR_CONNECTION_REFUSED',
    'net::ERR_CONNECTION_RESET',
    'net::ERR_NETWORK_CHANGED',
    'net::ERR_PROXY_CONNECTION_FAILED',
    'net::ERR_TUNNEL_CONNECTION_FAILED',
    'net::ERR_MANDATORY_PROXY_CONFIGURATION_FAILED',
  ])('%s: offline, then online again on the next answer', async (message) => {
    const { tracker, changes } = rig();
    const error = new Error(message);
    await expect(tracker.wrap(failing(error))(URL_)).rejects.toBe(error);
    expect(tracker.state.online).toBe(false);
    await tracker.wrap(answering)(URL_);
    expect(tracker.state.online).toBe(true);
    expect(changes.map((c) => c.online)).toEqual([false, true]);
  });

  it.each([
    'net::ERR_CERT_AUTHORITY_INVALID',
    'net::ERR_SSL_PROTOCOL_ERROR',
    'net::ERR_TIMED_OUT',
    'net::ERR_CONNECTION_TIMED_OUT',
    'net::ERR_UNSAFE_REDIRECT',
    'net::ERR_INVALID_HTTP_RESPONSE',
    'net::ERR_FAILED',
    "Attempted to redirect, but redirect policy was 'error'",
  ])('%s says nothing about the network', async (message) => {
    const { tracker, changes } = rig();
    await expect(tracker.wrap(failing(new Error(message)))(URL_)).rejects.toThrow(message);
    expect(tracker.state.online).toBe(true);
    expect(changes).toEqual([]);
  });

  it('a failure after our own abort says nothing (net::ERR_ABORTED included)', async () => {
    const { tracker, changes } = rig();
    const controller = new AbortController();
    controller.abort();
    for (const message of ['net::ERR_ABORTED', 'net::ERR_CONNECTION_RESET']) {
      await expect(
        tracker.wrap(failing(new Error(message)))(URL_, { signal: controller.signal }),
      ).rejects.toThrow(message);
    }
    expect(changes).toEqual([]);
  });

  it("still reads Node's fetch: TypeError with cause codes", async () => {
    const { tracker, changes } = rig();
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
        code: 'ECONNREFUSED',
      }),
    });
    await expect(tracker.wrap(failing(refused))(URL_)).rejects.toBe(refused);
    expect(tracker.state.online).toBe(false);
    await tracker.wrap(answering)(URL_);
    const expired = new TypeError('fetch failed', {
      cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
    });
    await expect(tracker.wrap(failing(expired))(URL_)).rejects.toBe(expired);
    const redirect = new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    await expect(tracker.wrap(failing(redirect))(URL_)).rejects.toBe(redirect);
    expect(changes.map((c) => c.online)).toEqual([false, true]);
  });
});

describe('ConnectivityTracker seq', () => {
  it('starts at 0 and grows by one with every observation, changed or not', async () => {
    const { tracker, changes } = rig();
    expect(tracker.state).toMatchObject({ online: true, seq: 0 });
    await tracker.wrap(answering)(URL_);
    await tracker.wrap(answering)(URL_);
    expect(tracker.state).toMatchObject({ online: true, seq: 2 });
    const offline = new Error('net::ERR_INTERNET_DISCONNECTED');
    await expect(tracker.wrap(failing(offline))(URL_)).rejects.toBe(offline);
    await expect(tracker.wrap(failing(offline))(URL_)).rejects.toBe(offline);
    expect(tracker.state).toMatchObject({ online: false, seq: 4 });
    tracker.report(true);
    expect(tracker.state).toMatchObject({ online: true, seq: 5 });
    // Events carry the seq of the observation that changed `online`.
    expect(changes.map(({ online, seq }) => ({ online, seq }))).toEqual([
      { online: false, seq: 3 },
      { online: true, seq: 5 },
    ]);
  });

  it('orders observations the clock cannot: same millisecond, clock set back', () => {
    const times = [1_000, 1_000, 1_000, 500];
    const tracker = new ConnectivityTracker({
      onChange: () => undefined,
      now: () => times.shift()!,
    });
    tracker.report(false);
    const first = tracker.state;
    tracker.report(true);
    const second = tracker.state;
    tracker.report(true);
    const third = tracker.state;
    expect([first.checkedAt, second.checkedAt, third.checkedAt]).toEqual([1_000, 1_000, 500]);
    expect(first.seq).toBeLessThan(second.seq);
    expect(second.seq).toBeLessThan(third.seq);
  });

  it('says nothing, and keeps its seq, for failures that say nothing about the network', async () => {
    const { tracker } = rig();
    await expect(
      tracker.wrap(failing(new Error('net::ERR_CERT_AUTHORITY_INVALID')))(URL_),
    ).rejects.toThrow();
    expect(tracker.state.seq).toBe(0);
  });
});
