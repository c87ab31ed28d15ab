import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { root } from '../../../scripts/build-state.mjs';
import { startHarness, type Harness } from '../support/harness';

let harness: Harness;
test.beforeAll(async () => {
  harness = await startHarness({ env: { LATCHKEY_OPENROUTER_URL: 'http://127.0.0.1:9' } });
});
test.afterAll(async () => {
  await harness.stop();
});

const ipc = (channel: string, headers: Record<string, string>, body = '') =>
  fetch(new URL(`/__harness/ipc/${channel}`, harness.url), { method: 'POST', headers, body });

test('serves the renderer with the CSP header and reports opened URLs as a JSON array', async () => {
  const page = await fetch(harness.url);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await harness.openedUrls()).toEqual([]);
});

test('IPC answers only the page’s own origin (the harness’s sender check)', async () => {
  const origin = new URL(harness.url).origin;
  const ok = await ipc('auth:get-states', { origin });
  expect(await ok.json()).toMatchObject({ ok: true });
  const foreign: Record<string, string>[] = [
    {},
    { origin: 'http://evil.example' },
    { origin: 'null' },
  ];
  for (const headers of foreign) {
    const refused = await ipc('auth:get-states', headers);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'IPC_FORBIDDEN_SENDER' } });
  }
  const invalid = await ipc('auth:sign-in', { origin }, '{"provider":"evil","route":"x"}');
  expect(await invalid.json()).toEqual({ ok: false, error: { code: 'IPC_INVALID_ARGUMENT' } });
});

test('a wrong Host header is refused (DNS rebinding)', async () => {
  const { port } = new URL(harness.url);
  const response = await new Promise<number>((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { host: `evil.example:${port}` } },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    }, reject);
  });
  expect(response).toBe(421);
});

test('junk delivered as a deep link is ignored without a state change', async () => {
  const origin = new URL(harness.url).origin;
  const before = await (await ipc('auth:get-states', { origin })).json();
  for (const junk of [
    '',
    'not a url',
    'app.latchkey.evil://oauth/openrouter/x?code=1',
    'x'.repeat(5000),
  ]) {
    expect(await harness.deliverDeepLink(junk)).toBe(204);
  }
  expect(await (await ipc('auth:get-states', { origin })).json()).toEqual(before);
});

test('a non-loopback http endpoint stops the harness with a sentence naming the variable', () => {
  const result = spawnSync(process.execPath, ['scripts/harness.mjs', '--port', '0'], {
    cwd: root,
    env: { ...process.env, LATCHKEY_OPENROUTER_URL: 'http://openrouter.example' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('LATCHKEY_OPENROUTER_URL must use https');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).not.toContain('harness ready');
});
