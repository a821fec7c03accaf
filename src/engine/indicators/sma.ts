import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Simple moving average of the close: SMA(n)[t] = mean(close[t-n+1..t]), defined from t = n-1.
 *
 * Per symbol: a ring of the last n closes and a running sum updated by add/subtract (O(1)).
 * The running sum drifts by a few ulps over very long series; that is well inside our tolerance.
 */
export class Sma extends History implements Indicator {
  readonly period: number;
  private readonly win: Float64Array;
  private readonly slot: Int32Array;
  private readonly filled: Int32Array;
  private readonly sum: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Sma: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Sma: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.win = new Float64Array(symbols * period);
    this.slot = new Int32Array(symbols);
    this.filled = new Int32Array(symbols);
    this.sum = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const x = bars.close[i];
    const k = this.slot[s];
    const at = s * n + k;
    if (this.filled[s] < n) {
      this.filled[s]++;
      this.sum[s] += x;
    } else {
      // The slot holds close[t-n], the value leaving the window.
      this.sum[s] += x - this.win[at];
    }
    this.win[at] = x;
    this.slot[s] = k + 1 === n ? 0 : k + 1;
    this.push(s, this.filled[s] === n ? this.sum[s] / n : NaN);
  }
}
