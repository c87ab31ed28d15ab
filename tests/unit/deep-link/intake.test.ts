import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_QUEUED, DeepLinkIntake } from '../../../main/deep-link/intake';

const url = (n: number): string => `app.latchkey://oauth/openrouter/n?code=${n}`;

describe('DeepLinkIntake (security.md 4)', () => {
  it('queues URLs until a handler is attached, then replays them once, in order', () => {
    const intake = new DeepLinkIntake();
    intake.deliver(url(1));
    intake.deliver(url(2));
    expect(intake.queued).toBe(2);

    const seen: string[] = [];
    const detach = intake.attach((u) => seen.push(u));
    expect(seen).toEqual([url(1), url(2)]);
    expect(intake.queued).toBe(0);

    detach();
    intake.attach((u) => seen.push(u));
    expect(seen).toEqual([url(1), url(2)]);
  });

  it('delivers directly once attached, repeats included', () => {
    const intake = new DeepLinkIntake();
    const handler = vi.fn();
    intake.attach(handler);
    intake.deliver(url(1));
    intake.deliver(url(1));
    expect(handler.mock.calls).toEqual([[url(1)], [url(1)]]);
  });

  it('drops consecutive duplicates while queued, keeps non-consecutive ones', () => {
    const intake = new DeepLinkIntake();
    for (const n of [1, 1, 2, 1, 1]) intake.deliver(url(n));
    const handler = vi.fn();
    intake.attach(handler);
    expect(handler.mock.calls).toEqual([[url(1)], [url(2)], [url(1)]]);
  });

  it(`keeps at most ${DEFAULT_MAX_QUEUED} URLs, dropping the oldest`, () => {
    const intake = new DeepLinkIntake();
    for (let n = 0; n < DEFAULT_MAX_QUEUED + 4; n++) intake.deliver(url(n));
    const seen: string[] = [];
    intake.attach((u) => seen.push(u));
    expect(seen).toHaveLength(DEFAULT_MAX_QUEUED);
    expect(seen[0]).toBe(url(4));
    expect(seen.at(-1)).toBe(url(DEFAULT_MAX_QUEUED + 3));
  });

  it('honours maxQueued', () => {
    const intake = new DeepLinkIntake({ maxQueued: 2 });
    for (const n of [1, 2, 3]) intake.deliver(url(n));
    const handler = vi.fn();
    intake.attach(handler);
    expect(handler.mock.calls).toEqual([[url(2)], [url(3)]]);
  });

  it('reports handler errors through onError and keeps going', () => {
    const onError = vi.fn();
    const intake = new DeepLinkIntake({ onError });
    const boom = new Error('boom');
    intake.deliver(url(1));
    intake.deliver(url(2));
    const seen: string[] = [];
    intake.attach((u) => {
      seen.push(u);
      throw boom;
    });
    expect(() => intake.deliver(url(3))).not.toThrow();
    expect(seen).toEqual([url(1), url(2), url(3)]);
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError).toHaveBeenCalledWith(boom);
  });

  it('never throws, even without onError or when onError throws', () => {
    const thrower = (): never => {
      throw new Error('x');
    };
    const silent = new DeepLinkIntake();
    silent.attach(thrower);
    expect(() => silent.deliver(url(1))).not.toThrow();

    const broken = new DeepLinkIntake({ onError: thrower });
    broken.attach(thrower);
    expect(() => broken.deliver(url(1))).not.toThrow();
  });

  it('queues again after detach and replays on the next attach', () => {
    const intake = new DeepLinkIntake();
    const first = vi.fn();
    const detach = intake.attach(first);
    detach();
    intake.deliver(url(1));
    expect(first).not.toHaveBeenCalled();
    const second = vi.fn();
    intake.attach(second);
    expect(second).toHaveBeenCalledWith(url(1));
  });

  it('keeps order when a URL arrives while the queue is being replayed', () => {
    const intake = new DeepLinkIntake();
    intake.deliver(url(1));
    intake.deliver(url(2));
    const seen: string[] = [];
    intake.attach((u) => {
      seen.push(u);
      if (u === url(1)) intake.deliver(url(3));
    });
    expect(seen).toEqual([url(1), url(2), url(3)]);
  });

  it('refuses a second handler; a stale detach does not remove the new one', () => {
    const intake = new DeepLinkIntake();
    const detach = intake.attach(vi.fn());
    expect(() => intake.attach(vi.fn())).toThrow(/already attached/);
    detach();
    detach();
    const handler = vi.fn();
    intake.attach(handler);
    detach();
    intake.deliver(url(1));
    expect(handler).toHaveBeenCalledWith(url(1));
  });
});
