import { RunEquityCurve } from '../engine/run-equity-curve.js';
import type { EquityCurve } from '../engine/results.js';
import type { EquityColumns } from './protocol.js';

/**
 * Picks a few evenly spaced points of a growing curve for each progress message: every call covers
 * the points added since the previous one. It keeps the running peak itself, so a point's drawdown
 * (1 - equity / peak, as drawdownsOf) costs a scan of the new points, not the curve's whole
 * drawdown column, and reads an engine curve's cash point by point (RunEquityCurve.cashAt).
 */
export class EquitySampler {
  /** Points [0, from) are covered; `peak` is the highest equity among them. */
  private from = 0;
  private peak = -Infinity;

  /** At most `max` points of curve[from, length), always including the last one. */
  sample(curve: EquityCurve, max: number): EquityColumns {
    const from = this.from;
    const available = curve.length - from;
    const n = Math.max(0, Math.min(max, available));
    const out: EquityColumns = {
      time: new Float64Array(n),
      equity: new Float64Array(n),
      cash: new Float64Array(n),
      drawdown: new Float64Array(n),
    };
    const cashAt = curve instanceof RunEquityCurve ? (i: number) => curve.cashAt(i) : (i: number) => curve.cash[i];
    const equity = curve.equity;
    let peak = this.peak;
    let scanned = from;
    for (let k = 0; k < n; k++) {
      // k = n-1 maps to the last point; spacing spreads the rest over the new range.
      const i = curve.length - 1 - Math.floor(((n - 1 - k) * available) / n);
      for (; scanned <= i; scanned++) if (equity[scanned] > peak) peak = equity[scanned];
      out.time[k] = curve.time[i];
      out.equity[k] = equity[i];
      out.cash[k] = cashAt(i);
      out.drawdown[k] = 1 - equity[i] / peak;
    }
    for (; scanned < curve.length; scanned++) if (equity[scanned] > peak) peak = equity[scanned];
    this.peak = peak;
    this.from = curve.length;
    return out;
  }
}
