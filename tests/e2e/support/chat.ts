import { expect, type Page } from '@playwright/test';
import type { OpenRouterEmulator } from '../../fixtures/openrouter-emulator';

/** The chat window by its accessible names (product.md), shared by the chat specs. */
export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
export const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });
export const yours = (page: Page) => page.getByRole('article', { name: 'Your message' });

/** Sends `text` and waits until `answer` has streamed in and the chat is idle again. */
export async function turn(
  page: Page,
  emulator: OpenRouterEmulator,
  text: string,
  answer: string,
): Promise<void> {
  emulator.scriptChat({ content: answer });
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect(assistant(page).last()).toContainText(answer);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
}
