import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';

/**
 * Which chunks of a long answer are drawn. A chunk far outside the list's viewport is hidden: it
 * is drawn as an empty box of the height it had when it left, so a 100k-token answer keeps a
 * small DOM without anything moving on screen. The last chunk (the streaming tail) always stays.
 *
 * The hidden chunks before the first drawn one — all of them while an answer streams at the
 * bottom — are drawn as one box of their summed height, not one box each: every layout of the
 * answer walks its children, and at 100k tokens the ~270 empty boxes cost a third of a
 * millisecond per frame. When that box comes near the viewport, the chunks it covers that are
 * near it are drawn again (`revealed`).
 */
export class ChunkVisibility {
  readonly #hidden = new SvelteMap<number, number>();
  readonly #count: () => number;
  readonly #rootMargin: string;
  #observer: IntersectionObserver | null = null;
  readonly #chunkOf = new WeakMap<Element, number>();
  #run: Element | null = null;

  /** Hidden chunks at the start, drawn as one box. */
  readonly leading: number;
  /** Their summed height (px). */
  readonly leadingHeight: number;

  /**
   * @param count how many chunks there are
   * @param rootMargin how far beyond the list's viewport a chunk stays drawn
   */
  constructor(count: () => number, rootMargin: string) {
    this.#count = count;
    this.#rootMargin = rootMargin;
    this.leading = $derived.by(() => {
      const last = this.#count() - 1;
      let leading = 0;
      while (leading < last && this.#hidden.has(leading)) leading++;
      return leading;
    });
    this.leadingHeight = $derived.by(() => {
      let height = 0;
      for (let index = 0; index < this.leading; index++) height += this.#hidden.get(index) ?? 0;
      return height;
    });
  }

  /** The height a hidden chunk is drawn at, or undefined when it is drawn. */
  hiddenHeight(index: number): number | undefined {
    return this.#hidden.get(index);
  }

  /** Attachment for chunk `index`'s element. */
  chunk(index: number): (element: HTMLElement) => () => void {
    return (element) => {
      this.#chunkOf.set(element, index);
      this.#observe(element);
      return () => {
        this.#observer?.unobserve(element);
        // A chunk that went into the leading box keeps its height; one that is gone forgets it.
        if (index >= untrack(() => this.#count())) this.#hidden.delete(index);
      };
    };
  }

  /** Attachment for the box that stands for the leading hidden chunks. */
  readonly run = (element: HTMLElement): (() => void) => {
    this.#run = element;
    this.#observe(element);
    return () => {
      this.#observer?.unobserve(element);
      if (this.#run === element) this.#run = null;
    };
  };

  destroy(): void {
    this.#observer?.disconnect();
    this.#observer = null;
  }

  #observe(element: HTMLElement): void {
    this.#observer ??= new IntersectionObserver((entries) => this.#onIntersect(entries), {
      root: element.closest('[data-scroll-root]'),
      rootMargin: this.#rootMargin,
    });
    this.#observer.observe(element);
  }

  #onIntersect(entries: readonly IntersectionObserverEntry[]): void {
    const last = this.#count() - 1;
    for (const entry of entries) {
      if (entry.target === this.#run) {
        if (!entry.isIntersecting || !entry.rootBounds) continue;
        // From the box's top, which is the first chunk's whatever the box holds by now (the
        // same batch may have hidden more chunks into it since it was measured).
        const shown = revealed(
          entry.boundingClientRect.top,
          this.leading,
          (index) => this.#hidden.get(index) ?? 0,
          entry.rootBounds,
        );
        for (const index of shown) this.#hidden.delete(index);
        continue;
      }
      const index = this.#chunkOf.get(entry.target);
      if (index === undefined) continue;
      if (entry.isIntersecting || index === last) this.#hidden.delete(index);
      else if (!this.#hidden.has(index)) this.#hidden.set(index, entry.boundingClientRect.height);
    }
  }
}

/**
 * The chunks among the first `count`, stacked downwards from `top` with the given heights, that
 * overlap `area` (the root's bounds, margin included).
 */
export function revealed(
  top: number,
  count: number,
  height: (index: number) => number,
  area: { readonly top: number; readonly bottom: number },
): number[] {
  const shown: number[] = [];
  let above = top;
  for (let index = 0; index < count && above < area.bottom; index++) {
    const below = above + height(index);
    if (below > area.top) shown.push(index);
    above = below;
  }
  return shown;
}
