import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Wilder's relative strength index of the close, 0..100, not rounded.
 *
 * Gains and losses are the close-to-close changes from t = 1. At t = n the averages are seeded
 * with the simple mean of the changes at t = 1..n; afterwards avg = (avg × (n-1) + x) / n.
 * RSI = 100 - 100 / (1 + avgGain / avgLoss); 100 when avgLoss = 0, 50 when both are 0.
 * NaN for t < n.
 */
export class Rsi extends History implements Indicator {
  readonly period: number;
  private readonly seen: Int32Array;
  private readonly prevClose: Float64Array;
  /** Sums of gains/losses during warm-up, then Wilder averages. */
  private readonly gain: Float64Array;
  private readonly loss: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Rsi: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Rsi: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.seen = new Int32Array(symbols);
    this.prevClose = new Float64Array(symbols);
    this.gain = new Float64Array(symbols);
    this.loss = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const x = bars.close[i];
    const t = this.seen[s];
    const change = x - this.prevClose[s];
    this.prevClose[s] = x;
    if (t === 0) {
      this.seen[s] = 1;
      this.push(s, NaN);
      return;
    }
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    if (t <= n) {
      this.gain[s] += up;
      this.loss[s] += down;
      this.seen[s] = t + 1;
      if (t < n) {
        this.push(s, NaN);
        return;
      }
      this.gain[s] /= n;
      this.loss[s] /= n;
    } else {
      this.gain[s] = (this.gain[s] * (n - 1) + up) / n;
      this.loss[s] = (this.loss[s] * (n - 1) + down) / n;
    }
    const g = this.gain[s];
    const l = this.loss[s];
    this.push(s, l === 0 ? (g === 0 ? 50 : 100) : 100 - 100 / (1 + g / l));
  }
}
