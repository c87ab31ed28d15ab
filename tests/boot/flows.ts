/**
 * Sign-in steps the boot tests share: start through the IPC handler (as the button does), the
 * user's consent at the emulator (as their browser would), and the callback link handed back
 * the way the OS does.
 */
import type { ProviderState } from '../../preload/api';
import type { BootedApp } from './boot';
import type { CallRecord } from './double-protocol';

/** The development build's callback scheme (README, "Sign-in, in short"). */
export const DEV_SCHEME = 'app.latchkey.dev';

/**
 * A second launch's argv as Windows hands it to the first instance: the executable, Chromium's
 * own switches first, the link last. docs/api/app.md:476-506 (`second-instance`: "Extra command
 * line arguments might be added by Chromium, such as `--original-process-start-time`").
 */
export function windowsArgv(link: string): string[] {
  return [
    'C:\\Program Files\\Latchkey\\Latchkey.exe',
    '--allow-file-access-from-files',
    '--original-process-start-time=13380468754319321',
    link,
  ];
}

/** A second launch's argv on Linux: the executable, a Chromium switch, the link. */
export function linuxArgv(link: string): string[] {
  return ['/opt/Latchkey/latchkey', '--ozone-platform-hint=auto', link];
}

/**
 * Starts an OpenRouter sign-in through `auth:sign-in` (preload/api.ts, `signIn(provider,
 * route)`); resolves with the authorization URL the app handed to `shell.openExternal`.
 */
export async function startSignIn(app: BootedApp): Promise<URL> {
  const before = app.calls('shell.openExternal').length;
  const state = await app.call('auth:sign-in', { provider: 'openrouter', route: 'deep-link' });
  if (state.auth.status !== 'signing-in') {
    throw new Error(`auth:sign-in answered ${JSON.stringify(state.auth)}`);
  }
  const opened = await app.until(
    () => app.calls('shell.openExternal')[before],
    'shell.openExternal',
  );
  return new URL(String(opened.data['url']));
}

/**
 * What the user's browser does at the emulator's consent page (tests/fixtures/obtain-key.ts):
 * GET the page, POST its session to /auth/approve; resolves with the redirect — the callback link
 * with `?code`.
 */
export async function approveInBrowser(authorizationUrl: URL): Promise<string> {
  const page = await (await fetch(authorizationUrl)).text();
  const session = /name="session" value="([^"]+)"/.exec(page)?.[1];
  if (!session) throw new Error(`no consent session on the page: ${page.slice(0, 300)}`);
  const approve = await fetch(new URL('/auth/approve', authorizationUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
  const location = approve.headers.get('location');
  if (!location) throw new Error(`consent answered ${approve.status} without a Location`);
  return location;
}

/** The `auth:state` payload of a `webContents.send` record. */
export function providerState(record: CallRecord): ProviderState {
  return record.data['payload'] as ProviderState;
}

/** Waits for an `auth:state` event saying OpenRouter is signed in. */
export function signedInEvent(app: BootedApp): Promise<CallRecord> {
  return app.until(
    () =>
      app.sent('auth:state').find((r) => {
        const state = providerState(r);
        return state.provider === 'openrouter' && state.auth.status === 'signed-in';
      }),
    'an auth:state event saying signed in',
  );
}

/**
 * The whole sign-in: start, consent, the link delivered by `second-instance` with the argv of
 * the app's platform; resolves with the signed-in event.
 */
export async function signIn(app: BootedApp): Promise<CallRecord> {
  const authorizationUrl = await startSignIn(app);
  const link = await approveInBrowser(authorizationUrl);
  const windows = app.config.platform === 'win32';
  await app.appEmit(
    'second-instance',
    windows ? windowsArgv(link) : linuxArgv(link),
    windows ? 'C:\\Users\\someone' : '/home/someone',
    {},
  );
  return signedInEvent(app);
}

/** The app's OpenRouter state as `auth:get-states` answers it now. */
export async function openRouterState(app: BootedApp): Promise<ProviderState> {
  const states = await app.call('auth:get-states', undefined);
  const state = states.find((s) => s.provider === 'openrouter');
  if (!state) throw new Error('no openrouter state');
  return state;
}
