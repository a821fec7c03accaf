import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Bollinger bands of the close: middle = SMA(n); upper/lower = middle ± k × σ, with σ the
 * population standard deviation (divide by n) of the same n closes; bandwidth = (upper - lower) /
 * middle (IEEE division, so a zero middle gives NaN or ±Infinity). All NaN for t < n-1.
 *
 * Precision (docs/CONVENTIONS.md, Indicators): the window is re-read every bar (O(n) per update,
 * no running sums, so nothing drifts and the variance can never go negative). The mean is the
 * compensated sum of the n closes (TwoSum, exact up to the compensation's own roundings) divided
 * by n with the division's remainder added back, so it is the exactly rounded mean but for a
 * rare near-tie and exactly the close of a constant window (whose bands then have width 0). The
 * squared deviations are summed with compensation too, leaving each square's own rounding.
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
    const win = this.win;
    let hi = 0;
    let lo = 0;
    for (let j = base; j < base + n; j++) {
      const x = win[j];
      const t = hi + x;
      const tx = t - x;
      lo += (hi - tx) + (x - (t - tx));
      hi = t;
    }
    const mean = meanOf(hi, lo, n);
    let ssd = 0;
    let ssdLo = 0;
    for (let j = base; j < base + n; j++) {
      const d = win[j] - mean;
      const x = d * d;
      const t = ssd + x;
      const tx = t - x;
      ssdLo += (ssd - tx) + (x - (t - tx));
      ssd = t;
    }
    ssd += ssdLo;
    const width = this.k * Math.sqrt(ssd / n);
    const upper = mean + width;
    const lower = mean - width;
    this.upper.push(s, upper);
    this.middle.push(s, mean);
    this.lower.push(s, lower);
    this.bandwidth.push(s, (upper - lower) / mean);
  }
}

/**
 * (hi + lo) / n, n a positive integer: q = (hi + lo) / n rounded, then the remainder
 * hi + lo - q × n added back as a correction. q × n is formed exactly as qHigh × n + qLow × n
 * (q split into 26 + 27 bits, so both products are exact for n < 2^26) and the remainder is small
 * enough to be exact too, so a window of n equal closes gives exactly that close. Should the
 * split overflow (|q| > ~1e300), q alone is returned.
 */
function meanOf(hi: number, lo: number, n: number): number {
  const q = (hi + lo) / n;
  const qc = q * SPLIT;
  const qHigh = qc - (qc - q);
  const qLow = q - qHigh;
  const rem = (hi - qHigh * n - qLow * n + lo) / n;
  return rem === rem ? q + rem : q;
}

/** 2^27 + 1: Dekker's constant splitting a double into two halves of 26 and 27 bits. */
const SPLIT = 134217729;
