import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROFILES, STREAMING_START, describeStep, generate, runSchedule } from './schedules';

/**
 * Reasoning under the interleaving test: every schedule starts with an answer streaming (the
 * scripted main's every other answer thinks first, so this one does), then random steps. After
 * each animation frame, a streaming answer must show exactly the reasoning and text main had
 * sent at its revision, and at the end both must match main's.
 */
const SCHEDULES = Number(process.env.CHAT_SCHEDULES ?? 5_000) / 5;
const FIRST_SEED = Number(process.env.CHAT_SEED ?? 1);

describe('reasoning converges like the answer text', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it(`matches main mid-stream and at the end after ${SCHEDULES} seeded schedules`, async () => {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SCHEDULES; seed++) {
      const steps = [...STREAMING_START, ...generate(seed, 40, PROFILES.chatting)];
      const failure = await runSchedule(steps);
      if (failure !== null) {
        expect.fail(`seed ${seed}: ${failure}\n${steps.map(describeStep).join('\n')}`);
      }
    }
  }, 120_000);
});
