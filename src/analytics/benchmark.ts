/**
 * The benchmark: buy-and-hold of one symbol over the run's own timestamps, and how the run compares
 * with it (CONVENTIONS.md "Benchmark"). The benchmark's close is taken as of each run timestamp
 * (its last bar at or before it), so differing calendars never look ahead. Two passes.
 */
import type { BarSeries } from '../engine/bars.js';
import { DAY_MS, YEAR_DAYS } from './returns.js';

/**
 * B[t] = initialCash × P(t) / P(t0) at each of `times` (ascending), P(t) the close of the last
 * benchmark bar at or before t; NaN before the benchmark's first bar. A merge walk: O(points + bars).
 */
export function benchmarkCurve(times: Float64Array, bars: BarSeries, initialCash: number, points = times.length): Float64Array {
  const out = new Float64Array(points);
  let c = 0;
  let base = NaN;
  for (let t = 0; t < points; t++) {
    while (c < bars.length && bars.time[c] <= times[t]) c++;
    if (c === 0) {
      out[t] = NaN;
      continue;
    }
    const close = bars.close[c - 1];
    if (Number.isNaN(base)) base = close;
    out[t] = (initialCash * close) / base;
  }
  return out;
}

/** NaN where undefined (CONVENTIONS.md "Benchmark"). */
export interface BenchmarkStats {
  readonly totalReturn: number;
  readonly cagr: number;
  readonly alpha: number;
  readonly beta: number;
  readonly correlation: number;
  readonly trackingError: number;
  readonly informationRatio: number;
  /** Paired returns the statistics use. */
  readonly pairs: number;
}

/** `returns[t - 1]` is the run's return at point t (periodReturns of the equity). */
export function benchmarkStats(
  time: Float64Array,
  returns: Float64Array,
  benchmark: Float64Array,
  periodsPerYear: number,
  rfPerPeriod: number,
  points = benchmark.length,
): BenchmarkStats {
  let t0 = 0;
  while (t0 < points && Number.isNaN(benchmark[t0])) t0++;
  if (t0 >= points) {
    return { totalReturn: NaN, cagr: NaN, alpha: NaN, beta: NaN, correlation: NaN, trackingError: NaN, informationRatio: NaN, pairs: 0 };
  }
  const last = points - 1;
  const totalReturn = benchmark[last] / benchmark[t0] - 1;
  const days = (time[last] - time[t0]) / DAY_MS;
  const cagr = days > 0 ? Math.pow(1 + totalReturn, YEAR_DAYS / days) - 1 : NaN;

  const m = last - t0;
  let sr = 0;
  let sb = 0;
  for (let t = t0 + 1; t <= last; t++) {
    sr += returns[t - 1];
    sb += benchmark[t] / benchmark[t - 1] - 1;
  }
  const meanR = sr / m;
  const meanB = sb / m;
  const meanD = meanR - meanB;
  let srr = 0;
  let sbb = 0;
  let srb = 0;
  let sdd = 0;
  for (let t = t0 + 1; t <= last; t++) {
    const dr = returns[t - 1] - meanR;
    const db = benchmark[t] / benchmark[t - 1] - 1 - meanB;
    srr += dr * dr;
    sbb += db * db;
    srb += dr * db;
    const dd = dr - db; // (r - b) - mean(r - b)
    sdd += dd * dd;
  }
  const enough = m >= 2;
  const beta = enough && sbb > 0 ? srb / sbb : NaN;
  const correlation = enough && sbb > 0 && srr > 0 ? srb / Math.sqrt(srr * sbb) : NaN;
  const annual = Math.sqrt(periodsPerYear);
  const te = enough ? Math.sqrt(sdd / (m - 1)) : NaN;
  return {
    totalReturn,
    cagr,
    beta,
    // Jensen's alpha per period on excess returns, annualised arithmetically (× A).
    alpha: (meanR - rfPerPeriod - beta * (meanB - rfPerPeriod)) * periodsPerYear,
    correlation,
    trackingError: te * annual,
    informationRatio: te > 0 ? (meanD / te) * annual : NaN,
    pairs: m,
  };
}
