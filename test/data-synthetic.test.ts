import { describe, expect, it } from 'vitest';
import { PERIOD_MS } from '../src/engine/bars.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { firstDifference } from './data-fixtures.js';

describe('generateSyntheticBars', () => {
  const opts = { symbol: 'S', bars: 100_000, period: 'MINUTE', seed: 42 } as const;

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSyntheticBars(opts);
    const b = generateSyntheticBars(opts);
    const c = generateSyntheticBars({ ...opts, seed: 43 });
    for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(firstDifference(a[k], b[k])).toBe(-1);
    expect(firstDifference(a.close, c.close)).toBe(0);
    expect(firstDifference(a.open, c.open)).toBe(1); // same start price, then a different walk
    expect(firstDifference(a.time, c.time)).toBe(-1);
  });

  it('has consistent OHLCV on a regular clock', () => {
    const s = generateSyntheticBars({ ...opts, start: Date.UTC(2021, 5, 1), startPrice: 50 });
    expect(s.open[0]).toBe(50);
    expect(s.time[0]).toBe(Date.UTC(2021, 5, 1));
    for (let i = 0; i < s.length; i++) {
      const [o, h, l, c, v] = [s.open[i]!, s.high[i]!, s.low[i]!, s.close[i]!, s.volume[i]!];
      if (!(l <= Math.min(o, c) && Math.max(o, c) <= h && l > 0 && v > 0 && Number.isFinite(h))) {
        throw new Error(`bar ${i} inconsistent: ${o} ${h} ${l} ${c} ${v}`);
      }
      if (i > 0) {
        if (s.time[i]! - s.time[i - 1]! !== PERIOD_MS.MINUTE) throw new Error(`bar ${i} is not one minute after the previous`);
        if (s.open[i] !== s.close[i - 1]) throw new Error(`bar ${i} does not open at the previous close`);
      }
    }
  });

  it('is fast enough for benchmarks (> 1M bars/s)', () => {
    const t0 = performance.now();
    generateSyntheticBars({ ...opts, bars: 2_000_000 });
    expect(2_000_000 / ((performance.now() - t0) / 1000)).toBeGreaterThan(1_000_000);
  });
});
