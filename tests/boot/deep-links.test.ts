/**
 * Boot test of `out/main/index.js` (issue 9): sign-in end to end through the built bundle — the
 * IPC handler, the user's browser (the OpenRouter emulator), the OS handing the callback link
 * back (`second-instance`, cold-start argv, macOS `open-url`) — and what the app does to the
 * network on the way (`net.fetch`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, type ExpectStatic } from 'vitest';
import type { BootedApp } from './boot';
import { test } from './boot-test';
import {
  approveInBrowser,
  DEV_SCHEME,
  providerState,
  signedInEvent,
  startSignIn,
  windowsArgv,
} from './flows';

/** A well-formed OpenRouter callback for an attempt this process never started. */
const STALE_LINK = `${DEV_SCHEME}://oauth/openrouter/${'A'.repeat(43)}?code=stale-code`;

/** Long enough for anything the app would do at once to have happened and been recorded. */
async function settle(app: BootedApp): Promise<void> {
  await sleep(300);
  await app.state();
}

function ignoredCallbacks(app: BootedApp) {
  return app.logEvents().filter((e) => e.event === 'auth.callback.ignored');
}

/**
 * Lets the page finish loading, then checks what was held until then: the live link's exchange
 * (one, signed in), the stale link refused only after the load, and nothing sent to the page
 * before it loaded. Returns the stale link's log record.
 */
async function loadThenExchange(
  app: BootedApp,
  windowId: number,
  emulator: { exchangeCount(): number },
  expect: ExpectStatic,
) {
  await app.finishLoad(windowId);
  await signedInEvent(app);
  expect(emulator.exchangeCount()).toBe(1);
  const loadedAt = app.calls('webContents.did-finish-load')[0]!.seq;
  const ignored = ignoredCallbacks(app);
  expect(ignored).toHaveLength(1);
  expect(ignored[0]!.seq).toBeGreaterThan(loadedAt);
  expect(app.sent().filter((r) => r.seq < loadedAt || r.data['loaded'] !== true)).toEqual([]);
  return ignored[0]!;
}

describe.concurrent('a Windows development build', () => {
  test('signs in: IPC → the user’s browser → second-instance argv → exchange → signed in', async ({
    boot,
    expect,
    openrouter: { emulator, proxy, env },
  }) => {
    const app = await boot({ platform: 'win32', env });
    await app.ready();
    const windowId = await app.mainWindow();
    await app.finishLoad(windowId);

    const authorizationUrl = await startSignIn(app);
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${proxy.url}/auth`);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = authorizationUrl.searchParams.get('callback_url') ?? '';
    expect(callback.startsWith(`${DEV_SCHEME}://oauth/openrouter/`)).toBe(true);
    // The sign-in warms the provider's origin in the default session, whose sockets net.fetch uses.
    expect(app.calls('session.preconnect').map((r) => r.data)).toEqual([
      { url: authorizationUrl.origin, numSockets: 1 },
    ]);

    const link = await approveInBrowser(authorizationUrl);
    expect(link.startsWith(`${callback}?code=`)).toBe(true);
    const focused = app.calls('BrowserWindow.focus').length;
    await app.appEmit('second-instance', windowsArgv(link), 'C:\\Users\\someone', {});

    const signedIn = await signedInEvent(app);
    expect(emulator.exchangeCount()).toBe(1);
    expect(signedIn.data['loaded']).toBe(true);
    expect(providerState(signedIn).auth).toMatchObject({ status: 'signed-in' });
    // The second launch brings the window forward (docs/api/app.md, `second-instance`).
    expect(app.calls('BrowserWindow.focus').length).toBeGreaterThan(focused);

    // The account is fetched in the background: a request after the exchange's Set-Cookie.
    await app.waitFor('net.fetch', (r) => String(r.data['url']).endsWith('/api/v1/key'));
    await app.until(
      () => emulator.requests.some((r) => r.path === '/api/v1/key'),
      'the account request at the emulator',
    );
    const fetches = app.calls('net.fetch');
    expect(fetches.map((r) => new URL(String(r.data['url'])).pathname)).toEqual(
      expect.arrayContaining(['/api/v1/auth/keys', '/api/v1/key']),
    );
    for (const fetched of fetches) {
      expect(fetched.data['effective']).toMatchObject({ credentials: 'omit', cache: 'no-store' });
      expect(fetched.data['sentCookie']).toBeNull();
    }
    // Every answer set a cookie, yet none came back and the session's jar stayed empty.
    expect(proxy.cookiesSet()).toBeGreaterThanOrEqual(fetches.length);
    expect(proxy.seen.filter((r) => r.cookie !== undefined)).toEqual([]);
    expect(emulator.requests.filter((r) => r.headers['cookie'] !== undefined)).toEqual([]);
    expect((await app.state()).cookies).toEqual({});
  });
});

describe.concurrent('network failures', () => {
  test('reach the app as Electron’s errors (net::ERR_…, the redirect refusal) and are reported', async ({
    boot,
    expect,
    openrouter: { emulator, env },
  }) => {
    const app = await boot({ platform: 'win32', env });
    await app.ready();
    await app.finishLoad(await app.mainWindow());
    const cases = [
      {
        fault: { kind: 'redirect', location: 'https://example.com/' },
        message: "Attempted to redirect, but redirect policy was 'error'",
        code: 'HTTP_BAD_RESPONSE',
      },
      { fault: { kind: 'reset' }, message: 'net::ERR_EMPTY_RESPONSE', code: 'NETWORK_OFFLINE' },
    ] as const;
    for (const { fault, message, code } of cases) {
      const link = await approveInBrowser(await startSignIn(app));
      emulator.injectFault('/api/v1/auth/keys', fault);
      const before = app.calls('net.fetch.rejected').length;
      await app.appEmit('second-instance', windowsArgv(link), 'C:\\Users\\someone', {});
      const rejected = await app.until(
        () => app.calls('net.fetch.rejected')[before],
        `the exchange to fail (${fault.kind})`,
      );
      expect(rejected.data['error']).toEqual({ name: 'Error', message });
      const reported = await app.until(
        () =>
          app
            .sent('auth:state')
            .find((r) => r.seq > rejected.seq && providerState(r).error?.code === code),
        `an auth:state event with ${code}`,
      );
      expect(providerState(reported).auth.status).not.toBe('signed-in');
    }
    // Faults are answered instead of the exchange: no code was ever exchanged.
    expect(emulator.exchangeCount()).toBe(0);
    expect(app.running).toBe(true);
  });
});

describe.concurrent('links that arrive before the page has loaded', () => {
  test('Linux cold start and a live link while loading: held until did-finish-load, nothing sent before', async ({
    boot,
    expect,
    openrouter: { emulator, env },
  }) => {
    // The OS starts the app with the link among Chromium's switches (security.md 5).
    const app = await boot({ env, argv: ['--enable-logging', STALE_LINK, '--no-zygote'] });
    await app.ready();
    const windowId = await app.mainWindow();

    // While the page loads, its preload can already invoke: a sign-in starts and the browser
    // hands the callback back through a second launch.
    const authorizationUrl = await startSignIn(app);
    const link = await approveInBrowser(authorizationUrl);
    await app.appEmit('second-instance', ['/opt/Latchkey/latchkey', link], '/home/someone', {});
    await settle(app);
    expect(emulator.exchangeCount()).toBe(0);
    expect(ignoredCallbacks(app)).toEqual([]);
    expect(app.sent()).toEqual([]);

    // The cold-start link is handled — and refused, since no attempt of this process has its
    // nonce — only after the page loaded.
    const ignored = await loadThenExchange(app, windowId, emulator, expect);
    expect(ignored.fields).toMatchObject({ source: 'os', provider: 'openrouter' });
    expect(app.running).toBe(true);
  });

  test('macOS open-url before ready: taken with preventDefault, handled once the page loaded', async ({
    boot,
    expect,
    openrouter: { emulator, env },
  }) => {
    const app = await boot({ platform: 'darwin', env });
    const emitted = await app.appEmit('open-url', STALE_LINK);
    expect(emitted.defaultPrevented).toBe(true);
    const listening = app.calls('app.on', (r) => r.data['event'] === 'open-url');
    expect(listening).toHaveLength(1);
    expect(listening[0]!.ready).toBe(false);

    await app.ready();
    const windowId = await app.mainWindow();
    // A link for the live attempt, while the page is still loading.
    const authorizationUrl = await startSignIn(app);
    const link = await approveInBrowser(authorizationUrl);
    expect((await app.appEmit('open-url', link)).defaultPrevented).toBe(true);
    await settle(app);
    expect(ignoredCallbacks(app)).toEqual([]);
    expect(emulator.exchangeCount()).toBe(0);
    expect(app.sent()).toEqual([]);

    await loadThenExchange(app, windowId, emulator, expect);
  });
});
