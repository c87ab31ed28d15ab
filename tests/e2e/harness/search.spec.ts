import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const LONG = '3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a';
const OTHER = '8a7b6c5d-4e3f-4a1b-8c2d-1e0f9a8b7c6d';
const T0 = Date.UTC(2025, 5, 1);

function message(id: string, role: 'user' | 'assistant', content: string, at: number) {
  return {
    id,
    revision: 1,
    role,
    content,
    createdAt: at,
    status: 'complete',
    model: role === 'assistant' ? 'openai/gpt-4o-mini' : null,
    usage: null,
    finishReason: role === 'assistant' ? 'stop' : null,
    error: null,
  };
}

/**
 * Two conversations on disk before launch: a long one whose match is far above its latest
 * message (so opening it at the match means scrolling), and a short one. Plus a damaged index.
 */
function seed(dataDir: string): void {
  const dir = join(dataDir, 'conversations');
  mkdirSync(dir, { recursive: true });
  const messages = Array.from({ length: 80 }, (_, i) =>
    message(
      `m-${i}`,
      i % 2 === 0 ? 'user' : 'assistant',
      i === 21
        ? 'Leaves turn light into sugar: this is 光合作用 (photosynthesis), in the chloroplasts.'
        : `Filler paragraph number ${i} about nothing in particular.\n\n${'lorem ipsum '.repeat(40)}`,
      T0 + i * 1000,
    ),
  );
  const conversation = (id: string, title: string, list: unknown[]) => ({
    version: 1,
    id,
    provider: 'openrouter',
    title,
    createdAt: T0,
    updatedAt: T0 + 100_000,
    model: 'openai/gpt-4o-mini',
    messages: list,
  });
  writeFileSync(
    join(dir, `${LONG}.json`),
    JSON.stringify(conversation(LONG, 'Botany notes', messages)),
  );
  writeFileSync(
    join(dir, `${OTHER}.json`),
    JSON.stringify(
      conversation(OTHER, 'Trip to Lisbon', [
        message('o-1', 'user', 'Plan a weekend in Lisbon', T0),
        message('o-2', 'assistant', 'Day one: Alfama and the tram 28.', T0 + 1),
      ]),
    ),
  );
  writeFileSync(join(dataDir, 'search-index.bin'), 'this is not a search index');
}

const searchbox = (page: Page) => page.getByRole('searchbox', { name: 'Search conversations' });
const dialog = (page: Page) => page.getByRole('dialog', { name: 'Search conversations' });

test('Ctrl+K finds Chinese and English text, Enter opens the conversation at the match', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  seed(dataDir);
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.click();

  await page.keyboard.press('Control+K');
  await expect(dialog(page)).toBeVisible();
  await expect(searchbox(page)).toBeFocused();

  // Operators and blanks are no query; a 10 KB paste is accepted and finds nothing.
  await searchbox(page).fill('*');
  await expect(dialog(page)).toContainText('Type a word or a few characters to search for.');
  await searchbox(page).fill('"');
  await expect(dialog(page)).toContainText('Type a word or a few characters to search for.');
  await searchbox(page).fill('zebra '.repeat(1800));
  await expect(dialog(page)).toContainText('No results for');
  await expect(page.getByRole('option')).toHaveCount(0);

  // The damaged index was moved aside and rebuilt from the conversations: nothing is lost.
  await searchbox(page).fill('合作');
  const results = page.getByRole('listbox', { name: 'Results' });
  await expect(results.getByRole('option')).toHaveCount(1);
  await expect(results.getByRole('option').first()).toContainText('Botany notes');
  await expect(results.locator('mark').first()).toHaveText('合作');
  expect(readdirSync(dataDir).some((f) => /^search-index\.corrupt-.*\.bin$/.test(f))).toBe(true);

  await searchbox(page).fill('lisb');
  await expect(results.getByRole('option')).toHaveCount(1);
  await expect(results.getByRole('option')).toHaveAttribute('aria-selected', 'true');
  await expect(results.locator('mark').first()).toHaveText('Lisbon');

  // Esc closes, and the focus goes back where it was.
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await expect(composer).toBeFocused();

  await page.getByRole('button', { name: 'Search conversations' }).click();
  await searchbox(page).fill('photosynthesis chloro');
  await expect(results.getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Botany notes' })).toBeVisible();
  const match = page.getByRole('article').filter({ hasText: 'this is 光合作用 (photosynthesis)' });
  await expect(match).toBeInViewport();
  await expect(page.getByRole('article').filter({ hasText: 'number 79' })).not.toBeInViewport();
});

test('a message is searchable as soon as its answer completes, titles too', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  rig.emulator.scriptChat({ content: 'The capital of Australia is Canberra, 堪培拉.' });
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill('Which city is the capital of Australia?');
  await composer.press('Enter');
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText('Canberra');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  await page.keyboard.press('Control+K');
  await searchbox(page).fill('堪培');
  const option = page.getByRole('listbox', { name: 'Results' }).getByRole('option');
  await expect(option).toHaveCount(1);
  await expect(option).toContainText('Which city is the capital of Australia?');
  await searchbox(page).fill('nothing-like-this-anywhere');
  await expect(dialog(page)).toContainText('No results for “nothing-like-this-anywhere”.');
  await searchbox(page).fill('canb');
  await option.click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.getByRole('article', { name: 'Assistant message' })).toBeInViewport();
});
