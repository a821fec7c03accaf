import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import type { Indicator } from './indicator.js';

/**
 * The extreme of one bar column over the last n bars, the current bar included (bars t-n+1..t),
 * defined from t = n-1: the shared mechanism of HighestHigh and LowestLow.
 *
 * Per symbol: a monotonic deque (amortized O(1)) held in a preallocated ring of n slots, storing
 * bar numbers and `sign × value` strictly decreasing from front to back, so the front is the
 * maximum of the signed values (sign -1 turns it into the minimum; negation is exact). Each bar
 * first drops the front if it has left the window, then drops from the back every value <= the new
 * one, then appends. After the expiry step at most n-1 entries remain, so n slots always suffice.
 */
export abstract class WindowExtreme extends History implements Indicator {
  readonly period: number;
  /** Bar numbers (per-symbol update count) of the deque entries; Float64 so it never overflows. */
  private readonly dqBar: Float64Array;
  private readonly dqVal: Float64Array;
  private readonly dqHead: Int32Array;
  private readonly dqSize: Int32Array;
  private readonly seen: Float64Array;

  protected constructor(
    name: string,
    private readonly column: 'high' | 'low',
    private readonly sign: 1 | -1,
    symbols: number,
    period: number,
    history: number,
  ) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`${name}: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`${name}: period must be a positive integer, got ${period}`);
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
    const x = this.sign * bars[this.column][i];
    const t = this.seen[s];
    this.seen[s] = t + 1;
    let head = this.dqHead[s];
    let size = this.dqSize[s];
    // Expire the front: bar t-n has left the window t-n+1..t.
    if (size > 0 && this.dqBar[base + head] <= t - n) {
      head = head + 1 === n ? 0 : head + 1;
      size--;
    }
    // Drop dominated entries from the back.
    while (size > 0) {
      let back = head + size - 1;
      if (back >= n) back -= n;
      if (this.dqVal[base + back] > x) break;
      size--;
    }
    let tail = head + size;
    if (tail >= n) tail -= n;
    this.dqBar[base + tail] = t;
    this.dqVal[base + tail] = x;
    size++;
    this.dqHead[s] = head;
    this.dqSize[s] = size;
    this.push(s, t >= n - 1 ? this.sign * this.dqVal[base + head] : NaN);
  }
}
