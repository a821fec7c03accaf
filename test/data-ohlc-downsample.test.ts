import { describe, expect, it } from 'vitest';
import { barSeriesFromRows } from '../src/engine/bars.js';
import { downsampleOhlc, type OhlcBar } from '../src/data/ohlc-downsample.js';
import { loadSp500 } from './support/sp500.js';

interface Row {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * The second implementation: rows as objects, split into groups with slice() at the boundaries
 * floor(b * n / buckets), each group merged with array methods.
 */
function naiveOhlc(rows: Row[], maxBuckets: number): OhlcBar[] {
  const buckets = Math.min(rows.length, maxBuckets);
  const groups: Row[][] = [];
  for (let b = 0; b < buckets; b++) groups.push(rows.slice(Math.floor((b * rows.length) / buckets), Math.floor(((b + 1) * rows.length) / buckets)));
  return groups.map((g) => ({
    time: g[0]!.time,
    open: g[0]!.open,
    high: Math.max(...g.map((r) => r.high)),
    low: Math.min(...g.map((r) => r.low)),
    close: g[g.length - 1]!.close,
    volume: g.reduce((s, r) => s + r.volume, 0),
  }));
}

function rowsOf(n: number, seed = 1): Row[] {
  let x = seed;
  const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
  let price = 100;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    price *= 1 + (rnd() - 0.5) / 20;
    const high = Math.max(open, price) * (1 + rnd() / 50);
    const low = Math.min(open, price) * (1 - rnd() / 50);
    return { time: 1_000_000 + i * 60_000, open, high, low, close: price, volume: Math.round(rnd() * 1000) };
  });
}

describe('downsampleOhlc', () => {
  it('merges buckets by hand: first open, max high, min low, last close, summed volume', () => {
    // 5 bars into 2 buckets: [0, 2) and [2, 5).
    const s = barSeriesFromRows('X', [
      { time: 10, open: 1, high: 5, low: 0.5, close: 2, volume: 10 },
      { time: 20, open: 2, high: 3, low: 1, close: 3, volume: 20 },
      { time: 30, open: 3, high: 9, low: 2, close: 8, volume: 1 },
      { time: 40, open: 8, high: 8.5, low: 0.1, close: 4, volume: 2 },
      { time: 50, open: 4, high: 6, low: 3, close: 5, volume: 3 },
    ]);
    expect(downsampleOhlc(s, 2)).toEqual([
      { time: 10, open: 1, high: 5, low: 0.5, close: 3, volume: 30 },
      { time: 30, open: 3, high: 9, low: 0.1, close: 5, volume: 6 },
    ]);
  });

  it('equals the naive computation for many sizes, including uneven and single-bar buckets', () => {
    for (const n of [1, 2, 7, 100, 1_001, 12_345]) {
      const rows = rowsOf(n, n);
      const series = barSeriesFromRows('X', rows);
      for (const max of [1, 2, 3, 10, 99, 1_000, 5_000, 20_000]) {
        expect(downsampleOhlc(series, max), `n=${n} max=${max}`).toEqual(naiveOhlc(rows, max));
      }
    }
  });

  it('on the S&P 500 daily bars keeps the extremes, the volume and the ends', () => {
    const spx = loadSp500();
    const out = downsampleOhlc(spx, 300);
    expect(out).toHaveLength(300);
    const highs = Array.from(spx.high);
    const lows = Array.from(spx.low);
    expect(Math.max(...out.map((b) => b.high))).toBe(Math.max(...highs));
    expect(Math.min(...out.map((b) => b.low))).toBe(Math.min(...lows));
    expect(out.reduce((s, b) => s + b.volume, 0)).toBeCloseTo(Array.from(spx.volume).reduce((s, v) => s + v, 0), -3);
    expect(out[0]!.open).toBe(spx.open[0]);
    expect(out.at(-1)!.close).toBe(spx.close[spx.length - 1]);
    for (let i = 1; i < out.length; i++) expect(out[i]!.time).toBeGreaterThan(out[i - 1]!.time);
  });

  it('returns a series that fits bar for bar, and nothing for an empty one', () => {
    const rows = rowsOf(5);
    expect(downsampleOhlc(barSeriesFromRows('X', rows), 5)).toEqual(rows);
    expect(downsampleOhlc(barSeriesFromRows('X', []), 10)).toEqual([]);
  });

  it('refuses a bucket count that is not a positive integer', () => {
    const s = barSeriesFromRows('X', rowsOf(3));
    for (const bad of [0, -1, 1.5, NaN]) expect(() => downsampleOhlc(s, bad)).toThrow(RangeError);
  });
});
