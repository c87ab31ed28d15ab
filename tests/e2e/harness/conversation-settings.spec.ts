import { expect, test, type Page } from '@playwright/test';
import { assistant, turn } from '../support/chat';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const settingsButton = (page: Page) => page.getByRole('button', { name: 'Conversation settings' });
const dialog = (page: Page) => page.getByRole('dialog', { name: 'Conversation settings' });
const systemPrompt = (page: Page) => dialog(page).getByRole('textbox', { name: 'System prompt' });
const temperature = (page: Page) => dialog(page).getByRole('spinbutton', { name: 'Temperature' });
const maxTokens = (page: Page) => dialog(page).getByRole('spinbutton', { name: 'Max tokens' });
const effort = (page: Page) => dialog(page).getByRole('combobox', { name: 'Reasoning effort' });
const modelButton = (page: Page) => page.getByRole('button', { name: /^Model:/ });

async function chooseModel(page: Page, name: RegExp) {
  await modelButton(page).click();
  await page.getByRole('option', { name }).click();
  await expect(modelButton(page)).toContainText(name);
}

const sendAndWait = (page: Page, text: string, answer: string) =>
  turn(page, rig.emulator, text, answer);

test('a new chat: system prompt and temperature set before the first message are sent with it', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await expect(modelButton(page)).toContainText('GPT-4o-mini');

  // Keyboard: the header button opens the dialog, focus moves into it.
  await settingsButton(page).focus();
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeVisible();
  await expect(systemPrompt(page)).toBeFocused();
  // GPT-4o-mini takes temperature and max tokens, but does not reason.
  await expect(temperature(page)).toBeEnabled();
  await expect(maxTokens(page)).toBeEnabled();
  await expect(effort(page)).toBeDisabled();
  await expect(dialog(page)).toContainText("doesn't reason");

  await systemPrompt(page).fill('Answer like a pirate.');
  await temperature(page).fill('0.3');
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(settingsButton(page)).toBeFocused();

  await sendAndWait(page, 'Hello', 'Arr, hello.');
  const request = rig.emulator.chatRequests().at(-1)!;
  expect(request.messages).toEqual([
    { role: 'system', content: 'Answer like a pirate.' },
    { role: 'user', content: 'Hello' },
  ]);
  expect(request.body['temperature']).toBe(0.3);
  expect(request.body).not.toHaveProperty('max_tokens');
  expect(request.body).not.toHaveProperty('reasoning');

  // The conversation keeps them; Escape closes without saving.
  await settingsButton(page).click();
  await expect(systemPrompt(page)).toHaveValue('Answer like a pirate.');
  await expect(temperature(page)).toHaveValue('0.3');
  await maxTokens(page).fill('200');
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await expect(settingsButton(page)).toBeFocused();
  await sendAndWait(page, 'Again', 'Arr, again.');
  expect(rig.emulator.chatRequests().at(-1)!.body).not.toHaveProperty('max_tokens');

  // A default for new chats.
  await settingsButton(page).click();
  await systemPrompt(page).fill('Be brief.');
  await dialog(page).getByRole('checkbox', { name: 'Use as default for new chats' }).check();
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'New chat' }).first().click();
  await settingsButton(page).click();
  await expect(systemPrompt(page)).toHaveValue('Be brief.');
  await expect(temperature(page)).toHaveValue('0.3');
  await page.keyboard.press('Escape');
  await sendAndWait(page, 'New one', 'Short.');
  expect(rig.emulator.chatRequests().at(-1)!.messages[0]).toEqual({
    role: 'system',
    content: 'Be brief.',
  });
});

test('only the parameters the model lists are offered; reasoning effort is sent to a thinking model', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  await chooseModel(page, /Llama 3\.1 8B/);
  await settingsButton(page).click();
  await expect(temperature(page)).toBeDisabled();
  await expect(effort(page)).toBeDisabled();
  await expect(maxTokens(page)).toBeEnabled();
  await expect(dialog(page)).toContainText("doesn't take this setting");
  await page.keyboard.press('Escape');

  await chooseModel(page, /Claude 3\.5 Sonnet/);
  await settingsButton(page).click();
  await expect(temperature(page)).toBeEnabled();
  await expect(effort(page)).toBeEnabled();
  // Out of bounds: refused in words, the dialog stays; emptied, the model's default is used.
  await temperature(page).fill('2.5');
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  await expect(dialog(page).getByRole('alert')).toContainText(
    'Temperature must be a number from 0 to 2.',
  );
  await expect(temperature(page)).toHaveAttribute('aria-invalid', 'true');
  await temperature(page).fill('');
  await effort(page).selectOption({ label: 'High' });
  await maxTokens(page).fill('512');
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  await expect(dialog(page)).toHaveCount(0);

  await sendAndWait(page, 'Think about it', 'Thought about it.');
  const request = rig.emulator.chatRequests().at(-1)!;
  expect(request.model).toBe('anthropic/claude-3.5-sonnet');
  expect(request.body['reasoning']).toEqual({ effort: 'high' });
  expect(request.body['max_tokens']).toBe(512);
  expect(request.body).not.toHaveProperty('temperature');
  expect(request.messages.map((m) => m.role)).toEqual(['user']);
});

test('the model picked is saved on the conversation at once: it survives a restart without a send', async ({
  page,
  context,
}) => {
  const dataDir = tempDataDir();
  const harness = await rig.launch(dataDir);
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await sendAndWait(page, 'First', 'One.');
  await expect(modelButton(page)).toContainText('GPT-4o-mini');
  const sent = rig.emulator.chatRequests().length;

  await chooseModel(page, /Gemini Flash 1\.5/);
  // A later new chat uses the default; switching the default must not move this conversation.
  await page.getByRole('button', { name: 'New chat' }).first().click();
  await chooseModel(page, /Mistral Nemo/);
  await page.waitForTimeout(300);
  await harness.stop();

  const again = await rig.launch(dataDir);
  await page.goto(again.url);
  await expect(assistant(page).last()).toContainText('One.');
  await expect(modelButton(page)).toContainText('Gemini Flash 1.5');
  expect(rig.emulator.chatRequests()).toHaveLength(sent);
});

test('a 1 MB system prompt is refused with a clear message; the dialog keeps it and nothing stored is lost', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await settingsButton(page).click();
  await systemPrompt(page).fill('Keep me.');
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  await sendAndWait(page, 'Hi', 'Hello.');

  await settingsButton(page).click();
  await expect(systemPrompt(page)).toHaveValue('Keep me.');
  const huge = 'x'.repeat(1024 * 1024);
  await systemPrompt(page).evaluate((element, text) => {
    const area = element as HTMLTextAreaElement;
    area.value = text;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, huge);
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  const alert = dialog(page).getByRole('alert');
  await expect(alert).toContainText('The system prompt is too long: 1,048,576 characters');
  await expect(alert).toContainText('at most 65,536');
  await expect(dialog(page)).toBeVisible();
  expect(await systemPrompt(page).evaluate((e) => (e as HTMLTextAreaElement).value.length)).toBe(
    huge.length,
  );

  await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await settingsButton(page).click();
  await expect(systemPrompt(page)).toHaveValue('Keep me.');
  await page.keyboard.press('Escape');

  await sendAndWait(page, 'Still there?', 'Yes.');
  expect(rig.emulator.chatRequests().at(-1)!.messages[0]).toEqual({
    role: 'system',
    content: 'Keep me.',
  });

  // At the limit it is taken, in any script (65,536 Chinese characters are ~192 KB of UTF-8).
  const atLimit = '中'.repeat(65_536);
  await settingsButton(page).click();
  await systemPrompt(page).evaluate((element, text) => {
    const area = element as HTMLTextAreaElement;
    area.value = text;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }, atLimit);
  await dialog(page).getByRole('button', { name: 'Save' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await sendAndWait(page, 'Long one', 'Fine.');
  expect(rig.emulator.chatRequests().at(-1)!.messages[0]?.content).toBe(atLimit);
});
