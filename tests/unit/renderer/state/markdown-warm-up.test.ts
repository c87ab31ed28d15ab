import { describe, expect, it } from 'vitest';
import { WARM_UP_SAMPLES, warmUp } from '../../../../renderer/lib/state/markdown-warm-up';

/** A fake idle queue and stream that record what ran. */
function rig() {
  const queue: (() => void)[] = [];
  const parsed: string[] = [];
  let finished = 0;
  const create = () => ({
    append: (text: string) => parsed.push(text),
    finish: () => finished++,
  });
  const runOne = () => queue.shift()?.();
  return { queue, parsed, create, runOne, finished: () => finished };
}

describe('warmUp', () => {
  it('parses each sample once, one per idle step, then schedules nothing', () => {
    const { queue, parsed, create, runOne, finished } = rig();
    warmUp(
      create,
      (step) => queue.push(step),
      () => false,
    );
    expect(parsed).toEqual([]);
    for (let step = 1; step <= WARM_UP_SAMPLES.length; step++) {
      runOne();
      expect(parsed).toHaveLength(step);
    }
    expect(parsed).toEqual(WARM_UP_SAMPLES);
    expect(finished()).toBe(WARM_UP_SAMPLES.length);
    runOne();
    expect(queue).toHaveLength(0);
  });

  it('stops as soon as an answer has used the module', () => {
    const { queue, parsed, create, runOne } = rig();
    let used = false;
    warmUp(
      create,
      (step) => queue.push(step),
      () => used,
    );
    runOne();
    used = true;
    runOne();
    expect(parsed).toHaveLength(1);
    expect(queue).toHaveLength(0);
  });
});
