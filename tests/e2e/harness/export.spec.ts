import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });

const ANSWER = 'Here you go:\n\n```ts\nconst 答案 = 42;\n```\n\n- one 🎉\n- two\n';

async function chatOnce(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect(assistant(page).last()).toContainText('const 答案 = 42;');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
}

/** A fresh data folder and harness, signed in, the page allowed to read the clipboard. */
async function signedInWithClipboard(page: Page, context: BrowserContext): Promise<void> {
  const harness = await rig.launch(tempDataDir());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
}

test('Export conversation downloads <title>.md; Copy conversation copies the same Markdown', async ({
  page,
  context,
}) => {
  await signedInWithClipboard(page, context);

  // Nothing to export before the first message.
  await expect(page.getByRole('button', { name: 'Export conversation' })).toHaveCount(0);

  rig.emulator.scriptChat({ content: ANSWER });
  await chatOnce(page, 'Show me 代码: a/b?');

  const exportButton = page.getByRole('button', { name: 'Export conversation' });
  const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
  expect(download.suggestedFilename()).toBe('Show me 代码 a b.md');
  const file = await download.path();
  const markdown = readFileSync(file, 'utf8');
  expect(markdown).toMatch(
    /^# Show me 代码: a\/b\?\n\n---\n\n\*\*You\*\* · \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
  );
  expect(markdown).toContain('\n\nShow me 代码: a/b?\n\n---\n\n**Assistant** (');
  expect(markdown).toContain(ANSWER.trimEnd());
  expect(markdown).not.toMatch(/sk-or-|> _/);
  await expect(page.getByRole('button', { name: 'Exported' })).toBeVisible();
  await expect(exportButton).toBeVisible();

  await page.getByRole('button', { name: 'Copy conversation' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(markdown);
  await expect(page.getByRole('button', { name: 'Copy conversation' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('Copy code copies the code block alone, and its button says Copied with a check', async ({
  page,
  context,
}) => {
  await signedInWithClipboard(page, context);
  rig.emulator.scriptChat({ content: ANSWER });
  await chatOnce(page, 'Some code, please');

  const copy = assistant(page).last().getByRole('button', { name: 'Copy code' });
  const icon = assistant(page).last().locator('.copy-code .copy-icon');
  // The icon is drawn by its mask: one that failed to resolve would leave a filled square.
  const mask = () => icon.evaluate((element) => getComputedStyle(element).maskImage);
  const idle = await mask();
  expect(idle).toMatch(/^url\("data:image\/svg\+xml,/);
  await copy.click();
  await expect(assistant(page).last().getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('const 答案 = 42;');
  const done = await mask();
  expect(done).toMatch(/^url\("data:image\/svg\+xml,/);
  expect(done).not.toBe(idle);
  await expect(copy).toBeVisible();
  expect(await mask()).toBe(idle);
});

test('a stopped answer is marked in the export', async ({ page, context }) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  rig.emulator.scriptChat({ length: 200_000, paceMs: 5 });
  await composer(page).fill('Tell me a long story');
  await composer(page).press('Enter');
  await expect(assistant(page).last()).not.toBeEmpty();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export conversation' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Tell me a long story.md');
  const markdown = readFileSync(await download.path(), 'utf8');
  expect(markdown.trimEnd().endsWith('> _Stopped: this answer is incomplete._')).toBe(true);
});
