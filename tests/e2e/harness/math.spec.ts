import { expect, test, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });

const ANSWER = [
  'Euler: $e^{i\\pi} + 1 = 0$, and \\(a^2 + b^2 = c^2\\).',
  '',
  '$$',
  '\\int_0^1 x^2\\,dx = \\frac{1}{3}',
  '$$',
  '',
  'It costs $5 and $10, as \\[\\sqrt{2} \\approx 1.414\\] says.',
  '',
].join('\n');

test('an answer with inline and display math shows MathML; dollar amounts stay text', async ({
  page,
  context,
}) => {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  rig.emulator.scriptChat({ content: ANSWER, paceMs: 5 });
  await composer(page).fill('Some math, please');
  await composer(page).press('Enter');

  const answer = assistant(page).last();
  // Two inline formulas, one display block, one display formula inside a paragraph.
  await expect(answer.locator('math')).toHaveCount(4);
  await expect(answer.locator('math[display="block"]')).toHaveCount(2);
  await expect(answer.locator('.katex-display')).toHaveCount(2);
  await expect(answer.locator('math').first()).toBeAttached();
  await expect(answer.locator('.katex-html').first()).toHaveAttribute('aria-hidden', 'true');
  await expect(answer).toContainText('It costs $5 and $10, as');
  await expect(answer.locator('annotation, a, script')).toHaveCount(0);

  // KaTeX's stylesheet and fonts came from the app's own origin under the CSP.
  const styled = await answer
    .locator('.katex')
    .first()
    .evaluate((element) => getComputedStyle(element).fontFamily);
  expect(styled).toContain('KaTeX_Main');
  await expect.poll(() => page.evaluate(() => document.fonts.check('1em KaTeX_Main'))).toBe(true);
});
