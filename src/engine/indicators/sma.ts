import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Simple moving average of the close: SMA(n)[t] = mean(close[t-n+1..t]), defined from t = n-1.
 *
 * Per symbol only a running sum: the close leaving the window is read back from the bar column
 * (the engine feeds each series' bars in order from index 0), so there is no ring to maintain.
 * The running sum drifts by a few ulps over very long series; that is well inside our tolerance.
 */
export class Sma extends History implements Indicator {
  readonly period: number;
  private readonly sum: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Sma: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Sma: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.sum = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const close = bars.close;
    const sum = this.sum;
    if (i < n) {
      sum[s] += close[i];
      this.push(s, i === n - 1 ? sum[s] / n : NaN);
    } else {
      sum[s] += close[i] - close[i - n];
      this.push(s, sum[s] / n);
    }
  }
}
