import type { BarSeries } from '../bars.js';
import { History, type BarClock } from './history.js';
import { DEFAULT_HISTORY, type BlockIndicator } from './indicator.js';

/**
 * Simple moving average of the close: SMA(n)[t] = mean(close[t-n+1..t]), defined from t = n-1.
 *
 * Per symbol only the window's sum: the close leaving the window is read back from the bar column
 * (bars of a series come in order from index 0), so there is no window to maintain.
 *
 * Precision (docs/CONVENTIONS.md, Indicators): within 2 ulps of the exactly rounded mean, however
 * long the series. A plain running sum keeps every rounding it ever made (hundreds of ulps over 1 M
 * bars); periodic re-summing costs O(n) per re-sum and still drifts in between. So the sum is
 * compensated, at O(1) per bar: each bar adds d = close[i] - close[i-n] to `sum`, and the rounding
 * errors of d and of sum + d are recovered exactly by TwoSum (branch-free, valid for any
 * magnitudes and signs) into `comp`; sum + comp is then the exact window sum but for comp's own,
 * far smaller, roundings. Every 1,024 bars past the warm-up comp is folded back into sum (TwoSum
 * again), so it stays near an ulp of the sum and a spike that has left the window leaves no large
 * comp behind. The value is (sum + comp) / n: two roundings. All of it is keyed on the bar
 * index, so streaming `update` and the engine's `updateBlock` run the same arithmetic and agree
 * exactly.
 */
export class Sma extends History implements BlockIndicator {
  // `declare`: typed from their first assignment, like History's fields.
  declare readonly period: number;
  private declare readonly sum: Float64Array;
  /** Per symbol, the rounding errors of `sum` recovered so far: the window sum is sum + comp. */
  private declare readonly comp: Float64Array;

  /** `clock`: the engine's, for a Sma it computes in blocks; standalone ones keep their own. */
  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY, clock?: BarClock) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Sma: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Sma: period must be a positive integer, got ${period}`);
    super(symbols, history, clock);
    this.period = period;
    this.sum = new Float64Array(symbols);
    this.comp = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    this.updateBlock(s, bars, i, i + 1);
    this.show(s, i);
  }

  updateBlock(s: number, bars: BarSeries, from: number, to: number): void {
    const n = this.period;
    const close = bars.close;
    const ring = this.ring;
    const mask = this.mask;
    const base = s << this.shift;
    let sum = this.sum[s];
    let comp = this.comp[s];
    let i = from;
    for (; i < to && i < n; i++) {
      // Warm-up: close[i] comes in, nothing leaves. sum + x and its rounding error (TwoSum).
      const x = close[i];
      const t = sum + x;
      const tx = t - x;
      comp += (sum - tx) + (x - (t - tx));
      sum = t;
      ring[base | (i & mask)] = i === n - 1 ? (sum + comp) / n : NaN;
    }
    for (; i < to; i++) {
      // d = close[i] - close[i-n] and its rounding error (TwoSum of close[i] and -close[i-n]),
      // then sum + d and its rounding error.
      const x = close[i];
      const y = -close[i - n];
      const d = x + y;
      const dx = d - x;
      const t = sum + d;
      const td = t - d;
      comp += (x - (d - dx)) + (y - dx) + ((sum - td) + (d - (t - td)));
      sum = t;
      if ((i & RENORM_MASK) === RENORM_MASK) {
        // Every 1,024 bars: comp folded into sum (TwoSum), leaving only that sum's rounding error.
        const r = sum + comp;
        const rc = r - comp;
        comp = (sum - rc) + (comp - (r - rc));
        sum = r;
      }
      ring[base | (i & mask)] = (sum + comp) / n;
    }
    this.sum[s] = sum;
    this.comp[s] = comp;
  }
}

/** comp is folded into sum after every bar i >= n with (i & RENORM_MASK) === RENORM_MASK (every 1,024 bars). */
const RENORM_MASK = 1023;
