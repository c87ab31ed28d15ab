import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  _electron as electron,
  expect,
  test,
  type Browser,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import { findElectronBinary } from '../../../scripts/electron-binary.mjs';
import { root } from '../../../scripts/build-state.mjs';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { consentInBrowser } from '../support/consent';
import { tempDataDir } from '../support/harness';

const binary = findElectronBinary();
const LABEL = `Latchkey on ${hostname()}`;

test.skip(
  binary.path === null,
  `Electron E2E skipped: ${binary.path === null ? binary.reason : ''}`,
);
if (binary.path === null) {
  console.log(`[electron e2e] skipped: ${binary.reason}`);
}

let emulator: OpenRouterEmulator;
let app: ElectronApplication;
let userData: string;

let home: string;

/**
 * The app registers its dev scheme with the desktop on Linux (xdg-mime, a desktop entry): HOME
 * and the XDG folders point at a temporary home so a test run never touches the real ones.
 */
const env = () => ({
  ...process.env,
  HOME: home,
  XDG_DATA_HOME: join(home, '.local/share'),
  XDG_CONFIG_HOME: join(home, '.config'),
  LATCHKEY_OPENROUTER_URL: emulator.url,
  LATCHKEY_LOCALE: 'en',
  ELECTRON_ENABLE_LOGGING: '0',
});

async function launch(extraArgs: readonly string[] = []): Promise<ElectronApplication> {
  const launched = await electron.launch({
    executablePath: binary.path!,
    args: ['.', `--user-data-dir=${userData}`, ...extraArgs],
    cwd: root,
    env: env(),
  });
  // The OS browser is replaced by a list, as the harness does.
  await launched.evaluate(({ shell }) => {
    const opened: string[] = [];
    (globalThis as unknown as { opened: string[] }).opened = opened;
    shell.openExternal = async (url: string) => {
      opened.push(url);
    };
  });
  return launched;
}

test.beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
  userData = tempDataDir();
  home = tempDataDir();
  app = await launch();
});

test.afterEach(async () => {
  await app?.close();
  await emulator.close();
});

async function openedUrl(): Promise<string> {
  await expect
    .poll(() => app.evaluate(() => (globalThis as unknown as { opened: string[] }).opened.length))
    .toBeGreaterThan(0);
  return app.evaluate(() => (globalThis as unknown as { opened: string[] }).opened.at(-1)!);
}

test('sign in through second-instance argv', async ({ browser }) => {
  const window = await app.firstWindow();
  await window.getByRole('button', { name: 'Sign in with OpenRouter' }).click();
  const context = await browser.newContext();
  const redirect = await consentInBrowser(context, await openedUrl());
  await context.close();
  expect(redirect.startsWith('app.latchkey.dev://oauth/openrouter/')).toBe(true);

  // A second launch with Chromium switches before the link and the link last, as the OS does
  // on Windows/Linux (`Exec=… %U`, `"<exe>" "%1"`).
  const second = spawn(
    binary.path!,
    [
      '.',
      `--user-data-dir=${userData}`,
      '--allow-file-access-from-files',
      '--no-sandbox',
      redirect,
    ],
    { cwd: root, env: env(), stdio: 'ignore' },
  );
  await new Promise((resolve) => second.once('exit', resolve));
  await expect(window.getByRole('status')).toContainText('Signed in');
  await expect(window.getByRole('status')).toContainText(LABEL);
});

/** Clicks sign-in, approves in the browser and hands the link back as macOS does (open-url). */
async function signInThroughOpenUrl(window: Page, browser: Browser): Promise<void> {
  await window.getByRole('button', { name: 'Sign in with OpenRouter' }).click();
  const context = await browser.newContext();
  const redirect = await consentInBrowser(context, await openedUrl());
  await context.close();
  await app.evaluate(({ app: electronApp }, url) => {
    electronApp.emit('open-url', { preventDefault: () => undefined }, url);
  }, redirect);
  await expect(window.getByRole('status')).toContainText('Signed in');
}

test('sign in through open-url', async ({ browser }) => {
  await signInThroughOpenUrl(await app.firstWindow(), browser);
  expect(emulator.exchangeCount()).toBe(1);
});

test('Linux without a keyring: remember anyway keeps the key across a restart', async ({
  browser,
}) => {
  test.skip(process.platform !== 'linux', 'basic_text is a Linux password store');
  // Chromium's basic (hard-coded key) store, as on a desktop without a keyring.
  await app.close();
  app = await launch(['--password-store=basic']);
  const window = await app.firstWindow();
  await signInThroughOpenUrl(window, browser);
  await window.getByRole('button', { name: 'Remember on this device anyway' }).click();
  await expect(window.getByText(/remembered without encryption/)).toBeVisible();
  await app.close();

  app = await launch(['--password-store=basic']);
  const again = await app.firstWindow();
  await expect(again.getByRole('status')).toContainText('Signed in');
});
