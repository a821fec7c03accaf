import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Wilder's average true range. TR[t] = max(high-low, |high-prevClose|, |low-prevClose|) exists from
 * t = 1. ATR is seeded at t = n with the mean of TR[1..n], then ATR = (ATR × (n-1) + TR) / n.
 * NaN for t < n.
 */
export class Atr extends History implements Indicator {
  readonly period: number;
  private readonly seen: Int32Array;
  private readonly prevClose: Float64Array;
  /** The sum of TR during warm-up, then the ATR. */
  private readonly state: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Atr: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Atr: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.seen = new Int32Array(symbols);
    this.prevClose = new Float64Array(symbols);
    this.state = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const h = bars.high[i];
    const l = bars.low[i];
    const pc = this.prevClose[s];
    this.prevClose[s] = bars.close[i];
    const t = this.seen[s];
    if (t === 0) {
      this.seen[s] = 1;
      this.push(s, NaN);
      return;
    }
    const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    if (t <= n) {
      this.state[s] += tr;
      this.seen[s] = t + 1;
      if (t < n) {
        this.push(s, NaN);
        return;
      }
      this.state[s] /= n;
    } else {
      this.state[s] = (this.state[s] * (n - 1) + tr) / n;
    }
    this.push(s, this.state[s]);
  }
}
