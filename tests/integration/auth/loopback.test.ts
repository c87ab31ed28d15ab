import { request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { openLoopbackListener } from '../../../main/auth/loopback';

const PATH = '/oauth/openrouter/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';

/** A raw HTTP request, so method and Host can be anything. */
function raw(
  port: number,
  options: { method?: string; path?: string; host?: string },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? PATH,
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('loopback listener (security.md 8)', () => {
  it('binds 127.0.0.1 on a random port and answers GET on the exact path only', async () => {
    const onCallback = vi.fn(() => true);
    const listener = await openLoopbackListener({ path: PATH, timeoutMs: 10_000, onCallback });
    try {
      expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}${PATH}`);
      expect(listener.port).toBeGreaterThan(0);

      expect((await raw(listener.port, { method: 'POST' })).status).toBe(405);
      expect((await raw(listener.port, { path: '/oauth/openrouter/other' })).status).toBe(404);
      expect((await raw(listener.port, { path: `${PATH}/` })).status).toBe(404);
      expect((await raw(listener.port, { path: '/' })).status).toBe(404);
      expect((await raw(listener.port, { host: `localhost:${listener.port}` })).status).toBe(400);
      expect((await raw(listener.port, { host: 'evil.example' })).status).toBe(400);
      expect(onCallback).not.toHaveBeenCalled();

      const ok = await raw(listener.port, { path: `${PATH}?code=abc` });
      expect(ok.status).toBe(200);
      expect(ok.headers['cache-control']).toBe('no-store');
      expect(ok.headers['referrer-policy']).toBe('no-referrer');
      expect(ok.body).toContain('You can close this tab');
      expect(ok.body).not.toContain('abc');
      expect(onCallback).toHaveBeenCalledWith(`http://127.0.0.1:${listener.port}${PATH}?code=abc`);
    } finally {
      await listener.close();
    }
  });

  it('closes after the first accepted callback', async () => {
    const onClose = vi.fn();
    const listener = await openLoopbackListener({
      path: PATH,
      timeoutMs: 10_000,
      onCallback: () => true,
      onClose,
    });
    expect((await raw(listener.port, { path: `${PATH}?code=1` })).status).toBe(200);
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    await expect(raw(listener.port, { path: `${PATH}?code=2` })).rejects.toThrow();
  });

  it('stays open after a rejected callback', async () => {
    let accept = false;
    const listener = await openLoopbackListener({
      path: PATH,
      timeoutMs: 10_000,
      onCallback: () => accept,
    });
    try {
      expect((await raw(listener.port, { path: `${PATH}?code=%0A` })).status).toBe(400);
      accept = true;
      expect((await raw(listener.port, { path: `${PATH}?code=ok` })).status).toBe(200);
    } finally {
      await listener.close();
    }
  });

  it('closes by itself after the timeout', async () => {
    const onClose = vi.fn();
    const listener = await openLoopbackListener({
      path: PATH,
      timeoutMs: 100,
      onCallback: () => true,
      onClose,
    });
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    await expect(raw(listener.port, {})).rejects.toThrow();
  });
});
