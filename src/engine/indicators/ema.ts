import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Exponential moving average of the close. alpha = 2 / (n + 1); seeded at t = n-1 with SMA(n) of
 * the first n closes, then ema = ema + alpha × (close - ema). NaN before t = n-1.
 */
export class Ema extends History implements Indicator {
  readonly period: number;
  readonly alpha: number;
  private readonly seen: Int32Array;
  /** The sum of closes during warm-up, then the EMA itself. */
  private readonly state: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Ema: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Ema: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.alpha = 2 / (period + 1);
    this.seen = new Int32Array(symbols);
    this.state = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const x = bars.close[i];
    const t = this.seen[s];
    if (t < n) {
      // Warm-up: accumulate; at t = n-1 the mean of the first n closes is the seed.
      this.seen[s] = t + 1;
      this.state[s] += x;
      if (t === n - 1) {
        this.state[s] /= n;
        this.push(s, this.state[s]);
      } else {
        this.push(s, NaN);
      }
      return;
    }
    const ema = this.state[s] + this.alpha * (x - this.state[s]);
    this.state[s] = ema;
    this.push(s, ema);
  }
}
