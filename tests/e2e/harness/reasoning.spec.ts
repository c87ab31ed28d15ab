import { expect, test, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });

const REASONING =
  'First I add the **numbers**: 6 × 7.\n\n- six sevens\n- that is 42\n\nSo the answer is 42, 答案.';
const ANSWER = 'The answer is **42**.';

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

test('reasoning streams open under "Thinking…", collapses to "Thought for N s", expands, goes back to the provider, survives a restart', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  rig.emulator.scriptChat({
    reasoning: REASONING,
    content: ANSWER,
    pieceSize: 3,
    paceMs: 40,
    thinkMs: 1_500,
  });
  await send(page, 'What is 6 × 7?');

  const answer = assistant(page).last();
  const thinking = answer.getByRole('button', { name: /^Thinking/ });
  await expect(thinking).toBeVisible();
  await expect(thinking).toHaveAttribute('aria-expanded', 'true');
  const region = answer.getByRole('region', { name: 'Reasoning' });
  await expect(region).toBeVisible();
  await expect(region).toContainText('First I add');

  // The answer starts: the section collapses and says how long the model thought.
  const thought = answer.getByRole('button', { name: /^Thought for \d+ s$/ });
  await expect(thought).toBeVisible({ timeout: 15_000 });
  await expect(thought).toHaveAttribute('aria-expanded', 'false');
  await expect(answer.getByRole('region', { name: 'Reasoning' })).toBeHidden();
  await expect(answer.locator('strong')).toHaveText('42');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  const seconds = Number(/(\d+)/.exec((await thought.textContent()) ?? '')?.[1]);
  expect(seconds).toBeGreaterThanOrEqual(2);
  // Reasoning never becomes part of the answer; the usage line counts its tokens.
  await expect(answer).not.toContainText('six sevens');
  await expect(answer).toContainText(/\d+ reasoning tokens/);

  // Expanded: the reasoning as sanitized markdown.
  await thought.click();
  await expect(thought).toHaveAttribute('aria-expanded', 'true');
  await expect(region).toBeVisible();
  await expect(region.locator('strong')).toHaveText('numbers');
  await expect(region.getByRole('listitem')).toHaveCount(2);
  await thought.click();
  await expect(region).toBeHidden();

  // The next turn sends the reasoning_details back with the answer they came with.
  rig.emulator.scriptChat({ content: 'Next answer.' });
  await send(page, 'And 7 × 8?');
  await expect(assistant(page).last()).toContainText('Next answer.');
  const request = rig.emulator.chatRequests().at(-1)!;
  const messages = request.body.messages as { role: string; reasoning_details?: unknown[] }[];
  const previous = messages.find((m) => m.role === 'assistant');
  expect(previous?.reasoning_details).toEqual([
    expect.objectContaining({ type: 'reasoning.text', text: REASONING }),
  ]);
  const contents = (request.body.messages as { content: unknown }[]).map((m) => String(m.content));
  expect(contents.some((content) => content.includes('six sevens'))).toBe(false);
  // An answer without reasoning has no section.
  await expect(
    assistant(page)
      .last()
      .getByRole('button', { name: /^(Thinking|Thought)/ }),
  ).toHaveCount(0);

  await harness.stop();
  const again = await rig.launch(dataDir);
  await page.goto(again.url);
  const reopened = assistant(page).first();
  const reopenedThought = reopened.getByRole('button', { name: `Thought for ${seconds} s` });
  await expect(reopenedThought).toBeVisible();
  await expect(reopenedThought).toHaveAttribute('aria-expanded', 'false');
  await reopenedThought.click();
  await expect(reopened.getByRole('region', { name: 'Reasoning' })).toContainText('six sevens');
  await expect(reopened).toContainText(/\d+ reasoning tokens/);
});

test('Stop while the model thinks keeps the reasoning so far; the app keeps working', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  rig.emulator.scriptChat({ reasoning: 'hmm '.repeat(5_000), content: ANSWER, paceMs: 20 });
  await send(page, 'Think forever');
  const answer = assistant(page).last();
  await expect(answer.getByRole('button', { name: /^Thinking/ })).toBeVisible();
  await expect(answer.getByRole('region', { name: 'Reasoning' })).toContainText('hmm');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  const thought = answer.getByRole('button', { name: /^Thought/ });
  await expect(thought).toBeVisible();
  await expect(answer).toContainText('Stopped');

  rig.emulator.scriptChat({ content: 'Still here.' });
  await send(page, 'Hello?');
  await expect(assistant(page).last()).toContainText('Still here.');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
