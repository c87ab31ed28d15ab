import { expect, test, type Page } from '@playwright/test';
import {
  startOidcChatGateway,
  startOidcServer,
  type OidcChatGateway,
  type OidcServer,
} from '../../fixtures/oidc-server';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { startHarness, type Harness } from '../support/harness';
import { signInThroughBrowser } from '../support/sign-in';

/**
 * The provider list and the chat with several providers, through the UI: settings forms (main
 * validates, the form points at the field and keeps what was typed), the "Accounts" pane while
 * chatting, the provider picker of a new chat, conversations that keep their provider, and a
 * conversation whose provider signed out.
 */
let oidc: OidcServer;
let gateway: OidcChatGateway;
let openrouter: OpenRouterEmulator;
const harnesses: Harness[] = [];

test.beforeEach(async () => {
  [oidc, openrouter] = await Promise.all([startOidcServer(), startOpenRouterEmulator()]);
  gateway = await startOidcChatGateway(oidc);
});
test.afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  await Promise.all([oidc.close(), gateway.close(), openrouter.close()]);
});

async function launch(env: Record<string, string>): Promise<Harness> {
  const harness = await startHarness({ env: { LATCHKEY_OPENROUTER_URL: openrouter.url, ...env } });
  harnesses.push(harness);
  return harness;
}

const card = (page: Page, name: string) => page.getByRole('article', { name });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

test('settings: shown while not configured, main names the bad field, nothing typed is lost', async ({
  page,
}) => {
  const harness = await launch({});
  await page.goto(harness.url);
  const sso = card(page, 'SSO');
  await expect(card(page, 'OpenRouter').getByRole('status')).toContainText('Signed out');
  await expect(card(page, 'YOO-AI').getByRole('status')).toContainText('Not configured');
  await expect(sso.getByRole('status')).toContainText('Not configured');
  await expect(page.getByRole('button', { name: 'Sign in with SSO' })).toHaveCount(0);
  const toggle = sso.getByRole('button', { name: 'SSO settings' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');

  // Closing the form and opening it again keeps the typed text.
  await sso.getByRole('textbox', { name: 'Client ID' }).fill('latchkey-desktop');
  await toggle.click();
  await expect(sso.getByRole('textbox', { name: 'Client ID' })).toHaveCount(0);
  await toggle.click();
  await expect(sso.getByRole('textbox', { name: 'Client ID' })).toHaveValue('latchkey-desktop');

  // Plain http is for loopback hosts only: main refuses, the form points at the issuer.
  const issuer = sso.getByRole('textbox', { name: 'Issuer URL' });
  await issuer.fill('http://sso.example.com');
  await sso.getByRole('button', { name: 'Save' }).click();
  await expect(issuer).toHaveAttribute('aria-invalid', 'true');
  await expect(issuer).toBeFocused();
  await expect(sso.getByRole('alert')).toContainText('https://');
  await expect(issuer).toHaveValue('http://sso.example.com');
  await expect(sso.getByRole('textbox', { name: 'Client ID' })).toHaveValue('latchkey-desktop');

  await issuer.fill(oidc.issuer);
  await expect(issuer).toHaveAttribute('aria-invalid', 'false');
  await sso.getByRole('button', { name: 'Save' }).click();
  const signIn = page.getByRole('button', { name: 'Sign in with SSO' });
  await expect(signIn).toBeFocused();
  await expect(sso.getByRole('status')).toContainText('Signed out');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
});

test('chat with two providers: pick one for a new chat, conversations keep theirs', async ({
  page,
  context,
}) => {
  const harness = await launch({
    LATCHKEY_OIDC_ISSUER: oidc.issuer,
    LATCHKEY_OIDC_CLIENT_ID: oidc.clientId,
    LATCHKEY_OIDC_CHAT_URL: gateway.chatUrl,
  });
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await expect(composer(page)).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Provider' })).toHaveCount(0);

  // The accounts stay reachable while chatting.
  const accounts = page.getByRole('button', { name: 'Accounts', exact: true });
  await accounts.click();
  await expect(accounts).toHaveAttribute('aria-pressed', 'true');
  const sso = card(page, 'SSO');
  await sso.getByRole('button', { name: 'SSO settings' }).click();
  await expect(sso).toContainText('Filled in from the environment');
  const before = (await harness.openedUrls()).length;
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await harness.deliverDeepLink(await oidc.authorize(await harness.nextOpenedUrl(before)));
  await expect(sso.getByRole('status')).toContainText('Signed in');
  await expect(sso.getByRole('status')).toContainText('Ada Lovelace');
  await expect(sso.getByRole('textbox', { name: 'Issuer URL' })).toHaveAttribute('readonly', '');
  await expect(sso).toContainText('Sign out to change these settings');
  await expect(card(page, 'OpenRouter').getByRole('status')).toContainText('Signed in');

  // A new chat picks its provider; the model list is that provider's.
  await page.getByRole('button', { name: 'Back to chat' }).click();
  const picker = page.getByRole('combobox', { name: 'Provider' });
  await picker.selectOption({ label: 'SSO' });
  gateway.emulator.scriptChat({ content: 'From the company gateway.' });
  await send(page, 'Hi gateway');
  await expect(assistant(page).last()).toContainText('From the company gateway.');
  expect(gateway.emulator.chatRequests()).toHaveLength(1);
  expect(openrouter.chatRequests()).toHaveLength(0);
  await expect(picker).toHaveCount(0);

  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(picker).toHaveValue('oidc');
  await picker.selectOption({ label: 'OpenRouter' });
  openrouter.scriptChat({ content: 'From OpenRouter.' });
  await send(page, 'Hi router');
  await expect(assistant(page).last()).toContainText('From OpenRouter.');
  expect(openrouter.chatRequests()).toHaveLength(1);
  expect(gateway.emulator.chatRequests()).toHaveLength(1);

  // Signed out of SSO: its conversation says so and keeps what is typed.
  await accounts.click();
  await sso.getByRole('button', { name: 'Sign out' }).click();
  await expect(sso.getByRole('status')).toContainText('Signed out');
  await page.getByRole('link', { name: /Hi gateway/ }).click();
  await expect(composer(page)).toBeVisible();
  await expect(page.getByText("You're not signed in to SSO.")).toBeVisible();
  await send(page, 'Still there?');
  await expect(page.getByRole('alert')).toContainText('not signed in');
  await expect(composer(page)).toHaveValue('Still there?');
  expect(gateway.emulator.chatRequests()).toHaveLength(1);
});
