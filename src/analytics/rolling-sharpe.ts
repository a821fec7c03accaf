/**
 * Rolling Sharpe ratio over a window of w returns (CONVENTIONS.md "Rolling Sharpe"), O(n) for any
 * w: a sliding mean and sum of squared deviations (Welford's update for replacing one value),
 * re-summed exactly with two passes every few windows so rounding never accumulates for long, and
 * also when the sum of squares collapses (see below).
 */

export interface RollingSeries {
  /** Time of each value's equity point. */
  readonly time: Float64Array;
  /** NaN where the value is undefined (every return in the window equal). */
  readonly value: Float64Array;
}

/**
 * `returns[j]` is the return of equity point j + 1, whose time is `time[j + 1]`. Values for points
 * w..N-1; `rfPerPeriod` is subtracted from the mean (the risk-free rate per period). With
 * `maxPoints`, only the values thinSeries would keep are stored (same result, less memory).
 */
export function rollingSharpe(time: Float64Array, returns: Float64Array, window: number, periodsPerYear: number, rfPerPeriod = 0, maxPoints = Infinity): RollingSeries {
  const n = returns.length;
  const w = window;
  if (!Number.isInteger(w) || w < 2) throw new RangeError(`window must be an integer >= 2, got ${w}`);
  const length = Math.max(0, n - w + 1);
  const stride = length > maxPoints ? Math.ceil(length / maxPoints) : 1;
  const kept = Math.ceil(length / stride);
  const outTime = new Float64Array(kept);
  const out = new Float64Array(kept);
  // Window k's value is kept when (length - 1 - k) is a multiple of the stride.
  let nextKept = length === 0 ? 0 : (length - 1) % stride;
  let at = 0;
  const annual = Math.sqrt(periodsPerYear);
  const invW = 1 / w;
  const sdScale = 1 / (w - 1);
  let mean = 0;
  let m2 = 0;
  // The largest m2 since the last exact sum: a sliding update's rounding error is relative to it.
  let peakM2 = 0;
  const exact = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i <= to; i++) s += returns[i];
    mean = s / w;
    m2 = 0;
    for (let i = from; i <= to; i++) {
      const d = returns[i] - mean;
      m2 += d * d;
    }
    peakM2 = m2;
  };
  let untilExact = 0; // steps until the next periodic exact sum
  let equalRun = 0; // consecutive returns equal to the latest
  for (let j = 0; j < n; j++) {
    const x = returns[j];
    equalRun = j > 0 && x === returns[j - 1] ? equalRun + 1 : 1;
    if (j < w - 1) continue;
    const k = j - w + 1; // first return of the window
    let value: number;
    if (equalRun >= w) {
      // Every return in the window is x: stdev 0 exactly, and the state restarts from exact values.
      mean = x;
      m2 = 0;
      peakM2 = 0;
      value = NaN;
    } else {
      if (untilExact-- === 0) {
        // Every EXACT_EVERY windows: rounding never accumulates for long, and it costs O(n) in total.
        exact(k, j);
        untilExact = EXACT_EVERY * w - 1;
      } else {
        const old = returns[k - 1];
        const before = mean;
        mean += (x - old) * invW;
        m2 += (x - old) * (x - mean + old - before);
        // A drop by 1000x since the largest value (a volatile stretch leaving the window) would
        // leave its rounding error large relative to what remains: sum exactly instead. Each such
        // drop uses up 3 of the ~600 decades of a double, so this cannot happen on every step.
        if (m2 > peakM2) peakM2 = m2;
        else if (m2 < 1e-3 * peakM2) exact(k, j);
      }
      value = m2 <= 0 ? NaN : ((mean - rfPerPeriod) / Math.sqrt(m2 * sdScale)) * annual;
    }
    if (k === nextKept) {
      outTime[at] = time[j + 1];
      out[at++] = value;
      nextKept += stride;
    }
  }
  return { time: outTime, value: out };
}

/** Windows between periodic exact sums. */
const EXACT_EVERY = 4;

/**
 * At most `maxPoints` values: every k-th counted back from the last, k = ceil(length / maxPoints),
 * so the latest value is always kept.
 */
export function thinSeries(s: RollingSeries, maxPoints: number): RollingSeries {
  const length = s.time.length;
  if (length <= maxPoints) return s;
  const k = Math.ceil(length / maxPoints);
  const kept = Math.ceil(length / k);
  const time = new Float64Array(kept);
  const value = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    const src = length - 1 - (kept - 1 - i) * k;
    time[i] = s.time[src];
    value[i] = s.value[src];
  }
  return { time, value };
}
