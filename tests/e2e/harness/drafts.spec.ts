import { expect, test, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const user = (page: Page) => page.getByRole('article', { name: 'Your message' });

test("a new chat's draft survives a restart, and goes with the conversation its send creates", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000); // three launches of the harness
  const dataDir = tempDataDir();
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  // An earlier conversation exists: at startup the half-typed new chat wins over reopening it.
  rig.emulator.scriptChat({ content: 'First answer.' });
  await composer(page).fill('An earlier chat');
  await composer(page).press('Enter');
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText(
    'First answer.',
  );
  await page.getByRole('button', { name: 'New chat' }).click();
  await composer(page).fill('half a first message, 半句话');
  await page.waitForTimeout(800);
  await harness.stop();

  const again = await rig.launch(dataDir);
  await page.goto(again.url);
  await expect(composer(page)).toHaveValue('half a first message, 半句话');
  await expect(user(page)).toHaveCount(0);

  // Sent: the text is the conversation's message, and the new chat starts empty next time.
  rig.emulator.scriptChat({ content: 'Second answer.' });
  await composer(page).press('Enter');
  await expect(user(page)).toContainText('half a first message, 半句话');
  await expect(composer(page)).toHaveValue('');
  await page.waitForTimeout(800);
  await again.stop();

  const third = await rig.launch(dataDir);
  await page.goto(third.url);
  await expect(user(page)).toContainText('half a first message, 半句话');
  await expect(composer(page)).toHaveValue('');
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(composer(page)).toHaveValue('');
});
