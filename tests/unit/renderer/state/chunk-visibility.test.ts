import { describe, expect, it } from 'vitest';
import { revealed } from '../../../../renderer/lib/state/chunk-visibility.svelte';

describe('revealed: the hidden chunks of the leading box that come near the viewport', () => {
  const heights = [100, 200, 300, 400, 500];
  const height = (index: number) => heights[index] ?? 0;
  // Stacked from 0: [0,100) [100,300) [300,600) [600,1000) [1000,1500).

  it('gives every chunk that overlaps the area, and only those', () => {
    expect(revealed(0, 5, height, { top: 250, bottom: 650 })).toEqual([1, 2, 3]);
    expect(revealed(0, 5, height, { top: -50, bottom: 50 })).toEqual([0]);
    expect(revealed(0, 5, height, { top: 1200, bottom: 9000 })).toEqual([4]);
  });

  it('goes by the box top, so chunks hidden into the box since it was measured still line up', () => {
    // The box was measured holding the first 2 chunks, but holds 5 by the time it is read.
    expect(revealed(-1000, 5, height, { top: -500, bottom: 100 })).toEqual([2, 3, 4]);
  });

  it('gives nothing for an area the box does not reach, and looks only at the box`s chunks', () => {
    expect(revealed(0, 5, height, { top: 1600, bottom: 2000 })).toEqual([]);
    expect(revealed(0, 2, height, { top: 250, bottom: 650 })).toEqual([1]);
    expect(revealed(0, 0, height, { top: 0, bottom: 650 })).toEqual([]);
  });
});
