import { describe, expect, it } from 'vitest';
import type { EquityCurve } from '../src/engine/results.js';
import { downsampleEquity } from '../src/data/downsample.js';

function curve(equity: number[]): EquityCurve {
  const n = equity.length;
  return {
    length: n,
    time: Float64Array.from(equity, (_, i) => 1000 + i),
    equity: Float64Array.from(equity),
    cash: Float64Array.from(equity, (_, i) => -i),
    drawdown: Float64Array.from(equity, (_, i) => i / 100),
  };
}

describe('downsampleEquity', () => {
  it('keeps first, last and each bucket min/max in time order (hand-checked)', () => {
    // 12 points, maxPoints 6 -> 2 buckets over indexes 1..10: [1..5] and [6..10].
    //        idx:  0   1  2  3  4  5  6  7  8  9  10 11
    const eq = [100, 90, 95, 120, 80, 100, 101, 99, 150, 101, 100, 105];
    const d = downsampleEquity(curve(eq), 6);
    // bucket 1: min 80 @4, max 120 @3 -> [3, 4]; bucket 2: min 99 @7, max 150 @8 -> [7, 8]
    expect(Array.from(d.equity)).toEqual([100, 120, 80, 99, 150, 105]);
    expect(Array.from(d.time)).toEqual([1000, 1003, 1004, 1007, 1008, 1011]);
    expect(Array.from(d.cash)).toEqual([-0, -3, -4, -7, -8, -11]);
    expect(Array.from(d.drawdown)).toEqual([0, 0.03, 0.04, 0.07, 0.08, 0.11]);
    expect(d.length).toBe(6);
  });

  it('a flat bucket contributes one point, not a duplicate', () => {
    const d = downsampleEquity(curve([1, 5, 5, 5, 5, 2]), 4);
    expect(Array.from(d.time)).toEqual([1000, 1001, 1005]);
  });

  it('never exceeds maxPoints, is strictly increasing in time, keeps global extremes', () => {
    const eq = Array.from({ length: 10_001 }, (_, i) => Math.sin(i / 37) * 100 + (i === 4321 ? 1e6 : 0) - (i === 777 ? 1e6 : 0));
    for (const max of [2, 3, 7, 100, 999]) {
      const d = downsampleEquity(curve(eq), max);
      expect(d.length).toBeLessThanOrEqual(max);
      expect(d.time[0]).toBe(1000);
      expect(d.time[d.length - 1]).toBe(1000 + 10_000);
      for (let i = 1; i < d.length; i++) expect(d.time[i]!).toBeGreaterThan(d.time[i - 1]!);
      if (max >= 4) expect(Array.from(d.equity)).toEqual(expect.arrayContaining([Math.max(...eq), Math.min(...eq)]));
    }
  });

  it('returns short curves unchanged and rejects maxPoints < 2', () => {
    const c = curve([1, 2, 3]);
    expect(downsampleEquity(c, 3)).toBe(c);
    expect(() => downsampleEquity(c, 1)).toThrow(RangeError);
    expect(() => downsampleEquity(c, 2.5)).toThrow(RangeError);
  });
});
