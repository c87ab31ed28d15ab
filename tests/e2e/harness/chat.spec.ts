import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();
const launch = rig.launch;

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });
const user = (page: Page) => page.getByRole('article', { name: 'Your message' });

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

test('send → streamed markdown → stop → regenerate → restart keeps the conversation and draft', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  rig.emulator.scriptChat({
    content: '# Heading\n\nSome **bold** text.\n\n```ts\nconst answer = 42;\n```\n\n- one\n- two\n',
  });
  await send(page, 'Hello there');
  await expect(user(page).last()).toContainText('Hello there');
  await expect(assistant(page).last().getByRole('heading', { name: 'Heading' })).toBeVisible();
  await expect(assistant(page).last().locator('strong')).toHaveText('bold');
  await expect(assistant(page).last().locator('pre code')).toContainText('const answer = 42;');
  await expect(assistant(page).last().locator('li')).toHaveCount(2);
  await expect(composer(page)).toHaveValue('');

  const chat = rig.emulator.chatRequests().at(-1);
  expect(chat?.headers['x-title']).toBe('Latchkey');
  expect(chat?.headers['http-referer']).toBeTruthy();

  rig.emulator.scriptChat({ length: 200_000, paceMs: 5 });
  await send(page, 'Tell me a long story');
  const stop = page.getByRole('button', { name: 'Stop' });
  await expect(stop).toBeVisible();
  await expect(assistant(page).last()).not.toBeEmpty();
  await stop.click();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect.poll(() => rig.emulator.disconnects().length).toBeGreaterThan(0);
  const stoppedText = await assistant(page).last().innerText();
  expect(stoppedText.length).toBeGreaterThan(0);

  rig.emulator.scriptChat({ content: 'A short, regenerated answer.' });
  await page.getByRole('button', { name: 'Regenerate' }).last().click();
  await expect(assistant(page).last()).toContainText('A short, regenerated answer.');
  await expect(assistant(page)).toHaveCount(2);

  await composer(page).fill('an unsent draft');
  await page.waitForTimeout(800);
  await harness.stop();

  const again = await launch(dataDir);
  await page.goto(again.url);
  await expect(user(page).first()).toContainText('Hello there');
  await expect(assistant(page).last()).toContainText('A short, regenerated answer.');
  await expect(composer(page)).toHaveValue('an unsent draft');
});

test('offline: indicator shown, sending refused with an alert, draft kept', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await send(page, 'First message');
  await expect(assistant(page).last()).not.toBeEmpty();
  await harness.stop();
  await rig.emulator.close();

  const offline = await launch(dataDir);
  await page.goto(offline.url);
  await expect(page.getByText('Offline', { exact: true })).toBeVisible();
  await expect(user(page).first()).toContainText('First message');
  await send(page, 'Are you there?');
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(composer(page)).toHaveValue('Are you there?');
  await expect(user(page)).toHaveCount(1);
  await rig.restartEmulator();
});

test('model output cannot execute or open anything', async ({ page, context }) => {
  const harness = await launch();
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  rig.emulator.scriptChat({
    content: [
      'Evil <img src=x onerror="window.__pwned=1"> image',
      '',
      '<script>window.__pwned=2</script>',
      '',
      '[js link](javascript:window.__pwned=3) and [file link](file:///etc/passwd)',
      '',
      '<a href="javascript:alert(1)">raw</a> <svg onload="alert(1)"></svg>',
      '',
      'A [good link](https://example.com/docs).',
    ].join('\n'),
  });
  await send(page, 'Show me something dangerous');
  const answer = assistant(page).last();
  await expect(answer).toContainText('good link');
  // Done streaming and rendering: "good link" shows while its link is still open text.
  await expect(answer).toHaveAttribute('aria-busy', 'false');
  expect(await answer.locator('img, script, iframe, svg, object, embed').count()).toBe(0);
  const hrefs = await answer
    .locator('a[href]')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(hrefs).toEqual(['https://example.com/docs']);
  const opened = (await harness.openedUrls()).length;
  // Refused links are rendered as plain text inside the paragraph: clicking it opens nothing.
  await answer.locator('p', { hasText: 'js link' }).click();
  await page.waitForTimeout(300);
  expect(await harness.openedUrls()).toHaveLength(opened);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBe(
    undefined,
  );
  expect(dialogs).toBe(0);
  expect(page.url()).toBe(harness.url);

  await answer.getByRole('link', { name: 'good link' }).click();
  await expect
    .poll(async () => (await harness.openedUrls()).at(-1))
    .toBe('https://example.com/docs');
});

test('Enter while composing Chinese does not send', async ({ page, context }) => {
  const harness = await launch();
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  const box = composer(page);
  await box.focus();
  await box.fill('ni');
  await box.evaluate((element) => {
    element.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
    element.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'Enter',
        code: 'Enter',
        keyCode: 229,
        isComposing: true,
        bubbles: true,
        cancelable: true,
      }),
    );
  });
  await page.waitForTimeout(300);
  expect(rig.emulator.chatRequests()).toHaveLength(0);
  await expect(user(page)).toHaveCount(0);
  await box.evaluate((element) => {
    (element as HTMLTextAreaElement).value = '你好';
    element.dispatchEvent(new Event('input', { bubbles: true }));
    element.dispatchEvent(new CompositionEvent('compositionend', { data: '你好' }));
  });
  await box.press('Enter');
  await expect(user(page).last()).toContainText('你好');
  expect(rig.emulator.chatRequests()).toHaveLength(1);
});

test('out of credits: an alert with a link to add credits, the text kept', async ({
  page,
  context,
}) => {
  const harness = await launch();
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  rig.emulator.scriptChat({ status: 402 });
  await send(page, 'Will this cost money?');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('out of credits');
  await expect(composer(page)).toHaveValue('Will this cost money?');
  await alert.getByRole('link', { name: 'Add credits on OpenRouter' }).click();
  await expect
    .poll(async () => (await harness.openedUrls()).at(-1))
    .toBe('https://openrouter.ai/settings/credits');
});

test('a request over the provider’s size limit (413) says the conversation is too large, the text kept', async ({
  page,
  context,
}) => {
  await signedIn(page, context);
  rig.emulator.scriptChat({ status: 413 });
  await send(page, 'One more photo');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('This conversation has grown too large for OpenRouter');
  await expect(alert).toContainText('start a new chat');
  await expect(alert).not.toContainText('sign in again');
  await expect(composer(page)).toHaveValue('One more photo');
});

/** A fresh data folder and harness, signed in. */
async function signedIn(page: Page, context: BrowserContext): Promise<void> {
  const harness = await launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
}

test('a streaming answer is followed to its end until the user scrolls up; "Jump to latest" follows it again', async ({
  page,
  context,
}) => {
  await signedIn(page, context);

  rig.emulator.scriptChat({ length: 400_000, paceMs: 5 });
  await send(page, 'A long answer, please');
  const list = page.getByRole('region', { name: 'Messages' });
  const position = () =>
    list.evaluate((element) => ({
      top: element.scrollTop,
      height: element.scrollHeight,
      fromBottom: element.scrollHeight - element.scrollTop - element.clientHeight,
    }));
  await expect
    .poll(async () => (await position()).height, { timeout: 20_000 })
    .toBeGreaterThan(3_000);
  // Followed: as the answer grows, the view stays at its end.
  for (let check = 0; check < 3; check++) {
    expect((await position()).fromBottom).toBeLessThanOrEqual(32);
    await page.waitForTimeout(150);
  }

  // The user scrolls up: the view stays where they put it while the answer grows below.
  await list.hover();
  await page.mouse.wheel(0, -800);
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  await expect(jump).toBeVisible();
  const left = await position();
  await expect.poll(async () => (await position()).height).toBeGreaterThan(left.height + 500);
  expect(Math.abs((await position()).top - left.top)).toBeLessThanOrEqual(2);

  // Jump to latest: followed again.
  await jump.click();
  await expect(jump).toBeHidden();
  const back = await position();
  await expect.poll(async () => (await position()).height).toBeGreaterThan(back.height + 500);
  expect((await position()).fromBottom).toBeLessThanOrEqual(32);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('the streaming dot pulses only for a conversation answering out of sight', async ({
  page,
  context,
}) => {
  await signedIn(page, context);
  rig.emulator.scriptChat({ length: 200_000, paceMs: 5 });
  await send(page, 'Answer me at length');
  const entry = page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('link', { name: 'Answer me at length Answering…' });
  const animation = () =>
    entry.locator('.live').evaluate((dot) => getComputedStyle(dot).animationName);
  await expect(entry).toBeVisible();
  // Open: the answer itself shows it is coming, and the dot stays still (no restyle a frame).
  expect(await animation()).toBe('none');

  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(entry).not.toHaveAttribute('aria-current', 'page');
  expect(await animation()).not.toBe('none');

  await entry.click();
  await expect(entry).toHaveAttribute('aria-current', 'page');
  expect(await animation()).toBe('none');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('a very long answer keeps a small DOM, and its text is there wherever it is scrolled to', async ({
  page,
  context,
}) => {
  await signedIn(page, context);

  rig.emulator.scriptChat({ length: 300_000, pieceSize: 20_000, paceMs: 1 });
  await send(page, 'A very long answer, please');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible({ timeout: 30_000 });
  const answer = assistant(page).last();
  await expect(answer).toHaveAttribute('aria-busy', 'false', { timeout: 60_000 });
  const list = page.getByRole('region', { name: 'Messages' });

  // At the end: the chunks far above are one empty box, not hundreds.
  await expect.poll(() => answer.locator('.chunk').count()).toBeLessThanOrEqual(4);
  expect(await page.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(1_500);

  /** Paragraphs of the answer on screen at the list's current position. */
  const textOnScreen = () =>
    answer.evaluate((article) => {
      const view = article.closest('[data-scroll-root]')?.getBoundingClientRect();
      if (!view) return 0;
      return [...article.querySelectorAll('p, li, h2')].filter((element) => {
        const box = element.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom && element.textContent !== '';
      }).length;
    });
  for (const where of [0, 0.5, 0.25, 1]) {
    await list.evaluate((element, at) => {
      element.scrollTop = at * (element.scrollHeight - element.clientHeight);
    }, where);
    await expect.poll(textOnScreen, { message: `text at ${where * 100}%` }).toBeGreaterThan(2);
  }
  await list.evaluate((element) => (element.scrollTop = 0));
  await expect(answer.getByRole('heading', { name: 'Lorem ipsum' }).first()).toBeInViewport();
});
