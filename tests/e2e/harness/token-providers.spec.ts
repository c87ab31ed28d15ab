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
import { startYooAiEmulator, type YooAiEmulator } from '../../fixtures/yooai-emulator';
import { consentInBrowser } from '../support/consent';
import { startHarness, tempDataDir, type Harness } from '../support/harness';

/**
 * YOO-AI (against its emulator) and the generic OIDC provider (against oidc-provider) signed in
 * through the UI with deep links, each with its own state; a restart with every server stopped
 * is still signed in; the chat runs through the OIDC provider's OpenAI-compatible gateway, which
 * only accepts the provider's access tokens as Bearer.
 */
const UNION_ID = 'tk84441';
const OIDC_NAME = 'SSO';

let yooai: YooAiEmulator;
let oidc: OidcServer;
let gateway: OidcChatGateway;
let openrouter: OpenRouterEmulator;
const harnesses: Harness[] = [];

test.beforeEach(async () => {
  [yooai, oidc, openrouter] = await Promise.all([
    startYooAiEmulator(),
    startOidcServer(),
    startOpenRouterEmulator(),
  ]);
  gateway = await startOidcChatGateway(oidc);
});
test.afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  await Promise.all([yooai.close(), oidc.close(), gateway.close(), openrouter.close()]);
});

async function launch(dataDir: string): Promise<Harness> {
  const harness = await startHarness({
    dataDir,
    env: {
      LATCHKEY_OPENROUTER_URL: openrouter.url,
      LATCHKEY_YOOAI_URL: yooai.url,
      LATCHKEY_YOOAI_APP_ID: 'latchkey-test-app',
      LATCHKEY_YOOAI_UNION_ID: UNION_ID,
      LATCHKEY_OIDC_ISSUER: oidc.issuer,
      LATCHKEY_OIDC_CLIENT_ID: oidc.clientId,
      LATCHKEY_OIDC_CHAT_URL: gateway.chatUrl,
    },
  });
  harnesses.push(harness);
  return harness;
}

/** The provider's card: the article named after the provider. */
const card = (page: Page, name: string) => page.getByRole('article', { name });
const status = (page: Page, name: string) => card(page, name).getByRole('status');

/** While chatting, the provider list is one click away. */
async function showAccounts(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
}

test('sign in to YOO-AI and to the OIDC provider, restart offline, chat through the gateway', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await launch(dataDir);
  await page.goto(harness.url);

  // Every provider is listed with its own state.
  await expect(status(page, 'OpenRouter')).toContainText('Signed out');
  await expect(status(page, 'YOO-AI')).toContainText('Signed out');
  await expect(status(page, OIDC_NAME)).toContainText('Signed out');

  // YOO-AI: consent in a browser tab, the redirect comes back as a deep link.
  let before = (await harness.openedUrls()).length;
  await page.getByRole('button', { name: 'Sign in with YOO-AI' }).click();
  const yooaiUrl = await harness.nextOpenedUrl(before);
  expect(new URL(yooaiUrl).searchParams.get('redirect_uri')).toBe('app.latchkey.dev://oauth/yooai');
  const yooaiCallback = await consentInBrowser(context, yooaiUrl);
  expect(await harness.deliverDeepLink(yooaiCallback)).toBe(204);
  await expect(status(page, 'YOO-AI')).toContainText('Signed in');
  await expect(status(page, 'YOO-AI')).toContainText(UNION_ID);
  await expect(card(page, 'YOO-AI')).toContainText(/Session ends/);
  await expect(status(page, OIDC_NAME)).toContainText('Signed out');

  // OIDC: the authorization server approves by itself (no page to click), so the browser's hops
  // are made by the fixture's cookie-keeping HTTP client; its redirect carries iss.
  before = (await harness.openedUrls()).length;
  await page.getByRole('button', { name: `Sign in with ${OIDC_NAME}` }).click();
  const oidcUrl = await harness.nextOpenedUrl(before);
  const oidcCallback = await oidc.authorize(oidcUrl);
  expect(new URL(oidcCallback).searchParams.get('iss')).toBe(oidc.issuer);
  expect(await harness.deliverDeepLink(oidcCallback)).toBe(204);
  await showAccounts(page);
  await expect(status(page, OIDC_NAME)).toContainText('Signed in');
  await expect(status(page, OIDC_NAME)).toContainText('Ada Lovelace');
  await expect(status(page, 'YOO-AI')).toContainText('Signed in');
  await expect(status(page, 'OpenRouter')).toContainText('Signed out');

  // Chat through the OIDC provider's gateway, with its access token as Bearer.
  await page.getByRole('button', { name: 'Back to chat' }).click();
  gateway.emulator.scriptChat({ content: 'Hello from the company gateway.' });
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill('Hi gateway');
  await composer.press('Enter');
  await expect(page.getByRole('article', { name: 'Assistant message' }).last()).toContainText(
    'Hello from the company gateway.',
  );
  const request = gateway.emulator.chatRequests().at(-1);
  expect(request).toBeDefined();
  expect(await oidc.isAccessTokenValid(request!.key!)).toBe(true);
  expect(request!.headers['x-title']).toBeUndefined();

  // Restart with every server stopped: both still signed in, from the encrypted store.
  await harness.stop();
  await Promise.all([yooai.close(), oidc.close(), gateway.close()]);
  const again = await launch(dataDir);
  await page.goto(again.url);
  await showAccounts(page);
  await expect(status(page, 'YOO-AI')).toContainText('Signed in');
  await expect(status(page, OIDC_NAME)).toContainText('Signed in');
  const output = again.output() + harness.output();
  expect(output).not.toContain(request!.key!);
});

test('YOO-AI not configured: the form says so, refuses a bad value and keeps what was typed', async ({
  page,
}) => {
  const harness = await startHarness({
    dataDir: tempDataDir(),
    env: { LATCHKEY_OPENROUTER_URL: openrouter.url, LATCHKEY_YOOAI_URL: yooai.url },
  });
  harnesses.push(harness);
  await page.goto(harness.url);
  const yooaiCard = card(page, 'YOO-AI');
  await expect(yooaiCard.getByRole('status')).toContainText('Not configured');
  await expect(page.getByRole('button', { name: 'Sign in with YOO-AI' })).toHaveCount(0);

  await yooaiCard.getByRole('textbox', { name: 'App ID' }).fill('latchkey-test-app');
  await yooaiCard.getByRole('textbox', { name: 'Union ID' }).fill('has space');
  await yooaiCard.getByRole('button', { name: 'Save' }).click();
  const unionId = yooaiCard.getByRole('textbox', { name: 'Union ID' });
  await expect(unionId).toHaveAttribute('aria-invalid', 'true');
  await expect(unionId).toBeFocused();
  await expect(yooaiCard.getByRole('textbox', { name: 'App ID' })).toHaveValue('latchkey-test-app');

  await unionId.fill(UNION_ID);
  await yooaiCard.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('button', { name: 'Sign in with YOO-AI' })).toBeVisible();
  await expect(yooaiCard.getByRole('status')).toContainText('Signed out');
});

test('a session the server ended: the send refreshes once, signs out with an explanation, and the text survives signing in again', async ({
  page,
}) => {
  const harness = await launch(tempDataDir());
  await page.goto(harness.url);
  const signInOidc = async () => {
    const before = (await harness.openedUrls()).length;
    await page.getByRole('button', { name: `Sign in with ${OIDC_NAME}` }).click();
    const callback = await oidc.authorize(await harness.nextOpenedUrl(before));
    expect(await harness.deliverDeepLink(callback)).toBe(204);
  };
  await signInOidc();
  const composer = page.getByRole('textbox', { name: 'Message' });
  await expect(composer).toBeVisible();
  // The model list came through the gateway with the first access token: nothing else is due.
  await expect(page.getByRole('button', { name: /^Model:/ })).toContainText('GPT');

  // The company revokes the grant: the gateway refuses the access token, the refresh token is dead.
  await oidc.revokeGrants();
  const refreshesBefore = oidc.refreshCount();
  await composer.fill('Are you still there?');
  await composer.press('Enter');
  await expect(status(page, OIDC_NAME)).toContainText('Signed out');
  await expect(card(page, OIDC_NAME)).toContainText('Your session ended. Sign in again.');
  expect(oidc.refreshCount()).toBe(refreshesBefore + 1);
  expect(gateway.emulator.chatRequests()).toHaveLength(1);

  await signInOidc();
  await expect(composer).toHaveValue('Are you still there?');
});
