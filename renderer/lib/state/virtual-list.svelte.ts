import { tick } from 'svelte';

/** Pixels from the bottom within which the list counts as "at the latest message". */
const BOTTOM_SLACK = 32;
/** How long after a wheel, touch or key the next scroll counts as the user's own. */
const INTENT_MS = 400;
const NAV_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);

/**
 * A vertical list that renders only the items in and near the viewport, for conversations of
 * any length (performance.md: DOM ≤ 5,000 nodes). Items flow normally between a top and a bottom
 * spacer; heights start as estimates and are replaced by measured ones (one shared
 * ResizeObserver, whose entries carry the sizes, so nothing reads layout in a loop). When a
 * measured item above the viewport differs from its estimate, the scroll position is shifted by
 * the difference so the visible content stays put (native scroll anchoring is turned off on
 * the scroller so the two never compensate twice).
 *
 * While `follow` is set the list stays pinned to the bottom (streaming answers grow into view);
 * the user scrolling up clears it, scrolling back to the bottom or `jumpToLatest` sets it again.
 */
export class VirtualList<T extends { readonly id: string }> {
  /** The scroller's scroll position, as last reported by a scroll event while not following. */
  scrollTop = $state(0);
  /** The scroller's height; a guess from the window until the first measurement. */
  viewport = $state(Math.max(0, globalThis.innerHeight - 160));
  /** Pinned to the newest item. */
  follow = $state(true);

  readonly #items: () => readonly T[];
  readonly #estimate: (item: T) => number;
  readonly #overscan: number;
  /** Whether reaching the bottom pins the list there (a chat); false for a list read from the top. */
  readonly #follows: boolean;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read through `#version`
  readonly #heights = new Map<string, number>();
  readonly #estimates = new WeakMap<T, number>();
  #version = $state(0);
  #scroller: HTMLElement | null = null;
  #observer: ResizeObserver | null = null;
  readonly #targets = new WeakMap<Element, string>();
  #intentUntil = 0;
  #dragging = false;
  #lastTop = 0;

  readonly #offsets: Float64Array;
  readonly #index: ReadonlyMap<string, number>;
  /** Where the viewport is, or will be once pinned to the bottom. */
  readonly #top: number;

  /** Height of everything, measured or estimated. */
  readonly total: number;
  /** First rendered index. */
  readonly start: number;
  /** One past the last rendered index. */
  readonly end: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly visible: readonly T[];

  constructor(
    items: () => readonly T[],
    estimate: (item: T) => number,
    overscan = 800,
    follows = true,
  ) {
    this.#items = items;
    this.#estimate = estimate;
    this.#overscan = overscan;
    this.#follows = follows;
    this.follow = follows;
    this.#offsets = $derived.by(() => {
      void this.#version;
      const list = this.#items();
      const offsets = new Float64Array(list.length + 1);
      for (let index = 0; index < list.length; index++) {
        offsets[index + 1] = (offsets[index] as number) + this.#heightOf(list[index] as T);
      }
      return offsets;
    });
    this.#index = $derived(
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt, never mutated
      new Map(this.#items().map((item, index) => [item.id, index])),
    );
    this.total = $derived(this.#offsets[this.#offsets.length - 1] ?? 0);
    this.#top = $derived(this.follow ? Math.max(0, this.total - this.viewport) : this.scrollTop);
    this.start = $derived(this.#find(this.#top - this.#overscan));
    this.end = $derived(
      Math.min(this.#items().length, this.#find(this.#top + this.viewport + this.#overscan) + 1),
    );
    this.padTop = $derived(this.#offsets[this.start] ?? 0);
    this.padBottom = $derived(this.total - (this.#offsets[this.end] ?? this.total));
    this.visible = $derived(this.#items().slice(this.start, this.end));
  }

  /** Attachment for the scrolling element. */
  scroller = (element: HTMLElement): (() => void) => {
    this.#scroller = element;
    const observer = new ResizeObserver((entries) => this.#resized(entries));
    this.#observer = observer;
    observer.observe(element);
    const intent = () => (this.#intentUntil = performance.now() + INTENT_MS);
    const onKey = (event: KeyboardEvent) => {
      if (NAV_KEYS.has(event.key)) intent();
    };
    const onPointerDown = (event: PointerEvent) => {
      // Only the scrollbar itself: a press on the content is a click, not a scroll.
      if (event.target === element) this.#dragging = true;
    };
    const onPointerUp = () => (this.#dragging = false);
    const onScroll = () => this.#scrolled();
    element.addEventListener('scroll', onScroll, { passive: true });
    element.addEventListener('wheel', intent, { passive: true });
    element.addEventListener('touchmove', intent, { passive: true });
    element.addEventListener('keydown', onKey);
    element.addEventListener('pointerdown', onPointerDown);
    window.addEventListener('pointerup', onPointerUp);
    // No pin here: the observer's first report (after layout, before paint) pins the list.
    return () => {
      observer.disconnect();
      element.removeEventListener('scroll', onScroll);
      element.removeEventListener('wheel', intent);
      element.removeEventListener('touchmove', intent);
      element.removeEventListener('keydown', onKey);
      element.removeEventListener('pointerdown', onPointerDown);
      window.removeEventListener('pointerup', onPointerUp);
      this.#observer = null;
      this.#scroller = null;
    };
  };

  /** Attachment for one rendered item: its height is measured while it is on screen. */
  measure(id: string): (element: HTMLElement) => () => void {
    return (element) => {
      this.#targets.set(element, id);
      this.#observer?.observe(element);
      return () => this.#observer?.unobserve(element);
    };
  }

  /**
   * Scrolls item `id` to the top of the viewport and stops following the newest item. Done again
   * for a few frames, as the items around it render and replace estimated heights with measured
   * ones. Resolves whether the item is in the list.
   */
  async scrollToItem(id: string): Promise<boolean> {
    if (!this.#index.has(id)) return false;
    this.follow = false;
    for (let pass = 0; pass < 4; pass++) {
      if (!this.#scroller) await tick();
      const index = this.#index.get(id);
      const element = this.#scroller;
      if (index === undefined || !element) return false;
      const top = Math.max(0, (this.#offsets[index] ?? 0) - 8);
      this.scrollTop = top;
      element.scrollTop = top;
      await tick();
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return true;
  }

  /** Scrolls to the newest item and keeps following it. */
  jumpToLatest(): void {
    this.follow = true;
    this.#pin();
  }

  #heightOf(item: T): number {
    const measured = this.#heights.get(item.id);
    if (measured !== undefined) return measured;
    let estimate = this.#estimates.get(item);
    if (estimate === undefined) {
      estimate = this.#estimate(item);
      this.#estimates.set(item, estimate);
    }
    return estimate;
  }

  /** Index of the item at vertical position `y` (binary search over the prefix sums). */
  #find(y: number): number {
    const offsets = this.#offsets;
    let low = 0;
    let high = offsets.length - 2;
    if (high < 0) return 0;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((offsets[middle + 1] as number) <= y) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #resized(entries: readonly ResizeObserverEntry[]): void {
    const offsets = this.#offsets;
    let shift = 0;
    let changed = false;
    for (const entry of entries) {
      if (entry.target === this.#scroller) {
        this.viewport = entry.contentRect.height;
        continue;
      }
      const id = this.#targets.get(entry.target);
      const index = id === undefined ? undefined : this.#index.get(id);
      if (id === undefined || index === undefined) continue;
      const size = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
      const before = (offsets[index + 1] as number) - (offsets[index] as number);
      if (Math.abs(size - before) < 0.5) continue;
      this.#heights.set(id, size);
      changed = true;
      if ((offsets[index + 1] as number) <= this.scrollTop) shift += size - before;
    }
    if (changed) this.#version++;
    if (this.follow) this.#pin();
    else if (shift !== 0 && this.#scroller) {
      this.scrollTop += shift;
      this.#scroller.scrollTop = this.scrollTop;
    }
  }

  #scrolled(): void {
    const element = this.#scroller;
    if (!element) return;
    const top = element.scrollTop;
    const upwards = top < this.#lastTop - 1;
    this.#lastTop = top;
    const byUser = this.#dragging || performance.now() < this.#intentUntil;
    const distance = element.scrollHeight - top - element.clientHeight;
    if (byUser && upwards) this.follow = false;
    else if (distance <= BOTTOM_SLACK) this.follow = this.#follows;
    else if (byUser) this.follow = false;
    // While following, the rendered range goes by the bottom, not by `scrollTop`: the scroll
    // events of a growing answer (one a frame) then change no state and cost no update.
    if (!this.follow) this.scrollTop = top;
  }

  /** Scrolls to the bottom now and again once pending updates reached the DOM. */
  #pin(): void {
    const element = this.#scroller;
    if (!element) return;
    // Assigning past the end clamps to the bottom without reading layout.
    element.scrollTop = Number.MAX_SAFE_INTEGER;
    void tick().then(() => {
      if (this.follow && this.#scroller === element) element.scrollTop = Number.MAX_SAFE_INTEGER;
    });
  }
}
