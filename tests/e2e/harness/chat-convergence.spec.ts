import { expect, test, type Page } from '@playwright/test';
import type { ChatScript } from '../../fixtures/openrouter-emulator';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

// Issue 10: on a loaded machine a fast answer could end before the renderer handled the reply to
// its send; that older reply ("streaming") then overwrote the finished answer, so "Stop" stayed,
// the sidebar kept its streaming dot and the answer never got its footer. The page's CPU is
// throttled and every answer streams one character at a time, 1 ms apart (about 60 pieces), so
// the whole stream can end before the slowed page has handled the reply to its send; several new
// chats in a row make the race all but certain on code that has the bug.

const rig = useEmulatorAndHarness();

/** How much slower the page's CPU runs (Chrome DevTools' "CPU throttling"). */
const CPU_SLOWDOWN = 6;
/** New chats asked, on the throttled page, after the first question. */
const ROUNDS = 7;
/** How long a finished answer may take to settle on screen before the round counts as stuck. */
const SETTLE_MS = 5_000;
/** Once "Stop" had that time to go, how long each other check waits (it reads what stayed). */
const SETTLED_MS = 2_000;
/** One character a piece, 1 ms apart: the whole answer streams in well under a second. */
const FAST = { pieceSize: 1, paceMs: 1 } as const satisfies ChatScript;
/** Display name of the model every answer comes from (the emulator's default). */
const MODEL_NAME = 'OpenAI: GPT-4o-mini';

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });
const user = (page: Page) => page.getByRole('article', { name: 'Your message' });
const conversations = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

/** A plain-text answer (no markdown), ending in a marker that shows it arrived whole. */
function answerFor(round: number): string {
  return `Answer ${round}: alpha bravo charlie delta echo. END-OF-ANSWER-${round}`;
}

/**
 * Asks `question` in the open chat and checks that its answer settles as a user sees it: the
 * whole text, "Send" instead of "Stop", the footer (model, tokens, cost) and no streaming dot on
 * the conversation in the sidebar. Soft checks, so a stuck round reports everything that stayed.
 */
async function askAndCheck(
  page: Page,
  round: number,
  question: string,
  pace: Pick<ChatScript, 'pieceSize' | 'paceMs'>,
): Promise<void> {
  const answer = answerFor(round);
  rig.emulator.scriptChat({ content: answer, ...pace });
  await composer(page).fill(question);
  await composer(page).press('Enter');
  await expect(user(page).last()).toContainText(question);
  const reply = assistant(page).last();
  await expect(reply, `round ${round}: the answer arrives in full`).toContainText(answer);

  // The first check gives the answer time to settle; the others then read what stayed on screen.
  await expect
    .soft(page.getByRole('button', { name: 'Stop' }), `round ${round}: "Stop" goes away`)
    .toBeHidden({ timeout: SETTLE_MS });
  const settled = { timeout: SETTLED_MS };
  await expect
    .soft(page.getByRole('button', { name: 'Send' }), `round ${round}: "Send" is back`)
    .toBeVisible(settled);
  await expect
    .soft(reply, `round ${round}: the answer is no longer busy`)
    .toHaveAttribute('aria-busy', 'false', settled);
  await expect
    .soft(reply.getByText(MODEL_NAME, { exact: true }), `round ${round}: footer shows the model`)
    .toBeVisible(settled);
  await expect
    .soft(reply.getByText(/^\d[\d,]* tokens$/), `round ${round}: footer shows the tokens`)
    .toBeVisible(settled);
  await expect
    .soft(reply.getByText(/^\$\d/), `round ${round}: footer shows the cost`)
    .toBeVisible(settled);
  // While it streams, the entry's name ends in "Answering…" (the hidden label of its dot).
  const entry = conversations(page).getByRole('link', { name: question });
  await expect(entry, `round ${round}: the conversation is listed`).toBeVisible();
  await expect
    .soft(entry, `round ${round}: the sidebar entry has no streaming dot`)
    .toHaveAccessibleName(question, settled);
}

test('fast answers in new chats on a loaded machine end with Send, footer and no streaming dot', async ({
  page,
  context,
}) => {
  const harness = await rig.launch();
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);

  // The first question, on an idle machine with an answer at an ordinary pace, is the control:
  // the reply to the send is handled long before the answer ends, and every check holds.
  await askAndCheck(page, 0, 'First question: what is a latch key?', { pieceSize: 2, paceMs: 20 });

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  for (let round = 1; round <= ROUNDS && test.info().errors.length === 0; round++) {
    await page.getByRole('button', { name: 'New chat' }).click();
    await expect(user(page)).toHaveCount(0);
    await askAndCheck(page, round, `Question ${round} in a new chat`, FAST);
  }
});
