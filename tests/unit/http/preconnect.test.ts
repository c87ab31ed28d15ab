import { describe, expect, it, vi } from 'vitest';
import { fetchPreconnect, sessionPreconnect } from '../../../main/http/preconnect';
import type { FetchLike } from '../../../main/http/request';

describe('fetchPreconnect', () => {
  it('sends two OPTIONS of the origin root, the second with {}: no cookies, cache or redirects', async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const cancel = vi.fn(async () => undefined);
    const fetchFn: FetchLike = async (input, init) => {
      calls.push([String(input), init]);
      return { body: { cancel } } as unknown as Response;
    };
    fetchPreconnect(fetchFn)(new URL('https://openrouter.ai/api/v1/auth/keys?x=1'));
    // Both at once: the first (no body) is the connection the pool keeps and hands on.
    expect(calls.map(([url]) => url)).toEqual(['https://openrouter.ai/', 'https://openrouter.ai/']);
    for (const [, init] of calls) {
      expect(init).toMatchObject({
        method: 'OPTIONS',
        redirect: 'manual',
        credentials: 'omit',
        cache: 'no-store',
      });
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    }
    const [plain, withBody] = calls.map(([, init]) => init);
    expect(plain?.body).toBeUndefined();
    expect(plain?.headers).toBeUndefined();
    expect(withBody?.body).toBe('{}');
    expect(withBody?.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.stringify(calls)).not.toMatch(/authorization|cookie/i);
    await vi.waitFor(() => expect(cancel).toHaveBeenCalledTimes(2));
  });

  it('swallows a rejected and a throwing fetch', async () => {
    const rejected = vi.fn<FetchLike>(() => Promise.reject(new TypeError('fetch failed')));
    expect(() => fetchPreconnect(rejected)(new URL('https://a.example'))).not.toThrow();
    const throwing = vi.fn<FetchLike>(() => {
      throw new Error('sync');
    });
    expect(() => fetchPreconnect(throwing)(new URL('https://a.example'))).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejected).toHaveBeenCalledTimes(2);
    expect(throwing).toHaveBeenCalledTimes(2);
  });
});

describe('sessionPreconnect', () => {
  it('asks the session for one socket to the origin only', () => {
    const preconnect = vi.fn();
    sessionPreconnect({ preconnect })(new URL('https://openrouter.ai/auth?callback_url=x'));
    expect(preconnect).toHaveBeenCalledWith({ url: 'https://openrouter.ai', numSockets: 1 });
  });

  it('never throws when the session refuses', () => {
    const refuse = sessionPreconnect({
      preconnect: () => {
        throw new Error('bad url');
      },
    });
    expect(() => refuse(new URL('https://openrouter.ai'))).not.toThrow();
  });
});
