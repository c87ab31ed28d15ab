/**
 * `npm run screenshots`: the UI in its main states, in English and Chinese, light and dark,
 * against the real harness and the provider emulators (OpenRouter, a real OIDC server). PNGs go
 * to screenshots/ (not committed) to be looked at.
 *
 * Scenes: `chat` (OpenRouter sign-in states and the chat, 1–11) and `providers` (every provider:
 * not configured, settings forms, a validation error, a signed-in token session, the provider
 * picker, a conversation whose provider signed out, 12–18) and `desktop` (what a machine's desktop
 * changes: sign-in links that can't reach the app, a keyring that is weak or missing, 19–21) and
 * `tools` (the chat tools: reasoning, math, attachments and the image viewer, edit and its
 * confirmation, search, the shortcut sheet, 22–29).
 * `npm run screenshots -- providers` runs only the named scenes.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config';
import { startOpenRouterEmulator } from '../tests/fixtures/openrouter-emulator';
import { OIDC_SCOPE, startOidcChatGateway, startOidcServer } from '../tests/fixtures/oidc-server';
import { DEFAULT_APP, startYooAiEmulator } from '../tests/fixtures/yooai-emulator';
import { consentInBrowser } from '../tests/e2e/support/consent';
import { startHarness } from '../tests/e2e/support/harness';
import { root } from './build-state.mjs';

const out = join(root, 'screenshots');
mkdirSync(out, { recursive: true });

const SCENES = ['chat', 'providers', 'desktop', 'tools'] as const;
const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const scenes = SCENES.filter((scene) => asked.length === 0 || asked.includes(scene));
const VIEWPORT = { width: 1100, height: 720 };
const SCHEMES = ['light', 'dark'] as const;

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
let emulator = await startOpenRouterEmulator();

/** Grows the viewport to the main pane's scroll height (long provider lists, open forms). */
async function growToContent(page: Page): Promise<void> {
  const height = await page.evaluate(() => document.querySelector('main')?.scrollHeight ?? 720);
  await page.setViewportSize({ width: VIEWPORT.width, height: Math.max(VIEWPORT.height, height) });
}

/** The whole main pane, however long, light and dark. */
async function shootTall(page: Page, path: (scheme: string) => string): Promise<void> {
  await growToContent(page);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path(scheme) });
  }
  await page.setViewportSize(VIEWPORT);
}

/** One element (a provider card), light and dark. */
async function shootElement(element: Locator, path: (scheme: string) => string): Promise<void> {
  const page = element.page();
  await growToContent(page);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await element.screenshot({ path: path(scheme) });
  }
  await page.setViewportSize(VIEWPORT);
}

/** Every provider's card, its settings, a rejected value and a signed-in token session. */
async function providersScene(locale: 'en' | 'zh-CN'): Promise<void> {
  const en = locale === 'en';
  const file = (name: string) => (scheme: string) => join(out, `${name}.${locale}.${scheme}.png`);
  const card = (page: Page, name: RegExp) =>
    page.getByRole('article').filter({ has: page.getByRole('heading', { name }) });

  const harness = await startHarness({
    env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
  });
  const context = await browser.newContext({ viewport: VIEWPORT, locale });
  const page = await context.newPage();
  await page.goto(harness.url);
  await page.getByRole('status').first().waitFor();
  await shootTall(page, file('12-providers-not-configured'));
  await shootElement(card(page, /YOO-AI/), file('13-yooai-settings'));

  const oidc = card(page, /SSO/);
  await oidc.getByLabel(en ? 'Display name' : '显示名称').fill('Acme SSO');
  await oidc.getByLabel(en ? 'Issuer URL' : 'Issuer 地址').fill('http://sso.acme.example');
  await oidc.getByLabel(en ? 'Client ID' : '客户端 ID').fill('latchkey-desktop');
  await oidc.getByRole('button', { name: en ? 'Save' : '保存' }).click();
  await oidc.getByRole('alert').waitFor();
  await shootElement(oidc, file('14-oidc-settings-invalid'));
  await context.close();
  await harness.stop();

  const server = await startOidcServer();
  const gateway = await startOidcChatGateway(server);
  const yooai = await startYooAiEmulator({ autoApprove: true });
  const signedIn = await startHarness({
    env: {
      LATCHKEY_OPENROUTER_URL: emulator.url,
      LATCHKEY_LOCALE: locale,
      LATCHKEY_YOOAI_URL: yooai.url,
      LATCHKEY_YOOAI_APP_ID: DEFAULT_APP.appId,
      LATCHKEY_YOOAI_UNION_ID: 'u-20240611-ada',
      LATCHKEY_YOOAI_SCOPE: 'chat',
      LATCHKEY_OIDC_ISSUER: server.issuer,
      LATCHKEY_OIDC_CLIENT_ID: server.clientId,
      LATCHKEY_OIDC_SCOPE: OIDC_SCOPE,
      LATCHKEY_OIDC_CHAT_URL: gateway.chatUrl,
    },
  });
  const context2 = await browser.newContext({ viewport: VIEWPORT, locale });
  const page2 = await context2.newPage();
  await page2.goto(signedIn.url);
  await page2.getByRole('status').first().waitFor();
  let before = (await signedIn.openedUrls()).length;
  await page2.getByRole('button', { name: en ? 'Sign in with SSO' : '使用 SSO 登录' }).click();
  await signedIn.deliverDeepLink(await server.authorize(await signedIn.nextOpenedUrl(before)));
  await page2.getByRole('textbox', { name: en ? 'Message' : '消息' }).waitFor();

  await page2.getByRole('button', { name: en ? 'Accounts' : '账户', exact: true }).click();
  before = (await signedIn.openedUrls()).length;
  await page2
    .getByRole('button', { name: en ? 'Sign in with YOO-AI' : '使用 YOO-AI 登录' })
    .click();
  await signedIn.deliverDeepLink(await yooai.approve(await signedIn.nextOpenedUrl(before)));
  await card(page2, /YOO-AI/)
    .getByRole('status')
    .filter({ hasText: en ? 'Signed in' : '已登录' })
    .waitFor();
  before = (await signedIn.openedUrls()).length;
  await page2.getByRole('button', { name: en ? 'Sign in with OpenRouter' : /OpenRouter/ }).click();
  const url = await signedIn.nextOpenedUrl(before);
  await signedIn.deliverDeepLink(await consentInBrowser(context2, url));
  await card(page2, /OpenRouter/)
    .getByRole('status')
    .filter({ hasText: en ? 'Signed in' : '已登录' })
    .waitFor();
  await page2.waitForTimeout(500);
  await card(page2, /YOO-AI/)
    .getByRole('button', { name: en ? 'YOO-AI settings' : 'YOO-AI 设置' })
    .click();
  await shootElement(card(page2, /YOO-AI/), file('15-yooai-signed-in-session'));
  await card(page2, /YOO-AI/)
    .getByRole('button', { name: en ? 'YOO-AI settings' : 'YOO-AI 设置' })
    .click();
  await page2.mouse.move(0, 0); // no hover highlight on the button just clicked
  await shootTall(page2, file('16-accounts-signed-in'));

  await page2.getByRole('button', { name: en ? 'Back to chat' : '返回对话' }).click();
  await page2.getByRole('combobox', { name: en ? 'Provider' : '服务商' }).waitFor();
  await page2.waitForTimeout(500);
  for (const scheme of SCHEMES) {
    await page2.emulateMedia({ colorScheme: scheme });
    await page2.waitForTimeout(150);
    await page2.screenshot({ path: file('17-chat-provider-picker')(scheme) });
  }

  // A conversation through SSO, then SSO signs out: the conversation says so.
  await page2.getByRole('combobox', { name: en ? 'Provider' : '服务商' }).selectOption('oidc');
  gateway.emulator.scriptChat({
    content: en ? 'Hello from the company gateway.' : '你好，这里是公司网关。',
  });
  const composer = page2.getByRole('textbox', { name: en ? 'Message' : '消息' });
  await composer.fill(en ? 'What is our travel policy?' : '我们的差旅政策是什么？');
  await composer.press('Enter');
  await page2.getByRole('button', { name: en ? 'Send' : '发送' }).waitFor();
  await page2.getByRole('button', { name: en ? 'Accounts' : '账户', exact: true }).click();
  await card(page2, /SSO/)
    .getByRole('button', { name: en ? 'Sign out' : '退出登录' })
    .click();
  await page2.getByRole('button', { name: en ? 'Back to chat' : '返回对话' }).click();
  await composer.fill(en ? 'And for conferences?' : '参加会议呢？');
  await page2.waitForTimeout(500);
  for (const scheme of SCHEMES) {
    await page2.emulateMedia({ colorScheme: scheme });
    await page2.waitForTimeout(150);
    await page2.screenshot({ path: file('18-chat-provider-signed-out')(scheme) });
  }
  await context2.close();
  await signedIn.stop();
  await gateway.close();
  await server.close();
  await yooai.close();
}

/** What the desktop decides: deep links unavailable, `basic_text`, no encryption at all. */
async function desktopScene(locale: 'en' | 'zh-CN'): Promise<void> {
  const en = locale === 'en';
  const shots: [string, readonly string[], boolean][] = [
    ['19-no-deep-links', ['--deep-links', 'xdg-utils-missing'], false],
    ['20-keyring-basic-text', ['--keyring', 'basic_text'], true],
    ['21-keyring-none', ['--keyring', 'none'], true],
  ];
  for (const [name, args, signIn] of shots) {
    const harness = await startHarness({
      env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
      args,
    });
    const context = await browser.newContext({ viewport: VIEWPORT, locale });
    const page = await context.newPage();
    await page.goto(harness.url);
    await page.getByRole('status').first().waitFor();
    if (signIn) {
      const before = (await harness.openedUrls()).length;
      await page
        .getByRole('button', { name: en ? 'Sign in with OpenRouter' : /OpenRouter/ })
        .first()
        .click();
      const url = await harness.nextOpenedUrl(before);
      await harness.deliverDeepLink(await consentInBrowser(context, url));
      await page.getByRole('textbox', { name: en ? 'Message' : '消息' }).waitFor();
      await page.getByRole('button', { name: en ? 'Accounts' : '账户', exact: true }).click();
      await page.waitForTimeout(300);
    }
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(out, `${name}.${locale}.${scheme}.png`) });
    }
    await context.close();
    await harness.stop();
  }
}

/** The chat tools, signed in to OpenRouter (the emulator). */
async function toolsScene(locale: 'en' | 'zh-CN'): Promise<void> {
  const en = locale === 'en';
  const harness = await startHarness({
    env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
  });
  const context = await browser.newContext({ viewport: VIEWPORT, locale });
  const page = await context.newPage();
  const file = (name: string) => (scheme: string) => join(out, `${name}.${locale}.${scheme}.png`);
  const shoot = async (name: string) => {
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(150);
      await page.screenshot({ path: file(name)(scheme) });
    }
  };
  try {
    await page.goto(harness.url);
    const before = (await harness.openedUrls()).length;
    await page
      .getByRole('button', { name: en ? 'Sign in with OpenRouter' : /OpenRouter/ })
      .first()
      .click();
    await harness.deliverDeepLink(
      await consentInBrowser(context, await harness.nextOpenedUrl(before)),
    );
    const composer = page.getByRole('textbox', { name: en ? 'Message' : '消息' });
    const send = page.getByRole('button', { name: en ? 'Send' : '发送', exact: true });
    await composer.waitFor();
    const ask = async (text: string) => {
      await composer.fill(text);
      await composer.press('Enter');
    };

    // 22–23: a thinking model's reasoning while it thinks, then folded and opened again.
    emulator.scriptChat({
      reasoning: en
        ? 'The user asks about PKCE. I should explain the verifier, the S256 challenge, and why an intercepted code is useless without the verifier.'
        : '用户在问 PKCE。我应该解释 verifier、S256 challenge，以及为什么被截获的授权码没有 verifier 就没有用。',
      thinkMs: 2500,
      pieceSize: 8,
      paceMs: 40,
      content: en
        ? 'PKCE binds the authorization code to the app that asked for it: the app sends `S256(verifier)` first and the **verifier** itself only when it redeems the code.'
        : 'PKCE 把授权码绑定到请求它的应用：应用先发送 `S256(verifier)`，兑换授权码时才发送 **verifier** 本身。',
    });
    await ask(en ? 'Why does PKCE matter?' : 'PKCE 为什么重要？');
    await page.getByRole('button', { name: en ? /^Thinking/ : /正在思考/ }).waitFor();
    await page.waitForTimeout(1200);
    await shoot('22-reasoning-thinking');
    await send.waitFor();
    await page.getByRole('button', { name: en ? /^Thought/ : /已思考/ }).click();
    await page.waitForTimeout(300);
    await shoot('23-reasoning-thought');

    // 24: math.
    emulator.scriptChat({
      content: en
        ? 'The challenge is $c = \\mathrm{BASE64URL}(\\mathrm{SHA256}(v))$, and a verifier of $n$ random characters from 66 gives\n\n$$H = n \\log_2 66 \\approx 6.04\\,n \\text{ bits.}$$\n\nIt costs $5 and $10 to guess? No: at $n = 43$ that is $2^{259}$ tries.'
        : '挑战值是 $c = \\mathrm{BASE64URL}(\\mathrm{SHA256}(v))$，由 66 个字符中随机取 $n$ 个组成的 verifier 熵为\n\n$$H = n \\log_2 66 \\approx 6.04\\,n \\text{ bits.}$$\n\n当 $n = 43$ 时需要尝试 $2^{259}$ 次。',
    });
    await ask(en ? 'How strong is the verifier?' : 'verifier 有多强？');
    await send.waitFor();
    await page.waitForTimeout(1500);
    await shoot('24-math');

    // 25–26: attachments waiting in the composer, then sent, and the image full size.
    const icon = readFileSync(join(root, 'build', 'icon.png'));
    await page.locator('input[type=file]').setInputFiles([
      { name: 'latchkey-icon.png', mimeType: 'image/png', buffer: icon },
      {
        name: 'pkce.ts',
        mimeType: 'text/plain',
        buffer: Buffer.from("export const method = 'S256';\n"),
      },
    ]);
    await page.getByRole('list', { name: en ? 'Attachments' : '附件' }).waitFor();
    await page.waitForTimeout(500);
    await composer.fill(en ? 'What is in this picture?' : '这张图里是什么？');
    await shoot('25-attachments');
    emulator.scriptChat({ content: en ? 'A key inside a shield.' : '盾牌里的一把钥匙。' });
    await composer.press('Enter');
    await send.waitFor();
    await page.getByRole('img', { name: 'latchkey-icon.png' }).last().click();
    await page.getByRole('dialog').waitFor();
    await page.waitForTimeout(300);
    await shoot('26-image-viewer');
    await page.keyboard.press('Escape');

    // 27: editing a message that later turns follow asks first.
    await page
      .getByRole('article', { name: en ? 'Your message' : /你的消息/ })
      .first()
      .getByRole('button', { name: en ? 'Edit' : '编辑' })
      .click();
    await page.waitForTimeout(200);
    await shoot('27-edit');
    await page.getByRole('button', { name: en ? 'Save and send' : '保存并发送' }).click();
    await page.getByRole('alertdialog').waitFor();
    await page.waitForTimeout(200);
    await shoot('27b-edit-replace');
    await page
      .getByRole('alertdialog')
      .getByRole('button', { name: en ? 'Cancel' : '取消' })
      .click();
    await page.keyboard.press('Escape');

    // 28: search over all history.
    await page.getByRole('button', { name: en ? 'Search conversations' : '搜索对话' }).click();
    await page
      .getByRole('searchbox', { name: en ? 'Search conversations' : '搜索对话' })
      .fill(en ? 'verifier' : '授权码');
    await page.getByRole('listbox').getByRole('option').first().waitFor();
    await page.waitForTimeout(300);
    await shoot('28-search');
    await page.keyboard.press('Escape');

    // 29: the keyboard shortcut sheet.
    await page
      .getByRole('region', { name: en ? 'Messages' : '消息' })
      .click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    await page.getByRole('dialog').waitFor();
    await page.waitForTimeout(200);
    await shoot('29-shortcuts');
  } finally {
    await context.close();
    await harness.stop();
  }
}

for (const locale of ['en', 'zh-CN'] as const) {
  if (scenes.includes('tools')) await toolsScene(locale);
  if (scenes.includes('providers')) await providersScene(locale);
  if (scenes.includes('desktop')) await desktopScene(locale);
  if (!scenes.includes('chat')) continue;
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
  await page
    .getByRole('button', { name: locale === 'en' ? 'Conversation settings' : '对话设置' })
    .click();
  await page
    .getByRole('dialog')
    .getByRole('textbox')
    .fill(
      locale === 'en'
        ? 'You are a security engineer. Answer briefly, with code where it helps.'
        : '你是一名安全工程师。请简明回答，必要时附上代码。',
    );
  await page.getByRole('dialog').getByRole('spinbutton').first().fill('0.4');
  await shoot('9b-chat-settings');
  await page.keyboard.press('Escape');
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
