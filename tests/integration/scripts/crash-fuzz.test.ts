/**
 * The kill -9 fuzz (scripts/crash-fuzz) inside `npm test`, with a small count: the real services
 * in a child process SIGKILLed at 20 seeded moments and restarted; nothing acknowledged may be
 * lost. `npm run test:crash` runs 500 kills.
 */
import { expect, it } from 'vitest';
import { runCrashFuzz, summaryLine } from '../../../scripts/crash-fuzz/fuzz';

const KILLS = 20;

it(`keeps everything acknowledged across ${KILLS} kill -9s`, async () => {
  const seed = Number(process.env['LATCHKEY_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  const summary = await runCrashFuzz({
    kills: KILLS,
    seed,
    minKillMs: 100,
    maxKillMs: 800,
    maxAnswerChars: 12_000,
  });
  console.log(`${summaryLine(summary)} (LATCHKEY_CRASH_SEED=${seed} repeats it)`);
  expect(summary.problems).toEqual([]);
  expect(summary.kills).toBe(KILLS);
  expect(summary.restarts).toBe(KILLS);
}, 90_000);
