/**
 * Maximum adverse and favourable excursion of each round trip (CONVENTIONS.md "MAE and MFE"): the
 * highs and lows of its bars from the entry bar up to (not including) the exit bar, plus the entry
 * and exit prices. Trips that do not overlap are scanned directly (O(bars) in total); when a
 * symbol's trips overlap so much that scanning would cost more than twice its bars, a range
 * min/max tree answers each trip in O(log n) instead, so the cost never grows as trips × bars.
 */
import type { BarSeries } from '../engine/bars.js';
import type { RoundTrip } from '../engine/results.js';
import { lowerBound } from './search.js';

export interface Excursion {
  /** Adverse move in price per unit, >= 0. */
  readonly mae: number;
  readonly mfe: number;
  /** mae / entryPrice, a fraction >= 0. */
  readonly maeReturn: number;
  readonly mfeReturn: number;
}

export type ExcursionTrip = Pick<RoundTrip, 'symbol' | 'side' | 'entryTime' | 'exitTime' | 'entryPrice' | 'exitPrice'>;

/** One excursion per trip, in the trips' order. `bars` holds each traded symbol's series of the run. */
export function excursions(trips: readonly ExcursionTrip[], bars: ReadonlyMap<string, BarSeries>): Excursion[] {
  const out: Excursion[] = new Array(trips.length);
  const bySymbol = new Map<string, number[]>();
  for (let i = 0; i < trips.length; i++) {
    const list = bySymbol.get(trips[i].symbol);
    if (list) list.push(i);
    else bySymbol.set(trips[i].symbol, [i]);
  }
  for (const [symbol, indices] of bySymbol) {
    const series = bars.get(symbol);
    if (!series) throw new Error(`excursions: no bars for ${symbol}`);
    const spans = indices.map((i) => barSpan(series, trips[i]));
    let scanned = 0;
    for (const [e, x] of spans) scanned += x - e;
    const range = scanned <= 2 * series.length ? directRange(series) : rangeTree(series);
    indices.forEach((i, k) => {
      const [e, x] = spans[k];
      const t = trips[i];
      let lo = Math.min(t.entryPrice, t.exitPrice);
      let hi = Math.max(t.entryPrice, t.exitPrice);
      if (x > e) {
        const [low, high] = range(e, x);
        if (low < lo) lo = low;
        if (high > hi) hi = high;
      }
      const long = t.side === 'BUY';
      const mae = Math.max(0, long ? t.entryPrice - lo : hi - t.entryPrice);
      const mfe = Math.max(0, long ? hi - t.entryPrice : t.entryPrice - lo);
      out[i] = { mae, mfe, maeReturn: mae / t.entryPrice, mfeReturn: mfe / t.entryPrice };
    });
  }
  return out;
}

/** [entry bar, exit bar] indices of a trip in its symbol's series (bars at the fills' times). */
function barSpan(series: BarSeries, t: ExcursionTrip): [number, number] {
  const e = lowerBound(series.time, t.entryTime, 0, series.length);
  const x = lowerBound(series.time, t.exitTime, e, series.length);
  if (x >= series.length || series.time[e] !== t.entryTime || series.time[x] !== t.exitTime) {
    throw new Error(`excursions: ${t.symbol} has no bar at the trip's entry or exit time`);
  }
  return [e, x];
}

type RangeQuery = (from: number, to: number) => [low: number, high: number];

function directRange(s: BarSeries): RangeQuery {
  return (from, to) => {
    let low = Infinity;
    let high = -Infinity;
    for (let i = from; i < to; i++) {
      if (s.low[i] < low) low = s.low[i];
      if (s.high[i] > high) high = s.high[i];
    }
    return [low, high];
  };
}

/** Bottom-up segment trees of the lows (min) and highs (max): O(n) to build, O(log n) a query. */
function rangeTree(s: BarSeries): RangeQuery {
  const n = s.length;
  const low = new Float64Array(2 * n);
  const high = new Float64Array(2 * n);
  low.set(s.low.subarray(0, n), n);
  high.set(s.high.subarray(0, n), n);
  for (let i = n - 1; i > 0; i--) {
    low[i] = Math.min(low[2 * i], low[2 * i + 1]);
    high[i] = Math.max(high[2 * i], high[2 * i + 1]);
  }
  return (from, to) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let l = from + n, r = to + n; l < r; l >>= 1, r >>= 1) {
      if (l & 1) {
        if (low[l] < lo) lo = low[l];
        if (high[l] > hi) hi = high[l];
        l++;
      }
      if (r & 1) {
        r--;
        if (low[r] < lo) lo = low[r];
        if (high[r] > hi) hi = high[r];
      }
    }
    return [lo, hi];
  };
}
