import type { BarSeries } from '../bars.js';
import { History, type BarClock } from './history.js';
import { DEFAULT_HISTORY, type BlockIndicator } from './indicator.js';

/**
 * Simple moving average of the close: SMA(n)[t] = mean(close[t-n+1..t]), defined from t = n-1.
 *
 * Per symbol only a running sum: the close leaving the window is read back from the bar column
 * (bars of a series come in order from index 0), so there is no window to maintain.
 * The running sum drifts by a few ulps over very long series; that is well inside our tolerance.
 * Streaming `update` and the engine's `updateBlock` run the same arithmetic, so they agree exactly.
 */
export class Sma extends History implements BlockIndicator {
  // `declare`: typed from their first assignment, like History's fields.
  declare readonly period: number;
  private declare readonly sum: Float64Array;

  /** `clock`: the engine's, for a Sma it computes in blocks; standalone ones keep their own. */
  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY, clock?: BarClock) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Sma: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Sma: period must be a positive integer, got ${period}`);
    super(symbols, history, clock);
    this.period = period;
    this.sum = new Float64Array(symbols);
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
    let i = from;
    for (; i < to && i < n; i++) {
      sum += close[i];
      ring[base | (i & mask)] = i === n - 1 ? sum / n : NaN;
    }
    for (; i < to; i++) {
      sum += close[i] - close[i - n];
      ring[base | (i & mask)] = sum / n;
    }
    this.sum[s] = sum;
  }
}
