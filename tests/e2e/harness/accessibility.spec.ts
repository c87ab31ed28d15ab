import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { startOpenRouterEmulator } from '../../fixtures/openrouter-emulator';
import { OIDC_SCOPE, startOidcChatGateway, startOidcServer } from '../../fixtures/oidc-server';
import { DEFAULT_APP, startYooAiEmulator } from '../../fixtures/yooai-emulator';
import { consentInBrowser } from '../support/consent';
import { startHarness, type Harness } from '../support/harness';

/**
 * axe-core (WCAG 2.1 A/AA and best practices) over every screen `npm run screenshots` shows, in
 * both languages and both colour schemes: zero violations. Screens are reached the way
 * scripts/screenshots.ts reaches them (its scenes: chat, providers, desktop), one page load per
 * scene; each screen is checked light and dark on the same page. Every violation of a scene is
 * collected first and printed together (rule, impact, selectors, contrast numbers).
 */

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SCHEMES = ['light', 'dark'] as const;
/** The rules whose outcome changes with the colour scheme. */
const COLOUR_RULES: string[] = ['color-contrast', 'link-in-text-block'];
const LOCALES = ['en', 'zh-CN'] as const;
type LocaleId = (typeof LOCALES)[number];

interface ContrastData {
  fgColor?: string;
  bgColor?: string;
  contrastRatio?: number;
  expectedContrastRatio?: string;
  fontSize?: string;
  fontWeight?: string;
}

/**
 * Runs axe on the page: every rule of {@link TAGS} in light, then in dark only the rules whose
 * outcome depends on colours (the DOM is the same in both schemes). axe-core is injected once
 * per document: AxeBuilder re-injects it on every `analyze()`, which costs seconds per screen.
 */
async function audit(page: Page, screen: string, found: string[]): Promise<void> {
  for (const colorScheme of SCHEMES) {
    // Reduced motion: no colour transition half-way through while axe measures contrast.
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    await settled(page);
    const builder = new AxeBuilder({ page }).setLegacyMode(true);
    const { violations } = await (
      colorScheme === 'light' ? builder.withTags(TAGS) : builder.withRules(COLOUR_RULES)
    ).analyze();
    for (const violation of violations) {
      const nodes = violation.nodes.map((node) => {
        const data = node.any.find((check) => check.id === 'color-contrast')?.data as
          ContrastData | undefined;
        const contrast = data?.contrastRatio
          ? ` — ${data.contrastRatio}:1 (needs ${data.expectedContrastRatio}), ${data.fgColor} on ${data.bgColor}, ${data.fontSize} ${data.fontWeight}`
          : ` — ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`;
        return `    ${node.target.join(' ')}${contrast}`;
      });
      found.push(
        `[${screen} · ${colorScheme}] ${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n${nodes.join('\n')}`,
      );
    }
  }
}

/** Two frames after a change of colour scheme or focus, so no (reduced) transition still runs. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
}

function expectNoViolations(found: string[]): void {
  expect(found, `axe violations:\n${found.join('\n')}`).toEqual([]);
}

const words = (locale: LocaleId) => {
  const en = locale === 'en';
  return {
    message: en ? 'Message' : '消息',
    send: en ? 'Send' : '发送',
    accounts: en ? 'Accounts' : '账户',
    backToChat: en ? 'Back to chat' : '返回对话',
    provider: en ? 'Provider' : '服务商',
    signedIn: en ? 'Signed in' : '已登录',
    signOut: en ? 'Sign out' : '退出登录',
    save: en ? 'Save' : '保存',
  };
};

const card = (page: Page, name: RegExp): Locator =>
  page.getByRole('article').filter({ has: page.getByRole('heading', { name }) });

async function signInOpenRouter(
  page: Page,
  context: BrowserContext,
  harness: Harness,
): Promise<void> {
  const before = (await harness.openedUrls()).length;
  await page
    .getByRole('button', { name: /OpenRouter/ })
    .first()
    .click();
  await harness.deliverDeepLink(
    await consentInBrowser(context, await harness.nextOpenedUrl(before)),
  );
}

test.describe.configure({ mode: 'parallel' });

/** What a test started, disposed of after it even when it timed out (newest first). */
const owned: (() => Promise<unknown>)[] = [];
function own<T>(value: T, dispose: (value: T) => Promise<unknown>): T {
  owned.push(() => dispose(value));
  return value;
}
test.afterEach(async () => {
  for (const dispose of owned.splice(0).reverse()) await dispose().catch(() => undefined);
});

for (const locale of LOCALES) {
  const w = words(locale);

  test(`axe: sign-in and chat screens (${locale})`, async ({ browser }) => {
    test.setTimeout(120_000); // alone ~30 s; a busy shared machine is slower
    const found: string[] = [];
    const emulator = own(await startOpenRouterEmulator(), (e) => e.close());
    const harness = own(
      await startHarness({
        env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
      }),
      (h) => h.stop(),
    );
    const context = own(await browser.newContext({ locale }), (c) => c.close());
    const page = await context.newPage();
    await page.goto(harness.url);
    await page.getByRole('status').first().waitFor();
    await audit(page, 'signed out', found);

    emulator.injectFault('/api/v1/auth/keys', { kind: 'status', status: 503 });
    const before = (await harness.openedUrls()).length;
    await page
      .getByRole('button', { name: /OpenRouter/ })
      .first()
      .click();
    const url = await harness.nextOpenedUrl(before);
    await audit(page, 'signing in', found);
    await page
      .getByRole('button', { name: locale === 'en' ? 'Paste sign-in link' : /粘贴/ })
      .click();
    await audit(page, 'paste sign-in link', found);
    await harness.deliverDeepLink(await consentInBrowser(context, url));
    await page.getByRole('alert').first().waitFor();
    await audit(page, 'sign-in error', found);

    await signInOpenRouter(page, context, harness);
    const composer = page.getByRole('textbox', { name: w.message });
    await composer.waitFor();
    await audit(page, 'chat empty', found);
    await page.getByRole('button', { name: w.accounts, exact: true }).click();
    await page.getByRole('status').filter({ hasText: w.signedIn }).first().waitFor();
    await audit(page, 'accounts signed in', found);
    await page.getByRole('button', { name: w.backToChat }).click();

    const send = async (text: string) => {
      await composer.fill(text);
      await composer.press('Enter');
    };
    emulator.scriptChat({ length: 6_000, paceMs: 5 });
    await send(locale === 'en' ? 'Explain PKCE in a few paragraphs' : '用几段话解释 PKCE');
    await page.getByRole('button', { name: locale === 'en' ? 'Stop' : '停止' }).waitFor();
    await page.waitForTimeout(500);
    await audit(page, 'chat streaming', found);
    await page.getByRole('button', { name: locale === 'en' ? 'Stop' : '停止' }).click();
    await page.getByRole('button', { name: w.send }).waitFor();

    emulator.scriptChat({
      reasoning: 'First, **hash** the verifier.\n\n- S256\n- then `base64url`',
      content:
        "Here is the verifier code:\n\n```ts\nconst hash = createHash('sha256').update(verifier).digest('base64url'); // S256\nconst n = 42;\n```\n\nThat's all.",
    });
    await send(locale === 'en' ? 'Show me code' : '给我看代码');
    await page.getByRole('button', { name: w.send }).waitFor();
    await page.locator('pre code').last().waitFor();
    await page.waitForTimeout(300);
    await audit(page, 'chat code', found);
    await page
      .getByRole('button', { name: locale === 'en' ? /^Thought/ : /^已思考/ })
      .last()
      .click();
    await page
      .getByRole('region', { name: locale === 'en' ? 'Reasoning' : '推理过程' })
      .last()
      .waitFor();
    await audit(page, 'chat reasoning', found);
    await page
      .getByRole('button', { name: locale === 'en' ? 'Conversation settings' : '对话设置' })
      .click();
    await page.getByRole('dialog').getByRole('textbox').waitFor();
    await audit(page, 'conversation settings', found);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    // The shortcut sheet (`?` outside a text field); editing: edit-and-shortcuts.spec.ts.
    await page.getByRole('heading', { level: 1 }).first().click();
    await page.keyboard.press('?');
    await page.getByRole('dialog').locator('kbd').first().waitFor();
    await audit(page, 'shortcut sheet', found);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Search (Ctrl+K), with matches marked in the results' snippets.
    await page.keyboard.press('Control+K');
    await page.getByRole('searchbox').fill('PKCE');
    await page.getByRole('listbox').getByRole('option').first().locator('mark').first().waitFor();
    await audit(page, 'search', found);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    emulator.scriptChat({ status: 402 });
    await send(locale === 'en' ? 'One more question' : '再问一个问题');
    await page.getByRole('alert').first().waitFor();
    await audit(page, 'chat error', found);
    await context.close();
    await harness.stop();

    await emulator.close();
    const offline = own(
      await startHarness({
        dataDir: harness.dataDir,
        env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
      }),
      (h) => h.stop(),
    );
    const offlineContext = own(await browser.newContext({ locale }), (c) => c.close());
    const offlinePage = await offlineContext.newPage();
    await offlinePage.goto(offline.url);
    await offlinePage.getByRole('textbox', { name: w.message }).waitFor();
    await offlinePage.waitForTimeout(1_500);
    await audit(offlinePage, 'chat offline', found);
    await offlinePage.getByRole('button', { name: w.signOut }).click();
    await offlinePage
      .getByRole('button', { name: /OpenRouter/ })
      .first()
      .waitFor();
    await audit(offlinePage, 'signed out after sign-out', found);
    expectNoViolations(found);
  });

  test(`axe: provider screens (${locale})`, async ({ browser }) => {
    test.setTimeout(120_000); // alone ~30 s; a busy shared machine is slower
    const found: string[] = [];
    const emulator = own(await startOpenRouterEmulator(), (e) => e.close());
    const server = own(await startOidcServer(), (o) => o.close());
    const gateway = own(await startOidcChatGateway(server), (g) => g.close());
    const yooai = own(await startYooAiEmulator({ autoApprove: true }), (y) => y.close());
    const plain = own(
      await startHarness({
        env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
      }),
      (h) => h.stop(),
    );
    const context = own(await browser.newContext({ locale }), (c) => c.close());
    const page = await context.newPage();
    await page.goto(plain.url);
    await page.getByRole('status').first().waitFor();
    await audit(page, 'providers not configured', found);
    const oidc = card(page, /SSO/);
    await oidc.getByLabel(locale === 'en' ? 'Display name' : '显示名称').fill('Acme SSO');
    await oidc
      .getByLabel(locale === 'en' ? 'Issuer URL' : 'Issuer 地址')
      .fill('http://sso.acme.example');
    await oidc.getByLabel(locale === 'en' ? 'Client ID' : '客户端 ID').fill('latchkey-desktop');
    await oidc.getByRole('button', { name: w.save }).click();
    await oidc.getByRole('alert').waitFor();
    await audit(page, 'OIDC settings invalid', found);

    const signedIn = own(
      await startHarness({
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
      }),
      (h) => h.stop(),
    );
    const context2 = own(await browser.newContext({ locale }), (c) => c.close());
    const page2 = await context2.newPage();
    await page2.goto(signedIn.url);
    await page2.getByRole('status').first().waitFor();
    let before = (await signedIn.openedUrls()).length;
    await page2
      .getByRole('button', { name: locale === 'en' ? 'Sign in with SSO' : '使用 SSO 登录' })
      .click();
    await signedIn.deliverDeepLink(await server.authorize(await signedIn.nextOpenedUrl(before)));
    await page2.getByRole('textbox', { name: w.message }).waitFor();

    await page2.getByRole('button', { name: w.accounts, exact: true }).click();
    before = (await signedIn.openedUrls()).length;
    await page2
      .getByRole('button', { name: locale === 'en' ? 'Sign in with YOO-AI' : '使用 YOO-AI 登录' })
      .click();
    await signedIn.deliverDeepLink(await yooai.approve(await signedIn.nextOpenedUrl(before)));
    await card(page2, /YOO-AI/)
      .getByRole('status')
      .filter({ hasText: w.signedIn })
      .waitFor();
    await signInOpenRouter(page2, context2, signedIn);
    await card(page2, /OpenRouter/)
      .getByRole('status')
      .filter({ hasText: w.signedIn })
      .waitFor();
    await page2.waitForTimeout(300);
    await audit(page2, 'accounts, three signed in', found);
    const yooaiSettings = card(page2, /YOO-AI/).getByRole('button', {
      name: locale === 'en' ? 'YOO-AI settings' : 'YOO-AI 设置',
    });
    await yooaiSettings.click();
    await audit(page2, 'YOO-AI settings with a session', found);
    await yooaiSettings.click();

    await page2.getByRole('button', { name: w.backToChat }).click();
    const picker = page2.getByRole('combobox', { name: w.provider });
    await picker.waitFor();
    await audit(page2, 'chat with provider picker', found);

    await picker.selectOption('oidc');
    gateway.emulator.scriptChat({ content: 'Hello from the company gateway.' });
    const composer = page2.getByRole('textbox', { name: w.message });
    await composer.fill('What is our travel policy?');
    await composer.press('Enter');
    await page2.getByRole('button', { name: w.send }).waitFor();
    await page2.getByRole('button', { name: w.accounts, exact: true }).click();
    await card(page2, /SSO/).getByRole('button', { name: w.signOut }).click();
    await page2.getByRole('button', { name: w.backToChat }).click();
    await composer.fill('And for conferences?');
    await page2.waitForTimeout(300);
    await audit(page2, 'chat whose provider signed out', found);
    expectNoViolations(found);
  });

  test(`axe: desktop integration screens (${locale})`, async ({ browser }) => {
    test.setTimeout(120_000); // alone ~30 s; a busy shared machine is slower
    const found: string[] = [];
    const emulator = own(await startOpenRouterEmulator(), (e) => e.close());
    const screens: [string, readonly string[], boolean][] = [
      ['no deep links', ['--deep-links', 'xdg-utils-missing'], false],
      ['keyring basic_text', ['--keyring', 'basic_text'], true],
      ['keyring none', ['--keyring', 'none'], true],
    ];
    for (const [screen, args, signIn] of screens) {
      const harness = own(
        await startHarness({
          env: { LATCHKEY_OPENROUTER_URL: emulator.url, LATCHKEY_LOCALE: locale },
          args,
        }),
        (h) => h.stop(),
      );
      const context = own(await browser.newContext({ locale }), (c) => c.close());
      const page = await context.newPage();
      await page.goto(harness.url);
      await page.getByRole('status').first().waitFor();
      if (signIn) {
        await signInOpenRouter(page, context, harness);
        await page.getByRole('textbox', { name: w.message }).waitFor();
        if (screen === 'keyring none') await audit(page, `${screen}, chat`, found);
        await page.getByRole('button', { name: w.accounts, exact: true }).click();
        await page.waitForTimeout(300);
      }
      await audit(page, screen, found);
      await context.close();
      await harness.stop();
    }
    expectNoViolations(found);
  });
}

test('narrow window: the sidebar folds behind a toggle and the chat keeps its width', async ({
  browser,
}) => {
  const found: string[] = [];
  const emulator = own(await startOpenRouterEmulator(), (e) => e.close());
  const harness = own(await startHarness({ env: { LATCHKEY_OPENROUTER_URL: emulator.url } }), (h) =>
    h.stop(),
  );
  const context = own(await browser.newContext({ viewport: { width: 700, height: 800 } }), (c) =>
    c.close(),
  );
  const page = await context.newPage();
  await page.goto(harness.url);
  await page.getByRole('status').first().waitFor();
  await signInOpenRouter(page, context, harness);
  const composer = page.getByRole('textbox', { name: 'Message' });
  emulator.scriptChat({ content: 'First answer.' });
  await composer.fill('First question');
  await composer.press('Enter');
  await page.getByRole('article', { name: 'Assistant message' }).waitFor();
  await page.getByRole('button', { name: 'Send' }).waitFor();

  const show = page.getByRole('button', { name: 'Show conversations' });
  const panel = page.locator('#sidebar-panel');
  await expect(show).toHaveAttribute('aria-expanded', 'false');
  await expect(show).toHaveAttribute('aria-controls', 'sidebar-panel');
  await expect(panel).toBeHidden();
  const box = await page.locator('.composer').boundingBox();
  expect(box?.width ?? 0).toBeGreaterThanOrEqual(600);
  await audit(page, 'narrow, sidebar folded', found);

  await show.click();
  const hide = page.getByRole('button', { name: 'Hide conversations' });
  await expect(hide).toHaveAttribute('aria-expanded', 'true');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('button', { name: 'New chat' })).toBeFocused();
  await audit(page, 'narrow, sidebar open', found);
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(show).toBeFocused();

  await show.click();
  await panel.getByText('First question').click();
  await expect(panel).toBeHidden();
  await expect(show).toHaveAttribute('aria-expanded', 'false');

  await page.setViewportSize({ width: 1000, height: 800 });
  await expect(show).toBeHidden();
  await expect(panel).toBeVisible();
  expectNoViolations(found);
});

test('keyboard: every tool of the chat is reached with Tab, each with a visible focus', async ({
  browser,
}) => {
  const emulator = own(await startOpenRouterEmulator(), (e) => e.close());
  const harness = own(await startHarness({ env: { LATCHKEY_OPENROUTER_URL: emulator.url } }), (h) =>
    h.stop(),
  );
  const context = own(await browser.newContext(), (c) => c.close());
  const page = await context.newPage();
  await page.goto(harness.url);
  await page.getByRole('status').first().waitFor();
  await signInOpenRouter(page, context, harness);
  const composer = page.getByRole('textbox', { name: 'Message' });
  emulator.scriptChat({ content: 'An answer.' });
  await composer.fill('A question');
  await composer.press('Enter');
  await page.getByRole('button', { name: 'Send' }).waitFor();

  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    await composer.focus();
    await settled(page);
    await page.evaluate(() =>
      document
        .querySelectorAll('[data-tab-seen]')
        .forEach((el) => el.removeAttribute('data-tab-seen')),
    );
    const reached: string[] = [];
    const invisible: string[] = [];
    for (let i = 0; i < 60; i++) {
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        if (el.hasAttribute('data-tab-seen')) return 'again';
        el.setAttribute('data-tab-seen', '');
        const style = getComputedStyle(el);
        // The composer's textarea shows its focus on the box around it (its border).
        const box = el.closest<HTMLElement>('.composer');
        const probe = document.createElement('span');
        probe.style.color = 'var(--focus-ring)';
        document.body.append(probe);
        const ringColor = getComputedStyle(probe).color;
        probe.remove();
        const ring =
          (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
          (box !== null && getComputedStyle(box).borderTopColor === ringColor);
        const name = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? '';
        return { name: `${el.tagName.toLowerCase()} "${name}"`, ring };
      });
      if (focus === 'again') break;
      if (focus) {
        reached.push(focus.name);
        if (!focus.ring) invisible.push(focus.name);
      }
      await page.keyboard.press('Tab');
      await settled(page);
    }
    const all = reached.join('\n');
    for (const tool of [
      'New chat',
      'A question',
      'Accounts',
      'Model',
      'Conversation settings',
      'textarea',
      'Copy',
      'Regenerate',
      'Edit',
      'Keyboard shortcuts',
      'Search conversations',
      'Attach files',
      'Export conversation',
      'Copy conversation',
    ]) {
      expect(all, `${tool} not reached by Tab (${colorScheme}):\n${all}`).toContain(tool);
    }
    expect(invisible, `focus not visible (${colorScheme})`).toEqual([]);
  }
});
