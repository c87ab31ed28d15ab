import { describe, expect, it } from 'vitest';
import { TextQueue } from '../../../../renderer/lib/state/text-queue';
import { mulberry32 } from '../../../fixtures/seeded-random';

const isHigh = (text: string) => /[\uD800-\uDBFF]$/.test(text);

describe('TextQueue', () => {
  it('hands the pieces back in order, at most `max` characters at a time', () => {
    const queue = new TextQueue();
    queue.push('abc');
    queue.push('');
    queue.push('defgh');
    expect(queue.length).toBe(8);
    expect(queue.take(2)).toBe('ab');
    expect(queue.take(4)).toBe('cdef');
    expect(queue.length).toBe(2);
    queue.push('ij');
    expect(queue.take(10)).toBe('ghij');
    expect(queue.length).toBe(0);
    expect(queue.take(10)).toBe('');
  });

  it('takes one more character rather than split a surrogate pair, within a piece or across two', () => {
    const queue = new TextQueue();
    queue.push('a🙂b');
    expect(queue.take(2)).toBe('a🙂');
    expect(queue.take(5)).toBe('b');
    queue.push('xy\uD83D');
    queue.push('\uDE42z');
    expect(queue.take(3)).toBe('xy🙂');
    expect(queue.take(3)).toBe('z');
  });

  it('clear() drops everything queued', () => {
    const queue = new TextQueue();
    queue.push('abc');
    queue.take(1);
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.take(5)).toBe('');
    queue.push('d');
    expect(queue.take(5)).toBe('d');
  });

  it('for random pieces and slice sizes, the slices join to the text and never end mid-pair', () => {
    const alphabet = ['a', 'b', ' ', '\n', 'é', '日', '🙂', '\uD83D', '\uDE42'];
    for (let seed = 1; seed <= 200; seed++) {
      const random = mulberry32(seed);
      const queue = new TextQueue();
      let pushed = '';
      let taken = '';
      for (let step = 0; step < 60; step++) {
        if (random() < 0.6) {
          let piece = '';
          const size = Math.floor(random() * 8);
          for (let i = 0; i < size; i++) piece += alphabet[Math.floor(random() * alphabet.length)];
          queue.push(piece);
          pushed += piece;
        } else {
          const slice = queue.take(1 + Math.floor(random() * 6));
          // Ends on a high surrogate only when that was the last character queued.
          if (isHigh(slice)) expect(queue.length).toBe(0);
          taken += slice;
        }
        expect(queue.length).toBe(pushed.length - taken.length);
      }
      taken += queue.take(Number.MAX_SAFE_INTEGER);
      expect(taken).toBe(pushed);
    }
  });
});
