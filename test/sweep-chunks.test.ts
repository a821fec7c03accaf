/** Guided chunking of a sweep's combinations (sweep-chunks.ts), against sizes worked out by hand. */
import { describe, expect, it } from 'vitest';
import { sweepChunkSizes } from '../src/jobs/sweep-chunks.js';

describe('sweepChunkSizes', () => {
  it('64 combinations, 2 threads, at most 4 a chunk: 4s, then 3, 3, 2 and single ones (by hand: ceil(remaining / 4))', () => {
    // remaining 64..16 -> 4 each (13 chunks leave 12); 12 -> 3, 9 -> 3, 6 -> 2, 4 -> 1, 3 -> 1, 2 -> 1, 1 -> 1.
    expect(sweepChunkSizes(64, 2, 4)).toEqual([...Array(13).fill(4), 3, 3, 2, 1, 1, 1, 1]);
  });

  it('sizes cover every combination once, never exceed the cap, never grow, and end with one', () => {
    for (const [total, threads, cap] of [[1, 1, 32], [7, 2, 32], [1000, 2, 32], [10_000, 8, 5], [3, 16, 32], [500, 1, 0.5]] as const) {
      const sizes = sweepChunkSizes(total, threads, cap);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.max(1, Math.floor(cap)));
      for (let k = 1; k < sizes.length; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1]!);
      expect(sizes.at(-1)).toBe(1);
    }
    expect(sweepChunkSizes(0, 2, 4)).toEqual([]);
    expect(() => sweepChunkSizes(-1, 2, 4)).toThrow(/total must be a non-negative integer/);
  });
});
