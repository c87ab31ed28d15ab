import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { assistant, composer, turn as chatTurn, yours as user } from '../support/chat';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();
// axe runs in light and dark on a few screens: seconds each on a busy machine.
test.describe.configure({ timeout: 120_000 });

const editBox = (page: Page) => page.getByRole('textbox', { name: 'Edit message' });
const saveAndSend = (page: Page) => page.getByRole('button', { name: 'Save and send' });

/** axe-core (WCAG 2.1 A/AA, best practices) in light and dark: the violations found. */
async function axe(page: Page, screen: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    for (const v of violations) {
      found.push(`[${screen} · ${colorScheme}] ${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

const turn = (page: Page, text: string, answer: string) =>
  chatTurn(page, rig.emulator, text, answer);

test('edit and resend: Up-arrow edits the last message, Esc cancels, Replace confirms, the later turns are gone after a restart', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  await turn(page, 'First question', 'Answer one.');
  await turn(page, 'Second question', 'Answer two.');

  // Up-arrow in the empty composer opens the last message of mine; Esc closes it unchanged.
  await composer(page).focus();
  await composer(page).press('ArrowUp');
  await expect(editBox(page)).toHaveValue('Second question');
  await expect(editBox(page)).toBeFocused();
  await editBox(page).press('Escape');
  await expect(editBox(page)).toHaveCount(0);
  await expect(user(page).last()).toContainText('Second question');
  await expect(composer(page)).toBeFocused();

  // Editing the last message replaces only its answer: no question asked.
  await composer(page).press('ArrowUp');
  await editBox(page).fill('Second question, edited');
  rig.emulator.scriptChat({ content: 'Answer two, again.' });
  await saveAndSend(page).click();
  await expect(assistant(page).last()).toContainText('Answer two, again.');
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await expect(user(page)).toHaveCount(2);
  await expect(user(page).last()).toContainText('Second question, edited');
  await expect(page.getByText('Answer two.', { exact: true })).toHaveCount(0);
  expect(rig.emulator.chatRequests().at(-1)?.messages).toEqual([
    { role: 'user', content: 'First question' },
    { role: 'assistant', content: 'Answer one.' },
    { role: 'user', content: 'Second question, edited' },
  ]);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  // Editing the first message would replace a later turn: asked first; Cancel keeps the edit.
  await user(page).first().getByRole('button', { name: 'Edit' }).click();
  await expect(editBox(page)).toHaveValue('First question');
  await editBox(page).fill('First question, edited');
  const violations = await axe(page, 'editing');
  await saveAndSend(page).click();
  const ask = page.getByRole('alertdialog', { name: 'Replace the later messages?' });
  await expect(ask).toBeVisible();
  violations.push(...(await axe(page, 'replace confirmation')));
  expect(violations).toEqual([]);
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toHaveCount(0);
  await expect(editBox(page)).toHaveValue('First question, edited');
  await expect(user(page)).toHaveCount(2);

  rig.emulator.scriptChat({ content: 'Answer one, again.' });
  await saveAndSend(page).click();
  await ask.getByRole('button', { name: 'Replace' }).click();
  await expect(assistant(page).last()).toContainText('Answer one, again.');
  await expect(user(page)).toHaveCount(1);
  await expect(assistant(page)).toHaveCount(1);
  await expect(user(page).first()).toContainText('First question, edited');
  expect(rig.emulator.chatRequests().at(-1)?.messages).toEqual([
    { role: 'user', content: 'First question, edited' },
  ]);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  // After a restart the replaced turns stay gone.
  await harness.stop();
  const again = await rig.launch(dataDir);
  await page.goto(again.url);
  await expect(user(page).first()).toContainText('First question, edited');
  await expect(assistant(page).first()).toContainText('Answer one, again.');
  await expect(user(page)).toHaveCount(1);
  await expect(assistant(page)).toHaveCount(1);
  await expect(page.getByText('Second question')).toHaveCount(0);
});

test('a failed edit (out of credits, then offline) replaces nothing: the stored chat and the edited text stay', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await turn(page, 'Keep me', 'Kept answer.');

  await user(page).first().getByRole('button', { name: 'Edit' }).click();
  await editBox(page).fill('Changed text');
  rig.emulator.scriptChat({ status: 402 });
  await saveAndSend(page).click();
  const form = page.locator('form', { has: editBox(page) });
  await expect(form.getByRole('alert')).toBeVisible();
  await expect(form.getByRole('alert')).toContainText('Nothing was replaced');
  await expect(editBox(page)).toHaveValue('Changed text');
  expect(await axe(page, 'failed edit')).toEqual([]);
  await expect(assistant(page).first()).toContainText('Kept answer.');

  // The app keeps working: Cancel, and the stored chat is what it was, after a restart too.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(user(page).first()).toContainText('Keep me');
  await harness.stop();
  const again = await rig.launch(dataDir);
  await page.goto(again.url);
  await expect(user(page).first()).toContainText('Keep me');
  await expect(assistant(page).first()).toContainText('Kept answer.');
  await expect(page.getByText('Changed text')).toHaveCount(0);

  // Offline: still nothing replaced, the edited text still there.
  await user(page).first().getByRole('button', { name: 'Edit' }).click();
  await editBox(page).fill('Changed again');
  await rig.emulator.close();
  await saveAndSend(page).click();
  await expect(form.getByRole('alert')).toBeVisible();
  await expect(editBox(page)).toHaveValue('Changed again');
  await expect(assistant(page).first()).toContainText('Kept answer.');
  await rig.restartEmulator();
});

test('`?` and the sidebar button open the shortcut sheet; `?` in a text field is just typed; Esc in the composer stops an answer', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await expect(composer(page)).toBeVisible();

  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await composer(page).press('?');
  await expect(composer(page)).toHaveValue('?');
  await expect(sheet).toHaveCount(0);
  await composer(page).fill('');

  await page.getByRole('heading', { level: 1, name: 'New chat' }).click();
  await page.keyboard.press('?');
  await expect(sheet).toBeVisible();
  for (const name of [
    'New chat',
    'Search conversations',
    'Stop the answer',
    'Edit your last message',
    'Attach files',
  ]) {
    await expect(sheet).toContainText(name);
  }
  // Chromium on Linux in the harness: Ctrl, not ⌘.
  await expect(sheet.locator('[data-shortcut="search"] kbd')).toHaveText(['Ctrl', 'K']);
  await expect(sheet.locator('[data-shortcut="stop"] kbd')).toHaveText(['Esc']);
  expect(await axe(page, 'shortcut sheet')).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);

  const button = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await button.click();
  await expect(sheet).toBeVisible();
  await sheet.getByRole('button', { name: 'Close' }).click();
  await expect(sheet).toHaveCount(0);
  await expect(button).toBeFocused();

  rig.emulator.scriptChat({ length: 200_000, paceMs: 5 });
  await composer(page).fill('Tell me a long story');
  await composer(page).press('Enter');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(assistant(page).last()).not.toBeEmpty();
  await expect(composer(page)).toBeFocused();
  await composer(page).press('Escape');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect.poll(() => rig.emulator.disconnects().length).toBeGreaterThan(0);
  await expect(assistant(page).last()).toContainText('Stopped');
});

test('Up-arrow under a long answer scrolls back to the message and opens its edit box', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  rig.emulator.scriptChat({ length: 60_000 });
  await composer(page).fill('Short question');
  await composer(page).press('Enter');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(assistant(page).last()).not.toBeEmpty();
  // The list follows the end of the answer: the question is out of view, not even rendered.
  await expect(user(page)).toHaveCount(0);
  await composer(page).press('ArrowUp');
  await expect(editBox(page)).toHaveValue('Short question');
  await expect(editBox(page)).toBeFocused();
  await editBox(page).press('Escape');
  await expect(editBox(page)).toHaveCount(0);
});
