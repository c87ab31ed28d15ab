/**
 * Work cut into slices that share a per-frame time budget, so no amount of text blocks the page:
 * a 1 MiB answer arriving at 256 KB/s is rendered over as many frames as it takes, each one short,
 * instead of in tasks of seconds (issue 12). The page stays responsive and the view catches up.
 */

/**
 * Main-thread time per frame for sliced work (ms). What a slice parses then costs the page as much
 * again or more (Svelte building its blocks, Blink styling, laying out and painting them, and the
 * garbage of it all): with 6 ms, frames of a 1 MiB answer's catch-up reached 35–49 ms, and past
 * 50 with a major GC in them; with 3 ms, 25–36 ms. The view of a 190 KB/s stream then trails it
 * by ~5 s at its end (0.3–0.5 s with 6 ms); text arriving at reading speed is never a backlog.
 */
export const FRAME_BUDGET_MS = 3;

/**
 * A slice of work: does some of it and returns true while more remains. It should stop soon after
 * `performance.now()` passes `deadline`, having always made some progress.
 */
export type Slice = (deadline: number) => boolean;

const now = (): number => performance.now();

/** The slices of the page, run once per animation frame until each is done. */
class FrameBudget {
  readonly #slices = new Set<Slice>();
  #frame: number | null = null;

  /** Runs `slice` in the coming frames until it returns false. Adding it twice runs it once. */
  schedule(slice: Slice): void {
    this.#slices.add(slice);
    this.#request();
  }

  /** A deadline for work done right now, outside a frame of this budget. */
  deadline(): number {
    return now() + FRAME_BUDGET_MS;
  }

  #request(): void {
    if (this.#frame !== null) return;
    const next = (callback: () => void): number =>
      typeof requestAnimationFrame === 'function'
        ? requestAnimationFrame(callback)
        : (setTimeout(callback, 16) as unknown as number);
    this.#frame = next(() => this.#run());
  }

  #run(): void {
    this.#frame = null;
    const deadline = now() + FRAME_BUDGET_MS;
    for (const slice of [...this.#slices]) {
      if (now() >= deadline) break;
      // Run, then queue again behind the others: slices take turns when the budget runs short.
      this.#slices.delete(slice);
      if (slice(deadline)) this.#slices.add(slice);
    }
    if (this.#slices.size > 0) this.#request();
  }
}

export const frameBudget = new FrameBudget();
