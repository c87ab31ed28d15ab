import { expect, test } from '@playwright/test';
import { generateConversations } from '../../../scripts/generate-conversations';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

test('1,000 conversations: the sidebar keeps a window of rows, scrolls to the oldest, renames and deletes from the keyboard', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  generateConversations({ dir: dataDir, count: 1_000, seed: 3 });
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  const list = page.getByRole('navigation', { name: 'Conversations' });
  const rows = list.getByRole('link');
  await expect(rows.first()).toBeVisible();
  // Virtualized: the rows in and near the viewport, not 1,000.
  expect(await rows.count()).toBeLessThan(100);
  await expect(list.getByRole('heading', { name: 'Today' })).toBeVisible();

  // Scrolled to the end: the oldest rows, still a window (the newest are no longer in the DOM).
  const newest = list.locator(`#${(await rows.first().getAttribute('id')) ?? ''}`);
  await expect(async () => {
    await list.evaluate((element) => (element.scrollTop = element.scrollHeight));
    await expect(rows.last()).toBeInViewport();
    await expect(newest).toHaveCount(0);
  }).toPass();
  expect(await rows.count()).toBeLessThan(100);

  // Back at the top: Tab from a row reaches its tools; rename with the keyboard.
  await list.evaluate((element) => (element.scrollTop = 0));
  await expect(newest).toBeVisible();
  const first = rows.first();
  const title = (await first.textContent())?.trim() ?? '';
  await first.focus();
  await page.keyboard.press('Tab');
  await expect(list.getByRole('button', { name: 'Rename conversation' })).toBeFocused();
  await page.keyboard.press('Enter');
  const name = list.getByRole('textbox', { name: 'Conversation name' });
  await expect(name).toBeFocused();
  await name.fill('Renamed from the keyboard');
  await page.keyboard.press('Enter');
  const renamed = list.getByRole('link', { name: 'Renamed from the keyboard' });
  await expect(renamed).toBeFocused();
  await expect(list.getByRole('link', { name: title, exact: true })).toHaveCount(0);

  // Open it (the active row keeps its tools), then delete it through the dialog.
  await renamed.click();
  await expect(renamed).toHaveAttribute('aria-current', 'page');
  await list.getByRole('button', { name: 'Delete conversation' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(renamed).toHaveCount(0);
  expect(await rows.count()).toBeGreaterThan(10);
});
