import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const TRIP = '3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a';
const RECIPES = '8a7b6c5d-4e3f-4a1b-8c2d-1e0f9a8b7c6d';
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
 * The data dir a sync tool left behind: damaged credentials, settings and model list (found at
 * startup, before any page is connected), and a conversation the index lists whose file was cut short (found only when it
 * is opened, with the page connected). "Recipes" is intact and the most recent.
 */
function seed(dataDir: string): void {
  writeFileSync(join(dataDir, 'credentials.json'), '{"version":1,"providers":{"openrouter":');
  writeFileSync(join(dataDir, 'settings.json'), '');
  writeFileSync(join(dataDir, 'models.json'), '[]');
  const dir = join(dataDir, 'conversations');
  mkdirSync(dir, { recursive: true });
  const conversation = (id: string, title: string, updatedAt: number, text: string) => ({
    version: 1,
    id,
    provider: 'openrouter',
    title,
    createdAt: T0,
    updatedAt,
    model: 'openai/gpt-4o-mini',
    messages: [
      message(`${id}-u`, 'user', title, T0),
      message(`${id}-a`, 'assistant', text, updatedAt),
    ],
  });
  const trip = conversation(TRIP, 'Trip plans', T0 + 1000, 'Day one: Alfama.');
  const recipes = conversation(RECIPES, 'Recipes', T0 + 2000, 'Soup of the day.');
  const entry = ({ messages, version: _version, ...rest }: typeof trip) => ({
    ...rest,
    messageCount: messages.length,
  });
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ version: 1, conversations: [entry(recipes), entry(trip)], drafts: {} }),
  );
  const tripText = JSON.stringify(trip);
  writeFileSync(join(dir, `${TRIP}.json`), tripText.slice(0, Math.floor(tripText.length / 2)));
  writeFileSync(join(dir, `${RECIPES}.json`), JSON.stringify(recipes));
}

const notice = (page: Page, text: string) => page.getByRole('alert').filter({ hasText: text });
const SIGN_IN_DAMAGED = 'Your saved sign-in was damaged and moved aside, so you are signed out.';
const TRIP_DAMAGED = 'A damaged conversation file was moved aside: Trip plans.';
const SETTINGS_DAMAGED = 'Settings were damaged and reset to defaults.';
const MODELS_DAMAGED = 'The saved model list was damaged.';
/** Any notice of a file moved aside (each names where it is kept). */
const ANY = 'It is kept at';

test('damaged files: notices raised before and after the page connects, kept until dismissed', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  seed(dataDir);
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);

  // Raised at startup, before the page existed: shown when it loads.
  await expect(notice(page, SIGN_IN_DAMAGED)).toBeVisible();
  await expect(notice(page, SIGN_IN_DAMAGED)).toContainText('credentials.corrupt-');
  await expect(notice(page, SETTINGS_DAMAGED)).toBeVisible();
  await expect(notice(page, MODELS_DAMAGED)).toBeVisible();
  await signInThroughBrowser(page, context, harness);
  await expect(notice(page, SIGN_IN_DAMAGED)).toBeVisible();

  // Raised while the page is connected: opening the damaged conversation.
  const conversations = page.getByRole('navigation', { name: 'Conversations' });
  await expect(conversations.getByRole('link', { name: 'Recipes' })).toBeVisible();
  await conversations.getByRole('link', { name: 'Trip plans' }).click();
  // A fourth notice waits behind the three shown, and shows once one is dismissed.
  await expect(
    page.getByRole('status').filter({ hasText: 'More notices waiting: 1' }),
  ).toBeVisible();
  await expect(notice(page, TRIP_DAMAGED)).toHaveCount(0);
  await notice(page, SETTINGS_DAMAGED).getByRole('button', { name: 'Got it' }).click();
  await expect(notice(page, TRIP_DAMAGED)).toBeVisible();
  await expect(page.getByText('More notices waiting')).toHaveCount(0);
  await expect(notice(page, TRIP_DAMAGED)).toContainText(`${TRIP}.corrupt-`);
  await expect(
    page.getByRole('alert').filter({ hasText: "This conversation's file is damaged" }),
  ).toBeVisible();
  // Not the sign-in wording a damaged conversation used to get.
  await expect(page.getByText("The sign-in saved on this device couldn't be read")).toHaveCount(0);
  await expect(conversations.getByRole('link', { name: 'Trip plans' })).toHaveCount(0);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const { violations } = await new AxeBuilder({ page })
      .include('[role="alert"]')
      .withTags(['wcag2a', 'wcag2aa', 'wcag21aa'])
      .analyze();
    expect(violations.map((v) => `${colorScheme}: ${v.id}`)).toEqual([]);
  }
  await conversations.getByRole('link', { name: 'Recipes' }).click();
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText(
    'Soup of the day.',
  );

  // Every damaged file was moved aside, not deleted.
  for (const name of ['credentials', 'settings', 'models']) {
    expect(readdirSync(dataDir).filter((f) => f.startsWith(`${name}.corrupt-`))).toHaveLength(1);
  }
  const aside = readdirSync(join(dataDir, 'conversations'));
  expect(aside.filter((f) => f.startsWith(`${TRIP}.corrupt-`))).toHaveLength(1);

  // Dismissed in main: a reload does not bring them back.
  await notice(page, TRIP_DAMAGED).getByRole('button', { name: 'Got it' }).click();
  await notice(page, SIGN_IN_DAMAGED).getByRole('button', { name: 'Got it' }).click();
  await notice(page, MODELS_DAMAGED).getByRole('button', { name: 'Got it' }).click();
  await expect(notice(page, ANY)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(conversations.getByRole('link', { name: 'Recipes' })).toBeVisible();
  await expect(notice(page, ANY)).toHaveCount(0);
});
