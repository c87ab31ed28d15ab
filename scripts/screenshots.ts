/**
 * `npm run screenshots`: the sign-in UI in its main states (signed out, signing in, signed in,
 * error), in English and Chinese, light and dark, against the real harness and the OpenRouter
 * emulator. PNGs go to screenshots/ (not committed) to be looked at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config';
import { startOpenRouterEmulator } from '../tests/fixtures/openrouter-emulator';
import { consentInBrowser } from '../tests/e2e/support/consent';
import { startHarness } from '../tests/e2e/support/harness';
import { root } from './build-state.mjs';

const out = join(root, 'screenshots');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
let emulator = await startOpenRouterEmulator();

for (const locale of ['en', 'zh-CN'] as const) {
  const harness = await startHarness({
    env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale });
  const page = await context.newPage();
  const shoot = async (name: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(out, `${name}.${locale}.${scheme}.png`) });
    }
  };
  const signIn = async (p: Page) => {
    const before = (await harness.openedUrls()).length;
    await p
      .getByRole('button', { name: /OpenRouter/ })
      .first()
      .click();
    return harness.nextOpenedUrl(before);
  };

  await page.goto(harness.url);
  await page.getByRole('status').first().waitFor();
  await shoot('1-signed-out');

  emulator.injectFault('/api/v1/auth/keys', { kind: 'status', status: 503 });
  let url = await signIn(page);
  await shoot('2-signing-in');
  await page.getByRole('button', { name: locale === 'en' ? 'Paste sign-in link' : /粘贴/ }).click();
  await shoot('3-signing-in-paste');
  await harness.deliverDeepLink(await consentInBrowser(context, url));
  await page.getByRole('alert').first().waitFor();
  await shoot('4-error');

  url = await signIn(page);
  await harness.deliverDeepLink(await consentInBrowser(context, url));
  await page.waitForTimeout(500);
  await shoot('5-signed-in');

  const composer = page.getByRole('textbox', { name: locale === 'en' ? 'Message' : '消息' });
  const sendText = async (text: string) => {
    await composer.fill(text);
    await composer.press('Enter');
  };
  await shoot('7-chat-empty');
  emulator.scriptChat({ length: 6_000, paceMs: 3 });
  await sendText(locale === 'en' ? 'Explain PKCE in a few paragraphs' : '用几段话解释 PKCE');
  await page.waitForTimeout(1500);
  await shoot('8-chat-streaming');
  await page.getByRole('button', { name: locale === 'en' ? 'Send' : '发送' }).waitFor();
  emulator.scriptChat({
    content: `Here is the verifier code:\n\n\`\`\`ts\n${Array.from(
      { length: 30 },
      (_, i) => `const line${i} = createHash('sha256').update(verifier${i}).digest('base64url');`,
    ).join('\n')}\n\`\`\`\n\nThat's all.`,
  });
  await sendText(locale === 'en' ? 'Show me code' : '给我看代码');
  await page.getByRole('button', { name: locale === 'en' ? 'Send' : '发送' }).waitFor();
  await page.waitForTimeout(500);
  await shoot('9-chat-code');
  emulator.scriptChat({ status: 402 });
  await sendText(locale === 'en' ? 'One more question' : '再问一个问题');
  await page.getByRole('alert').first().waitFor();
  await shoot('10-chat-error');
  await context.close();
  await harness.stop();
  await emulator.close();
  const offline = await startHarness({
    dataDir: harness.dataDir,
    env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
  });
  const offlineContext = await browser.newContext({
    viewport: { width: 1100, height: 720 },
    locale,
  });
  const offlinePage = await offlineContext.newPage();
  await offlinePage.goto(offline.url);
  await offlinePage.waitForTimeout(1500);
  for (const scheme of ['light', 'dark'] as const) {
    await offlinePage.emulateMedia({ colorScheme: scheme });
    await offlinePage.waitForTimeout(150);
    await offlinePage.screenshot({ path: join(out, `11-chat-offline.${locale}.${scheme}.png`) });
  }
  await offlinePage.getByRole('button', { name: locale === 'en' ? 'Sign out' : /退出/ }).click();
  await offlinePage.waitForTimeout(300);
  for (const scheme of ['light', 'dark'] as const) {
    await offlinePage.emulateMedia({ colorScheme: scheme });
    await offlinePage.waitForTimeout(150);
    await offlinePage.screenshot({
      path: join(out, `6-signed-out-after-sign-out.${locale}.${scheme}.png`),
    });
  }
  await offlineContext.close();
  await offline.stop();
  emulator = await startOpenRouterEmulator();
}

await browser.close();
await emulator.close();
console.log(`screenshots in ${out}`);
