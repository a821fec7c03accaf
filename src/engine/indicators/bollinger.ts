import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Bollinger bands of the close: middle = SMA(n); upper/lower = middle ± k × σ, with σ the
 * population standard deviation (divide by n) of the same n closes; bandwidth = (upper - lower) /
 * middle (IEEE division, so a zero middle gives NaN or ±Infinity). All NaN for t < n-1.
 *
 * Precision choice: the mean and the sum of squared deviations are recomputed from the window of
 * the last n closes every bar (two passes, O(n) per update; no running sums). That is exact up to rounding, never
 * drifts and can never go negative, unlike a running sum of squares whose cancellation can. The
 * middle may therefore differ from `Sma`'s running-sum value in the last few ulps.
 */
export class Bollinger implements Indicator {
  readonly period: number;
  readonly k: number;
  readonly upper: History;
  readonly middle: History;
  readonly lower: History;
  readonly bandwidth: History;
  private readonly win: Float64Array;
  private readonly slot: Int32Array;
  private readonly filled: Int32Array;

  constructor(symbols: number, period: number, k: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Bollinger: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Bollinger: period must be a positive integer, got ${period}`);
    if (typeof k !== 'number' || !Number.isFinite(k) || k < 0) throw new RangeError(`Bollinger: k must be a finite number >= 0, got ${k}`);
    this.period = period;
    this.k = k;
    this.upper = new History(symbols, history);
    this.middle = new History(symbols, history);
    this.lower = new History(symbols, history);
    this.bandwidth = new History(symbols, history);
    this.win = new Float64Array(symbols * period);
    this.slot = new Int32Array(symbols);
    this.filled = new Int32Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const base = s * n;
    const k = this.slot[s];
    this.win[base + k] = bars.close[i];
    this.slot[s] = k + 1 === n ? 0 : k + 1;
    if (this.filled[s] < n) this.filled[s]++;
    if (this.filled[s] < n) {
      this.upper.push(s, NaN);
      this.middle.push(s, NaN);
      this.lower.push(s, NaN);
      this.bandwidth.push(s, NaN);
      return;
    }
    // Mean taken relative to the newest close: a constant window then gives exactly that close
    // as the mean and exactly 0 deviation (sum / n alone can be an ulp off), and the smaller
    // summands lose less precision.
    const pivot = this.win[base + k];
    let shifted = 0;
    for (let j = 0; j < n; j++) shifted += this.win[base + j] - pivot;
    const mean = pivot + shifted / n;
    let ssd = 0;
    for (let j = 0; j < n; j++) {
      const d = this.win[base + j] - mean;
      ssd += d * d;
    }
    const width = this.k * Math.sqrt(ssd / n);
    const upper = mean + width;
    const lower = mean - width;
    this.upper.push(s, upper);
    this.middle.push(s, mean);
    this.lower.push(s, lower);
    this.bandwidth.push(s, (upper - lower) / mean);
  }
}
