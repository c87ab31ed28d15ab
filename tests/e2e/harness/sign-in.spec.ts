import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { consentInBrowser } from '../support/consent';
import { tempDataDir, type Harness } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';

const LABEL = `Latchkey on ${hostname()}`;

const rig = useEmulatorAndHarness();
const launch = rig.launch;

const status = (page: Page) => page.getByRole('status').filter({ hasText: /sign/i }).first();

async function clickSignIn(page: Page, harness: Harness): Promise<string> {
  const before = (await harness.openedUrls()).length;
  await page.getByRole('button', { name: 'Sign in with OpenRouter' }).click();
  return harness.nextOpenedUrl(before);
}

/** Every file under `dir`; a temporary file renamed away meanwhile (atomic writes) is skipped. */
function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? allFiles(path) : [path];
  });
}

/** The file's bytes, or none when it was renamed away since it was listed. */
function readIfThere(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

test('deep link: sign in, approve in the browser, come back signed in; a replay exchanges nothing', async ({
  page,
  context,
}) => {
  const harness = await launch();
  await page.goto(harness.url);
  await expect(status(page)).toContainText('Signed out');

  const authorizationUrl = await clickSignIn(page, harness);
  const parsed = new URL(authorizationUrl);
  expect(parsed.origin).toBe(rig.emulator.url);
  expect(parsed.searchParams.get('code_challenge_method')).toBe('S256');
  expect(parsed.searchParams.get('key_label')).toBe(LABEL);
  await expect(page.getByRole('button', { name: 'Cancel sign-in' })).toBeVisible();

  const redirect = await consentInBrowser(context, authorizationUrl);
  expect(redirect).toMatch(/^app\.latchkey\.dev:\/\/oauth\/openrouter\/[\w-]{43}\?code=/);
  expect(await harness.deliverDeepLink(redirect)).toBe(204);

  await expect(status(page)).toContainText('Signed in');
  await expect(status(page)).toContainText(LABEL);
  expect(rig.emulator.exchangeCount()).toBe(1);

  expect(await harness.deliverDeepLink(redirect)).toBe(204);
  await page.waitForTimeout(300);
  expect(rig.emulator.exchangeCount()).toBe(1);
  await expect(status(page)).toContainText('Signed in');

  const [key] = rig.emulator.issuedKeys();
  expect(key).toBeTruthy();
  expect(harness.output()).not.toContain(key);
  expect(await page.content()).not.toContain(key);
  for (const file of allFiles(harness.dataDir)) {
    expect(readIfThere(file).includes(key!), file).toBe(false);
  }
});

test('paste: the full redirected URL completes the sign-in', async ({ page, context }) => {
  const harness = await launch();
  await page.goto(harness.url);
  const authorizationUrl = await clickSignIn(page, harness);
  const redirect = await consentInBrowser(context, authorizationUrl);

  await page.getByRole('button', { name: 'Paste sign-in link' }).click();
  const field = page.getByRole('textbox', { name: 'Sign-in link' });
  await field.fill('app.latchkey.dev://oauth/openrouter/not-a-nonce?code=abc');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(field).toHaveValue('app.latchkey.dev://oauth/openrouter/not-a-nonce?code=abc');
  expect(rig.emulator.exchangeCount()).toBe(0);

  await field.fill(`  ${redirect}\n`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(status(page)).toContainText('Signed in');
  await expect(status(page)).toContainText(LABEL);
  expect(rig.emulator.exchangeCount()).toBe(1);
});

test('loopback: the browser comes back to 127.0.0.1 and the app is signed in', async ({
  page,
  context,
}) => {
  const harness = await launch();
  await page.goto(harness.url);
  await page.getByText('Other ways to sign in').click();
  const before = (await harness.openedUrls()).length;
  await page.getByRole('button', { name: 'Sign in with a local redirect' }).click();
  const authorizationUrl = await harness.nextOpenedUrl(before);
  const callback = new URL(new URL(authorizationUrl).searchParams.get('callback_url')!);
  expect(callback.protocol).toBe('http:');
  expect(callback.hostname).toBe('127.0.0.1');
  expect(callback.pathname).toMatch(/^\/oauth\/openrouter\/[\w-]{43}$/);

  const tab = await context.newPage();
  await tab.goto(authorizationUrl);
  await tab.getByRole('button', { name: 'Approve' }).click();
  await expect(tab.getByRole('heading', { name: 'You can close this tab' })).toBeVisible();
  await expect(status(page)).toContainText('Signed in');
  await expect(status(page)).toContainText(LABEL);

  // The listener closed after the first valid callback: the same URL finds nobody.
  await expect(fetch(tab.url())).rejects.toThrow();
  expect(rig.emulator.exchangeCount()).toBe(1);
});

test('no deep links on this machine: the page says why and signs in through loopback', async ({
  page,
  context,
}) => {
  const harness = await launch(tempDataDir(), ['--deep-links', 'xdg-utils-missing']);
  await page.goto(harness.url);
  await expect(page.getByRole('note')).toContainText('xdg-utils is not installed');
  await expect(page.getByRole('note')).toContainText('paste the sign-in link');
  const authorizationUrl = await clickSignIn(page, harness);
  const callback = new URL(new URL(authorizationUrl).searchParams.get('callback_url')!);
  expect(callback.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const tab = await context.newPage();
  await tab.goto(authorizationUrl);
  await tab.getByRole('button', { name: 'Approve' }).click();
  await expect(status(page)).toContainText('Signed in');
});

test('deny: a clear alert, no exchange, and signing in again works', async ({ page, context }) => {
  const harness = await launch();
  await page.goto(harness.url);
  const authorizationUrl = await clickSignIn(page, harness);
  const redirect = await consentInBrowser(context, authorizationUrl, 'Deny');
  await harness.deliverDeepLink(redirect);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/denied|declined|not approved/i);
  expect(rig.emulator.exchangeCount()).toBe(0);
  await expect(status(page)).toContainText('Signed out');

  const second = await clickSignIn(page, harness);
  expect(new URL(second).searchParams.get('code_challenge')).not.toBe(
    new URL(authorizationUrl).searchParams.get('code_challenge'),
  );
});

test('cancel: the pending sign-in is discarded and its link no longer works', async ({
  page,
  context,
}) => {
  const harness = await launch();
  await page.goto(harness.url);
  const authorizationUrl = await clickSignIn(page, harness);
  const redirect = await consentInBrowser(context, authorizationUrl);
  await page.getByRole('button', { name: 'Cancel sign-in' }).click();
  await expect(status(page)).toContainText('Signed out');
  await harness.deliverDeepLink(redirect);
  await page.waitForTimeout(300);
  expect(rig.emulator.exchangeCount()).toBe(0);
  await expect(status(page)).toContainText('Signed out');
});

test('a failing exchange ends in an alert with a way to try again', async ({ page, context }) => {
  const harness = await launch();
  await page.goto(harness.url);
  rig.emulator.injectFault('/api/v1/auth/keys', { kind: 'html' });
  const authorizationUrl = await clickSignIn(page, harness);
  await harness.deliverDeepLink(await consentInBrowser(context, authorizationUrl));
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(status(page)).toContainText('Signed out');

  await page.getByRole('button', { name: 'Try again' }).click();
  const retry = await harness.nextOpenedUrl(1);
  await harness.deliverDeepLink(await consentInBrowser(context, retry));
  await expect(status(page)).toContainText('Signed in');
});

test('restart offline: still signed in; sign out survives a restart too', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const first = await launch(dataDir);
  await page.goto(first.url);
  const authorizationUrl = await clickSignIn(page, first);
  await first.deliverDeepLink(await consentInBrowser(context, authorizationUrl));
  await expect(status(page)).toContainText('Signed in');
  await expect(page.getByText('$9.75')).toBeVisible();
  await first.stop();
  await rig.emulator.close();

  const second = await launch(dataDir);
  await page.goto(second.url);
  await expect(status(page)).toContainText('Signed in');
  await expect(status(page)).toContainText(LABEL);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(status(page)).toContainText('Signed out');
  await expect(
    page.getByRole('link', { name: /openrouter\.ai\/settings\/keys|revoke/i }),
  ).toBeVisible();
  await second.stop();

  await rig.restartEmulator();
  const third = await launch(dataDir);
  await page.goto(third.url);
  await expect(status(page)).toContainText('Signed out');
});
