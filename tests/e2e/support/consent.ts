import type { BrowserContext } from '@playwright/test';

/**
 * Opens the authorization URL the app asked the OS to open in a real browser tab, clicks
 * Approve (or Deny) on the emulator's consent page and returns the redirect the browser was
 * sent to: a custom-scheme URL the OS would hand to the app. Works for the OpenRouter emulator
 * (`/auth/approve`) and the YOO-AI emulator (`/oauth/approve`).
 */
export async function consentInBrowser(
  context: BrowserContext,
  authorizationUrl: string,
  choice: 'Approve' | 'Deny' = 'Approve',
): Promise<string> {
  const tab = await context.newPage();
  let location: string | null = null;
  await tab.route(/\/(?:o?auth)\/(approve|deny)$/, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    location = response.headers()['location'] ?? null;
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'handed to the OS' });
  });
  await tab.goto(authorizationUrl);
  await tab.getByRole('button', { name: choice }).click();
  await tab.waitForLoadState();
  await tab.close();
  if (!location) throw new Error('the consent page did not redirect');
  return location;
}
