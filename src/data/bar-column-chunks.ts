/**
 * The analytics' bar columns (time, high, low, close) cut from stored chunks, the same for every
 * database (bar-columns.ts and pg/bar-columns.ts only differ in how they fetch the chunks). Each
 * blob is copied once, straight into its column; open and volume are empty arrays (not
 * allocated: large typed arrays drive the GC).
 */
import type { BarSeries } from '../engine/bars.js';
import { copyFloat64, float64View, lowerBound } from './float64-bytes.js';

/** The blobs of one stored chunk that the analytics read. */
export interface ColumnChunk {
  readonly count: number;
  readonly time: Uint8Array;
  readonly high: Uint8Array;
  readonly low: Uint8Array;
  readonly close: Uint8Array;
}

/** Bars with from <= time < to of `rows`: the chunks overlapping the range, in time order (none: an empty series). */
export function barColumnsFromChunks(symbol: string, rows: readonly ColumnChunk[], from: number, to: number): BarSeries {
  // Only the first and last chunk can straddle the range.
  const spans = rows.map((r, i) => {
    const time = float64View(r.time);
    const lo = i === 0 ? lowerBound(time, from) : 0;
    const hi = i === rows.length - 1 ? lowerBound(time, to, lo) : r.count;
    return { r, lo, hi };
  });
  const total = spans.reduce((n, s) => n + Math.max(0, s.hi - s.lo), 0);
  const out = columns(symbol, total);
  let at = 0;
  for (const { r, lo, hi } of spans) {
    if (hi <= lo) continue;
    copyFloat64(r.time, lo, out.time, at, hi - lo);
    copyFloat64(r.high, lo, out.high, at, hi - lo);
    copyFloat64(r.low, lo, out.low, at, hi - lo);
    copyFloat64(r.close, lo, out.close, at, hi - lo);
    at += hi - lo;
  }
  return out;
}

const NONE = new Float64Array(0);

function columns(symbol: string, length: number): BarSeries {
  return { symbol, length, time: new Float64Array(length), high: new Float64Array(length), low: new Float64Array(length), close: new Float64Array(length), open: NONE, volume: NONE };
}
