/**
 * Boot test of `out/main/index.js` (issue 9): the window, the IPC surface and the `app://`
 * protocol as the built bundle sets them up, observed through the Electron double.
 * Needs `npm run build` first (npm test runs it before test:built).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/window/csp';
import { INVOKE_CHANNELS, PROVIDER_IDS, type Connectivity } from '../../preload/api';
import { bootApp, closeApps, ROOT, type BootedApp } from './boot';
import { test } from './boot-test';
import type { NavigationAnswer, PermissionAnswer, ProtocolResponse } from './double-protocol';
import { openRouterState, providerState, signIn } from './flows';

/** What security.md 18 requires of every window. */
const HARDENED = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
};

describe('a Linux development build, booted to a loaded window', () => {
  let app: BootedApp;
  let windowId: number;

  beforeAll(async () => {
    app = await bootApp();
    await app.ready();
    windowId = await app.mainWindow();
    await app.finishLoad(windowId);
  });
  afterAll(() => closeApps([app]));

  it('opens one window with the hardened webPreferences, after app.enableSandbox() before ready', () => {
    const created = app.calls('BrowserWindow.new');
    expect(created).toHaveLength(1);
    const options = created[0]!.data['options'] as { webPreferences: Record<string, unknown> };
    expect(options.webPreferences).toMatchObject(HARDENED);
    const preload = String(options.webPreferences['preload']);
    expect(preload).toBe(join(ROOT, 'out', 'preload', 'index.cjs'));
    expect(existsSync(preload)).toBe(true);

    const sandbox = app.calls('app.enableSandbox');
    expect(sandbox).toHaveLength(1);
    expect(sandbox[0]!.ready).toBe(false);
    expect(sandbox[0]!.seq).toBeLessThan(app.calls('app.ready')[0]!.seq);
    // The page comes from app://, never file:// (security.md 19).
    expect(app.calls('webContents.loadURL').map((r) => r.data['url'])).toEqual([
      'app://latchkey/index.html',
    ]);
  });

  it('registers exactly the IPC channels of the contract, and removes electron-store’s listener', async () => {
    const state = await app.state();
    expect([...state.ipcHandlers].sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(app.calls('ipcMain.handle')).toHaveLength(INVOKE_CHANNELS.length);
    // electron-store 12 adds an unchecked sync listener in its constructor (README, security.md 20)…
    expect(
      app.calls('ipcMain.on', (r) => r.data['channel'] === 'electron-store-get-data'),
    ).toHaveLength(1);
    // …and nothing but Electron's own `error` listener is left.
    expect(state.ipcListeners).toEqual(['error']);
  });

  it('answers IPC only from its own page in the window’s top frame', async () => {
    const info = await app.invoke('app:get-info', undefined);
    expect(info.ok).toBe(true);
    for (const sender of ['foreign-origin', 'subframe', 'other-contents'] as const) {
      expect(await app.invoke('app:get-info', undefined, sender)).toEqual({
        ok: false,
        error: { code: 'IPC_FORBIDDEN_SENDER' },
      });
      // A forged caller reaches no handler: nothing is opened.
      await app.invoke('shell:open-external', { url: 'https://example.com/' }, sender);
    }
    expect(app.calls('shell.openExternal')).toEqual([]);
  });

  it('serves the renderer on app://latchkey with the CSP header, and nothing else', async () => {
    const privileged = app.calls('protocol.registerSchemesAsPrivileged');
    expect(privileged).toHaveLength(1);
    expect(privileged[0]!.ready).toBe(false);
    expect(privileged[0]!.data['schemes']).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);

    const get = async (url: string) =>
      (await app.send({ cmd: 'protocol-request', url })) as ProtocolResponse;
    const indexHtml = readFileSync(join(ROOT, 'out', 'renderer', 'index.html'), 'utf8');
    for (const url of ['app://latchkey/index.html', 'app://latchkey/']) {
      const page = await get(url);
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toBe(indexHtml);
    }
    // out/main/index.js exists next to out/renderer: a traversal that worked would serve it.
    for (const url of [
      'app://latchkey/..%2fmain%2findex.js',
      'app://latchkey/%2e%2e%2fmain%2findex.js',
      'app://latchkey/assets/..%2f..%2fmain%2findex.js',
      'app://evil/index.html',
      'app://latchkey.evil/index.html',
      'app://latchkey/no-such-file.js',
    ]) {
      expect({ url, status: (await get(url)).status }).toEqual({ url, status: 404 });
    }
  });

  it('denies window.open, navigation away from app://, and every permission request', async () => {
    const away = (await app.send({
      cmd: 'navigation',
      windowId,
      url: 'https://evil.example/',
    })) as NavigationAnswer;
    expect(away).toEqual({ windowOpen: 'deny', navigationPrevented: true });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      const answer = (await app.send({ cmd: 'permission', permission })) as PermissionAnswer;
      expect({ permission, ...answer }).toEqual({
        permission,
        requestGranted: false,
        checkGranted: false,
      });
    }
  });
});

describe('a second instance', () => {
  test('quits before doing anything when another instance holds the lock', async ({ boot }) => {
    const app = await boot({ singleInstanceLock: false });
    const exit = await app.waitForExit();
    expect(exit.code).toBe(0);
    expect(app.calls('app.quit')).toHaveLength(1);
    expect(app.calls('BrowserWindow.new')).toEqual([]);
    expect(app.calls('ipcMain.handle')).toEqual([]);
    expect(app.calls('protocol.handle')).toEqual([]);
    expect(app.calls('app.setAsDefaultProtocolClient')).toEqual([]);
    expect(existsSync(join(app.home, '.local', 'share', 'applications'))).toBe(false);
  });
});

describe('a second app on the same data folder', () => {
  test('is refused with a message naming the folder, and touches nothing', async ({ boot }) => {
    const home = mkdtempSync(join(tmpdir(), 'latchkey-boot-'));
    try {
      // Electron's own lock is per build; another build (dev and packaged) passes it, so the
      // data-dir lock is what stops it.
      const first = await boot({ home });
      await first.ready();
      await first.finishLoad(await first.mainWindow());
      const second = await boot({ home });
      const exit = await second.waitForExit();
      expect(exit.code).toBe(1);
      const [shown] = second.calls('dialog.showErrorBox');
      expect(String(shown?.data['content'])).toMatch(
        /^Another Latchkey is using .+ \(pid \d+\)\. Close it first\.$/,
      );
      expect(second.calls('BrowserWindow.new')).toEqual([]);
      expect(second.calls('ipcMain.handle')).toEqual([]);
      expect(second.calls('protocol.handle')).toEqual([]);
      // The first app is unaffected and still holds its folder.
      expect(first.calls('app.exit')).toEqual([]);
      await first.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('a page that loads after its states changed', () => {
  test('is sent every state once loaded: a key revoked while it loaded does not stay signed in', async ({
    boot,
    expect,
    openrouter: { emulator, proxy, env },
  }) => {
    const home = mkdtempSync(join(tmpdir(), 'latchkey-boot-'));
    try {
      // A first run signs in and stores the key.
      const first = await boot({ home, env });
      await first.ready();
      await first.finishLoad(await first.mainWindow());
      await signIn(first);
      const credentials = join((await first.state()).paths.userData, 'credentials.json');
      await first.until(
        () => existsSync(credentials) && readFileSync(credentials, 'utf8').includes('openrouter'),
        'the stored key',
      );
      await first.close();
      emulator.revokeKey(emulator.issuedKeys()[0]!);

      // The next start is signed in from disk and asks about the key in the background; the
      // page, still loading, asks for the states before the answer (held back) comes.
      const release = proxy.hold('/api/v1/key');
      const app = await boot({ home, env });
      await app.ready();
      const windowId = await app.mainWindow();
      const asked = await openRouterState(app);
      expect(asked.auth.status).toBe('signed-in');
      release();
      await app.until(
        () =>
          app
            .logEvents()
            .find((e) => e.event === 'auth.signed-out' && e.fields['reason'] === 'revoked'),
        'the revoked key to sign out',
      );
      expect(app.sent()).toEqual([]);

      await app.finishLoad(windowId);
      const loadedAt = app.calls('webContents.did-finish-load')[0]!.seq;
      const sent = app.sent().filter((r) => r.seq > loadedAt && r.data['loaded'] === true);
      const states = sent.filter((r) => r.data['channel'] === 'auth:state').map(providerState);
      expect(states.map((s) => s.provider)).toEqual([...PROVIDER_IDS]);
      const now = await app.call('auth:get-states', undefined);
      expect(states).toEqual(now);
      const revoked = states.find((s) => s.provider === 'openrouter')!;
      expect(revoked.auth).toEqual({ status: 'signed-out', reason: 'revoked' });
      expect(revoked.revision).toBeGreaterThan(asked.revision);
      const connectivity = sent.filter((r) => r.data['channel'] === 'app:connectivity');
      expect(connectivity.map((r) => r.data['payload'] as Connectivity)).toEqual([
        (await app.call('app:get-info', undefined)).connectivity,
      ]);
      expect(app.sent().filter((r) => r.seq < loadedAt)).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
