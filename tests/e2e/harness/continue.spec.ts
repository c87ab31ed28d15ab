import { expect, test } from '@playwright/test';
import { assistant, composer } from '../support/chat';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

/** `w0 w1 w2 …`: plain words, so the text on screen is the text streamed. */
const words = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `w${from + i}`).join(' ');

test('an answer cut off by a crash comes back as incomplete, and Continue finishes it', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  // About 30 s of streaming: it is still going when the app is killed.
  rig.emulator.scriptChat({ content: words(0, 3000), pieceSize: 8, paceMs: 80 });
  await composer(page).fill('Tell me a long story');
  await composer(page).press('Enter');
  await expect(assistant(page).last()).toContainText('w40');
  const seen = await assistant(page).last().innerText();
  const lastWord = Number(/w(\d+)\s*$/.exec(seen.trim())?.[1]);
  // Checkpoints are at most a second apart: what was on screen 1.5 s before the kill is saved.
  await page.waitForTimeout(1500);
  await harness.kill();

  const again = await rig.launch(dataDir);
  await page.goto(again.url);
  const cut = assistant(page).last();
  await expect(cut).toContainText(`w${lastWord - 1} `);
  await expect(cut).toContainText('Incomplete');
  await expect(page.getByRole('button', { name: 'Regenerate' }).last()).toBeVisible();
  const kept = (await cut.innerText()).match(/w\d+/g) ?? [];
  const keptLast = Number(kept.at(-1)?.slice(1));
  expect(keptLast).toBeGreaterThanOrEqual(lastWord - 1);

  rig.emulator.scriptChat({ content: ' THE END.' });
  await page.getByRole('button', { name: 'Continue' }).last().click();
  await expect(cut).toContainText('THE END.');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(cut).not.toContainText('Incomplete');
  // One answer, continued: its earlier text is still there, before the new end.
  await expect(assistant(page)).toHaveCount(1);
  await expect(cut).toContainText(`w${lastWord - 1} `);

  // The model was asked to continue its own text: the request ends with the partial answer.
  const request = rig.emulator.chatRequests().at(-1);
  const messages = (request?.body as { messages?: { role: string; content: unknown }[] })?.messages;
  expect(messages?.at(-1)?.role).toBe('assistant');
  expect(String(messages?.at(-1)?.content)).toContain(`w${lastWord - 1} `);
});
