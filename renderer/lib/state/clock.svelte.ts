import { createSubscriber } from 'svelte/reactivity';

/**
 * The current time as a reactive value: reading `now` in a template or `$derived` re-runs it
 * every `intervalMs` while something on screen reads it, and the timer stops when nothing does.
 */
export class Clock {
  readonly #subscribe: () => void;

  constructor(intervalMs: number) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs);
      return () => clearInterval(timer);
    });
  }

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

/** Ticks every second, for countdowns. */
export const clock = new Clock(1000);

/** Ticks every 15 seconds: enough for "5 minutes ago" without waking the app every second. */
export const slowClock = new Clock(15_000);
