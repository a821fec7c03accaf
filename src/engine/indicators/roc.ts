import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Rate of change of the close in percent: 100 × (close[t] - close[t-n]) / close[t-n], defined from
 * t = n. A zero close[t-n] gives ±Infinity (or NaN for 0/0), as IEEE division does.
 * Per symbol: a ring of the last n closes, so the slot being overwritten holds close[t-n].
 */
export class Roc extends History implements Indicator {
  readonly period: number;
  private readonly win: Float64Array;
  private readonly slot: Int32Array;
  private readonly filled: Int32Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Roc: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Roc: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.win = new Float64Array(symbols * period);
    this.slot = new Int32Array(symbols);
    this.filled = new Int32Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const x = bars.close[i];
    const k = this.slot[s];
    const at = s * n + k;
    let out = NaN;
    if (this.filled[s] < n) {
      this.filled[s]++;
    } else {
      const old = this.win[at];
      out = (100 * (x - old)) / old;
    }
    this.win[at] = x;
    this.slot[s] = k + 1 === n ? 0 : k + 1;
    this.push(s, out);
  }
}
