import type { EquityCurve } from '../engine/results.js';
import type { EquityColumns } from './protocol.js';

/** Picks at most `max` evenly spaced points of curve[from, length), always including the last one. */
export function sampleEquity(curve: EquityCurve, from: number, max: number): EquityColumns {
  const available = curve.length - from;
  const n = Math.max(0, Math.min(max, available));
  const out: EquityColumns = {
    time: new Float64Array(n),
    equity: new Float64Array(n),
    cash: new Float64Array(n),
    drawdown: new Float64Array(n),
  };
  for (let k = 0; k < n; k++) {
    // k = n-1 maps to the last point; spacing spreads the rest over the new range.
    const i = curve.length - 1 - Math.floor(((n - 1 - k) * available) / n);
    out.time[k] = curve.time[i];
    out.equity[k] = curve.equity[i];
    out.cash[k] = curve.cash[i];
    out.drawdown[k] = curve.drawdown[i];
  }
  return out;
}
