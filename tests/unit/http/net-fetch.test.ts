import { describe, expect, it } from 'vitest';
import { fromNetFetch } from '../../../main/http/net-fetch';

function recorder(answer: () => Promise<Response> = async () => new Response('ok')) {
  const calls: { input: unknown; init: RequestInit | undefined }[] = [];
  const netFetch = (input: string, init?: RequestInit) => {
    calls.push({ input, init });
    return answer();
  };
  return { calls, fetch: fromNetFetch(netFetch) };
}

describe('fromNetFetch', () => {
  it("passes a URL as a string, with credentials: 'omit' and cache: 'no-store'", async () => {
    const r = recorder();
    await r.fetch(new URL('https://openrouter.ai/api/v1/key?x=1'));
    await r.fetch('https://openrouter.ai/api/v1/models');
    expect(r.calls).toEqual([
      {
        input: 'https://openrouter.ai/api/v1/key?x=1',
        init: { credentials: 'omit', cache: 'no-store' },
      },
      {
        input: 'https://openrouter.ai/api/v1/models',
        init: { credentials: 'omit', cache: 'no-store' },
      },
    ]);
  });

  it('overrides what the caller asked for, and passes everything else unchanged', async () => {
    const r = recorder();
    const signal = new AbortController().signal;
    const headers = { authorization: 'Bearer t' };
    await r.fetch('https://gateway.example/v1/chat/completions', {
      method: 'POST',
      headers,
      body: '{}',
      redirect: 'error',
      signal,
      credentials: 'include',
      cache: 'force-cache',
    });
    const init = r.calls[0]?.init;
    expect(init).toEqual({
      method: 'POST',
      headers,
      body: '{}',
      redirect: 'error',
      signal,
      credentials: 'omit',
      cache: 'no-store',
    });
    expect(init?.signal).toBe(signal);
    expect(init?.headers).toBe(headers);
  });

  it("returns net.fetch's response and rejection as they are", async () => {
    const response = new Response('hi');
    expect(await recorder(async () => response).fetch('https://a.example/')).toBe(response);
    const failure = new Error('net::ERR_PROXY_CONNECTION_FAILED');
    await expect(recorder(() => Promise.reject(failure)).fetch('https://a.example/')).rejects.toBe(
      failure,
    );
  });
});
