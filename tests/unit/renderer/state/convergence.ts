import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REGRESSIONS } from './regressions';
import {
  PROFILES,
  STREAMING_START,
  describeStep,
  generate,
  runSchedule,
  shrink,
  type Step,
} from './schedules';

/**
 * The interleaving test of the chat state, for one kind of schedule (a test file per kind, so
 * they run side by side). `CHAT_SCHEDULES=200000` runs more of each, `CHAT_SEED=…` from another
 * seed; `CHAT_SURVEY=1` runs them all and prints every distinct failure with its minimal
 * schedule instead of stopping at the first.
 */
const SCHEDULES = Number(process.env.CHAT_SCHEDULES ?? 5_000);
const FIRST_SEED = Number(process.env.CHAT_SEED ?? 1);
const SURVEY = process.env.CHAT_SURVEY === '1';
const LENGTH = 40;
/** Turns chatted before each schedule of a profile (edits need a history to edit). */
const HISTORY: Partial<Record<keyof typeof PROFILES, number>> = { editing: 2 };

function report(seed: number, steps: readonly Step[], failure: string): string {
  const lines = steps.map(
    (step, index) => `  ${String(index + 1).padStart(2)}. ${describeStep(step)}`,
  );
  return [
    `seed ${seed}: ${failure}`,
    `minimal schedule (${steps.length} steps; then main does all it has to, events before responses):`,
    ...lines,
    `as data: ${JSON.stringify(steps)}`,
  ].join('\n');
}

/** A failure with its ids and texts taken out, so one kind of failure is reported once. */
function kindOf(failure: string): string {
  return failure
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\[[^\]]*\]/g, '[…]')
    .replace(/\b[cmw]\d+\b/g, '#');
}

export function checkSchedules(profile: keyof typeof PROFILES): void {
  describe(`chat state converges under every ordering of events and responses (${profile})`, () => {
    beforeAll(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      // The store warns about what it could not do (a draft saved for a deleted chat…).
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    });
    afterAll(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    if (profile === 'chatting') {
      it('matches main after every schedule that once failed', async () => {
        for (const { failed, steps } of REGRESSIONS) {
          expect(await runSchedule(steps), failed).toBeNull();
        }
      });
    }

    const history = HISTORY[profile] ?? 0;
    it(`matches main after ${SCHEDULES} seeded schedules`, { timeout: 600_000 }, async () => {
      const kinds = new Map<string, number>();
      const reports: string[] = [];
      for (let seed = FIRST_SEED; seed < FIRST_SEED + SCHEDULES; seed++) {
        // Half the schedules start with an answer streaming (see STREAMING_START).
        const steps = [
          ...(seed % 2 === 1 ? STREAMING_START : []),
          ...generate(seed, LENGTH, PROFILES[profile]),
        ];
        const failure = await runSchedule(steps, history);
        if (failure === null) continue;
        const kind = kindOf(failure);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        if (kinds.get(kind) !== 1) continue;
        const minimal = await shrink(steps, (other) => kindOf(other) === kind, history);
        const after = history > 0 ? ` (after ${history} turns chatted)` : '';
        reports.push(report(seed, minimal.steps, minimal.failure + after));
        if (!SURVEY) break;
      }
      if (SURVEY) {
        console.log(
          [...kinds].map(([kind, count]) => `${count} schedules: ${kind}`).join('\n') +
            `\n\n${reports.join('\n\n')}`,
        );
      }
      expect(reports, reports.join('\n\n')).toEqual([]);
    });
  });
}
