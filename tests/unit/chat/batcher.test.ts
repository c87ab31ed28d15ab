import { describe, expect, it } from 'vitest';
import { DeltaBatcher } from '../../../main/chat/batcher';

/** A fake clock with timers: `advance` runs due timers in order, at their due time. */
class FakeClock {
  time = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  now = () => this.time;
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, fn });
    return id;
  };
  clearTimer = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };
  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = end;
  }
}

function setup(intervalMs = 16) {
  const clock = new FakeClock();
  const flushes: { text: string; seq: number; at: number }[] = [];
  const batcher = new DeltaBatcher((text, seq) => flushes.push({ text, seq, at: clock.time }), {
    intervalMs,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    now: clock.now,
  });
  return { clock, flushes, batcher };
}

describe('DeltaBatcher', () => {
  it('flushes the first piece at once, without a timer', () => {
    const { clock, flushes, batcher } = setup();
    batcher.push('Hel');
    expect(flushes).toEqual([{ text: 'Hel', seq: 0, at: 0 }]);
    expect(clock.pending).toBe(0);
  });

  it('100 pushes within 16 ms → exactly one more flush, joined in order, at the interval', () => {
    const { clock, flushes, batcher } = setup();
    batcher.push('first ');
    for (let i = 0; i < 100; i++) {
      clock.advance(0.15);
      batcher.push(`${i},`);
    }
    expect(flushes).toHaveLength(1);
    expect(clock.pending).toBe(1);
    clock.advance(16);
    expect(flushes).toHaveLength(2);
    expect(flushes[1]).toEqual({
      text: Array.from({ length: 100 }, (_, i) => `${i},`).join(''),
      seq: 1,
      at: 16,
    });
    expect(clock.pending).toBe(0);
  });

  it('a piece after a quiet interval goes out at once again', () => {
    const { clock, flushes, batcher } = setup();
    batcher.push('a');
    clock.advance(40);
    batcher.push('b');
    expect(flushes.map((f) => [f.text, f.at])).toEqual([
      ['a', 0],
      ['b', 40],
    ]);
    clock.advance(5);
    batcher.push('c');
    expect(flushes).toHaveLength(2);
    clock.advance(11);
    expect(flushes.map((f) => [f.text, f.at, f.seq])).toEqual([
      ['a', 0, 0],
      ['b', 40, 1],
      ['c', 56, 2],
    ]);
  });

  it('drain flushes pending text synchronously and leaves no timer', () => {
    const { clock, flushes, batcher } = setup();
    batcher.push('a');
    batcher.push('b');
    batcher.push('c');
    expect(clock.pending).toBe(1);
    batcher.drain();
    expect(flushes.map((f) => f.text)).toEqual(['a', 'bc']);
    expect(clock.pending).toBe(0);
    batcher.drain();
    expect(flushes).toHaveLength(2);
    clock.advance(100);
    expect(flushes).toHaveLength(2);
  });

  it('dispose cancels the timer, drops pending text and ignores later pushes', () => {
    const { clock, flushes, batcher } = setup();
    batcher.push('a');
    batcher.push('b');
    batcher.dispose();
    expect(clock.pending).toBe(0);
    batcher.push('c');
    batcher.drain();
    clock.advance(100);
    expect(flushes.map((f) => f.text)).toEqual(['a']);
    expect(clock.pending).toBe(0);
  });

  it('empty pieces are not flushed', () => {
    const { clock, flushes, batcher } = setup();
    batcher.push('');
    batcher.drain();
    expect(flushes).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('a timer that fires early does not flush inside the interval', () => {
    const clock = new FakeClock();
    const flushes: number[] = [];
    const delays: number[] = [];
    const batcher = new DeltaBatcher(() => flushes.push(clock.time), {
      now: clock.now,
      clearTimer: clock.clearTimer,
      // The first timer fires 3 ms early, as coarse timers may.
      setTimer: (fn, ms) => {
        delays.push(ms);
        return clock.setTimer(fn, delays.length === 1 ? ms - 3 : ms);
      },
    });
    batcher.push('a');
    batcher.push('b');
    clock.advance(100);
    expect(flushes).toEqual([0, 16]);
    expect(delays).toEqual([16, 3]);
  });

  it('3000 tok/s for 5 s: ≤ 1 flush per 16 ms, the first at once, nothing lost or reordered', () => {
    const { clock, flushes, batcher } = setup();
    const tokens: string[] = [];
    const step = 1000 / 3000;
    for (let i = 0; i < 15_000; i++) {
      const token = `t${i} `;
      tokens.push(token);
      batcher.push(token);
      clock.advance(step);
    }
    batcher.drain();
    expect(flushes[0]).toMatchObject({ text: 't0 ', at: 0 });
    for (let i = 1; i < flushes.length - 1; i++) {
      expect(flushes[i]!.at - flushes[i - 1]!.at).toBeGreaterThanOrEqual(16 - 1e-9);
    }
    // 5 s of stream: at most one flush per 16 ms window (+ the first, + the final drain).
    expect(flushes.length).toBeLessThanOrEqual(Math.ceil(5000 / 16) + 2);
    expect(flushes.length).toBeGreaterThan(5000 / 16 - 5);
    expect(flushes.map((f) => f.seq)).toEqual(flushes.map((_, i) => i));
    expect(flushes.map((f) => f.text).join('')).toBe(tokens.join(''));
    expect(clock.pending).toBe(0);
  });

  it('with real timers: no timer is left once drained', async () => {
    const flushes: string[] = [];
    const batcher = new DeltaBatcher((text) => flushes.push(text));
    batcher.push('a');
    batcher.push('b');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(flushes).toEqual(['a', 'b']);
    batcher.push('c');
    batcher.push('d');
    batcher.drain();
    const drained = [...flushes];
    expect(drained.join('')).toBe('abcd');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(flushes).toEqual(drained);
  });
});

describe('DeltaBatcher with reasoning', () => {
  function setupBoth() {
    const clock = new FakeClock();
    const flushes: { text: string; reasoning: string; seq: number }[] = [];
    const batcher = new DeltaBatcher(
      (text, seq, reasoning) => flushes.push({ text, reasoning, seq }),
      { setTimer: clock.setTimer, clearTimer: clock.clearTimer, now: clock.now },
    );
    return { clock, flushes, batcher };
  }

  it('reasoning and text within one interval share one flush, one seq, each joined in order', () => {
    const { clock, flushes, batcher } = setupBoth();
    batcher.push('', 'Let me ');
    batcher.push('', 'think');
    batcher.push('', '. Done.');
    batcher.push('The ');
    batcher.push('answer');
    clock.advance(16);
    expect(flushes).toEqual([
      { text: '', reasoning: 'Let me ', seq: 0 },
      { text: 'The answer', reasoning: 'think. Done.', seq: 1 },
    ]);
  });

  it('a reasoning-only piece is flushed at once like text; empty pieces are nothing', () => {
    const { clock, flushes, batcher } = setupBoth();
    batcher.push('', '');
    expect(flushes).toEqual([]);
    batcher.push('', 'hmm');
    expect(flushes).toEqual([{ text: '', reasoning: 'hmm', seq: 0 }]);
    batcher.push('', 'more');
    batcher.drain();
    expect(flushes.at(-1)).toEqual({ text: '', reasoning: 'more', seq: 1 });
    expect(clock.pending).toBe(0);
  });

  it('dispose drops pending reasoning too', () => {
    const { clock, flushes, batcher } = setupBoth();
    batcher.push('', 'a');
    batcher.push('', 'b');
    batcher.dispose();
    clock.advance(100);
    batcher.push('', 'c');
    expect(flushes).toEqual([{ text: '', reasoning: 'a', seq: 0 }]);
  });
});
