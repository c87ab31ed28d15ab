import { expect, type BrowserContext, type Page } from '@playwright/test';
import { consentInBrowser } from './consent';
import type { Harness } from './harness';

/** Signs in through the UI: click, approve in a browser tab, deliver the redirect as a deep link. */
export async function signInThroughBrowser(
  page: Page,
  context: BrowserContext,
  harness: Harness,
): Promise<void> {
  const before = (await harness.openedUrls()).length;
  await page.getByRole('button', { name: 'Sign in with OpenRouter' }).click();
  const authorizationUrl = await harness.nextOpenedUrl(before);
  await harness.deliverDeepLink(await consentInBrowser(context, authorizationUrl));
  await expect(page.getByRole('status').filter({ hasText: 'Signed in' }).first()).toBeVisible();
}
