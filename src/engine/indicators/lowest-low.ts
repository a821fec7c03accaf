import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Lowest low over the last n bars, the current bar included (bars t-n+1..t), defined from
 * t = n-1. The mirror of `HighestHigh`: a monotonic deque with the lows strictly increasing from
 * front to back, in a preallocated ring of n slots per symbol (amortized O(1)).
 */
export class LowestLow extends History implements Indicator {
  readonly period: number;
  private readonly dqBar: Float64Array;
  private readonly dqVal: Float64Array;
  private readonly dqHead: Int32Array;
  private readonly dqSize: Int32Array;
  private readonly seen: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`LowestLow: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`LowestLow: period must be a positive integer, got ${period}`);
    super(symbols, history);
    this.period = period;
    this.dqBar = new Float64Array(symbols * period);
    this.dqVal = new Float64Array(symbols * period);
    this.dqHead = new Int32Array(symbols);
    this.dqSize = new Int32Array(symbols);
    this.seen = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const base = s * n;
    const x = bars.low[i];
    const t = this.seen[s];
    this.seen[s] = t + 1;
    let head = this.dqHead[s];
    let size = this.dqSize[s];
    if (size > 0 && this.dqBar[base + head] <= t - n) {
      head = head + 1 === n ? 0 : head + 1;
      size--;
    }
    while (size > 0) {
      let back = head + size - 1;
      if (back >= n) back -= n;
      if (this.dqVal[base + back] < x) break;
      size--;
    }
    let tail = head + size;
    if (tail >= n) tail -= n;
    this.dqBar[base + tail] = t;
    this.dqVal[base + tail] = x;
    size++;
    this.dqHead[s] = head;
    this.dqSize[s] = size;
    this.push(s, t >= n - 1 ? this.dqVal[base + head] : NaN);
  }
}
