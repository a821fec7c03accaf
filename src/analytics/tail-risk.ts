/**
 * The tails of the return distribution (CONVENTIONS.md "Risk and return"): historical value at risk
 * and expected shortfall at 95 % from the lower empirical quantile (no interpolation), and the
 * tail ratio from linearly interpolated 5 % and 95 % quantiles (as pyfolio defines it). Selection,
 * not sorting: O(n), the two quantiles each inside the side of the first selection they fall in.
 */
import { lowerTail, quantileLinear } from './select.js';

export interface TailRisk {
  /** -x(k), k = ceil(n / 20): a positive number is a loss per period. NaN without returns. */
  readonly valueAtRisk: number;
  /** -(x(1) + ... + x(k)) / k. */
  readonly expectedShortfall: number;
  /** abs(Q(0.95)) / abs(Q(0.05)); NaN or Infinity when undefined. */
  readonly tailRatio: number;
}

export function tailRisk(returns: Float64Array): TailRisk {
  const n = returns.length;
  if (n === 0) return { valueAtRisk: NaN, expectedShortfall: NaN, tailRatio: NaN };
  const scratch = Float64Array.from(returns);
  // ceil(0.05 n) computed as ceil(n / 20): exact for every n, no floating-point rounding up.
  const k = Math.ceil(n / 20);
  const { kth, meanOfK } = lowerTail(scratch, k);
  // Selecting x(k) split the array at k: each quantile is selected inside its own side.
  const side = (p: number): [number, number] => (Math.floor((n - 1) * p) < k ? [0, k] : [k, n]);
  const q05 = quantileLinear(scratch, 0.05, ...side(0.05));
  const q95 = quantileLinear(scratch, 0.95, ...side(0.95));
  return { valueAtRisk: -kth, expectedShortfall: -meanOfK, tailRatio: Math.abs(q95) / Math.abs(q05) };
}
