import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
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

const env = () => ({
  ...process.env,
  LATCHKEY_OPENROUTER_URL: emulator.url,
  LATCHKEY_LOCALE: 'en',
  ELECTRON_ENABLE_LOGGING: '0',
});

test.beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
  userData = tempDataDir();
  app = await electron.launch({
    executablePath: binary.path!,
    args: ['.', `--user-data-dir=${userData}`],
    cwd: root,
    env: env(),
  });
  // The OS browser is replaced by a list, as the harness does.
  await app.evaluate(({ shell }) => {
    const opened: string[] = [];
    (globalThis as unknown as { opened: string[] }).opened = opened;
    shell.openExternal = async (url: string) => {
      opened.push(url);
    };
  });
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

  // A second launch with the link among Chromium switches, as the OS does on Windows/Linux.
  const second = spawn(
    binary.path!,
    [
      '.',
      `--user-data-dir=${userData}`,
      '--allow-file-access-from-files',
      redirect,
      '--no-sandbox',
    ],
    { cwd: root, env: env(), stdio: 'ignore' },
  );
  await new Promise((resolve) => second.once('exit', resolve));
  await expect(window.getByRole('status')).toContainText('Signed in');
  await expect(window.getByRole('status')).toContainText(LABEL);
});

test('sign in through open-url', async ({ browser }) => {
  const window = await app.firstWindow();
  await window.getByRole('button', { name: 'Sign in with OpenRouter' }).click();
  const context = await browser.newContext();
  const redirect = await consentInBrowser(context, await openedUrl());
  await context.close();
  await app.evaluate(({ app: electronApp }, url) => {
    electronApp.emit('open-url', { preventDefault: () => undefined }, url);
  }, redirect);
  await expect(window.getByRole('status')).toContainText('Signed in');
  expect(emulator.exchangeCount()).toBe(1);
});
