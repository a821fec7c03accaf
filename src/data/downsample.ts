/**
 * Shrinks an equity curve for charts without hiding its swings: keeps the first and last
 * points and, per equal-count bucket of the points between, the min- and max-equity points.
 */
import type { EquityCurve } from '../engine/results.js';

export function downsampleEquity(curve: EquityCurve, maxPoints: number): EquityCurve {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`maxPoints must be an integer >= 2, got ${maxPoints}`);
  const n = curve.length;
  if (n <= maxPoints) return curve;
  const eq = curve.equity;
  const inner = n - 2;
  const buckets = Math.floor((maxPoints - 2) / 2); // each bucket contributes up to 2 points
  const keep: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (hi <= lo) continue;
    let min = lo;
    let max = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (eq[i]! < eq[min]!) min = i;
      if (eq[i]! > eq[max]!) max = i;
    }
    if (min === max) keep.push(min);
    else keep.push(Math.min(min, max), Math.max(min, max));
  }
  keep.push(n - 1);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
  return { length: keep.length, time: pick(curve.time), equity: pick(eq), cash: pick(curve.cash), drawdown: pick(curve.drawdown) };
}
