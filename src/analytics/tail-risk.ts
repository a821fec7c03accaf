/**
 * The tails of the return distribution (CONVENTIONS.md "Risk and return"): historical value at risk
 * and expected shortfall at 95 % from the lower empirical quantile (no interpolation), and the
 * tail ratio from linearly interpolated 5 % and 95 % quantiles (as pyfolio defines it). Selection,
 * not sorting: O(n). A long series is selected from its tails alone (see `fromTails`); a short one,
 * or one `fromTails` declines, from a copy of the whole array, the two quantiles each inside the side
 * of the first selection they fall in. Expected shortfall sums the same k values either way, in an
 * order that depends on the path (within a few ulps).
 */
import { lowerTail, quantileLinear, quantileLinearOfPart, selectInPlace } from './select.js';

export interface TailRisk {
  /** -x(k), k = ceil(n / 20): a positive number is a loss per period. NaN without returns. */
  readonly valueAtRisk: number;
  /** -(x(1) + ... + x(k)) / k. */
  readonly expectedShortfall: number;
  /** abs(Q(0.95)) / abs(Q(0.05)); NaN or Infinity when undefined. */
  readonly tailRatio: number;
}

/** From this many returns on, the tails are looked for first. */
const TAILS_FROM = 65_536;
/** Returns sampled to place the thresholds, and the sample's quantiles they are put at. */
const SAMPLES = 4_096;
const LOWER_AT = 0.08;
const UPPER_AT = 0.92;
/** Each tail may hold up to this share of the returns before the whole array is used instead. */
const TAIL_ROOM = 0.12;

export function tailRisk(returns: Float64Array): TailRisk {
  const n = returns.length;
  if (n === 0) return { valueAtRisk: NaN, expectedShortfall: NaN, tailRatio: NaN };
  // ceil(0.05 n) computed as ceil(n / 20): exact for every n, no floating-point rounding up.
  const k = Math.ceil(n / 20);
  return (n >= TAILS_FROM ? fromTails(returns, k) : null) ?? fromWholeArray(returns, k);
}

/** From a copy of all the returns (exported for tests, as `fromTails`). */
export function fromWholeArray(returns: Float64Array, k: number): TailRisk {
  const n = returns.length;
  const scratch = Float64Array.from(returns);
  const { kth, meanOfK } = lowerTail(scratch, k);
  // Selecting x(k) split the array at k: each quantile is selected inside its own side.
  const side = (p: number): [number, number] => (Math.floor((n - 1) * p) < k ? [0, k] : [k, n]);
  const q05 = quantileLinear(scratch, 0.05, ...side(0.05));
  const q95 = quantileLinear(scratch, 0.95, ...side(0.95));
  return { valueAtRisk: -kth, expectedShortfall: -meanOfK, tailRatio: Math.abs(q95) / Math.abs(q05) };
}

/**
 * The same statistics from the returns beyond two thresholds: at most x(1..k+1) and the top 5 %
 * are needed, so one pass copies the values <= a lower threshold and >= an upper one (placed at a
 * sample's 8 % and 92 % quantiles) and the selections run on those ~8 % each, instead of copying
 * and partitioning the whole array (whose comparisons are coin flips the branch predictor loses).
 * Every value outside a tail is beyond its threshold, so a tail holding enough values holds
 * exactly the smallest (largest) order statistics: x(k), Q(0.05) and Q(0.95) are the same values.
 * Null when a tail holds too few or too many values (ties at a threshold) or a return is NaN: the
 * caller then uses the whole array.
 */
export function fromTails(returns: Float64Array, k: number): TailRisk | null {
  const n = returns.length;
  const sample = new Float64Array(SAMPLES);
  const stride = Math.floor(n / SAMPLES);
  for (let j = 0; j < SAMPLES; j++) sample[j] = returns[j * stride];
  const lowerRank = Math.floor(LOWER_AT * SAMPLES);
  const upperRank = Math.floor(UPPER_AT * SAMPLES);
  selectInPlace(sample, lowerRank);
  const lowerThreshold = sample[lowerRank];
  selectInPlace(sample, upperRank, lowerRank);
  const upperThreshold = sample[upperRank];
  if (!(lowerThreshold < upperThreshold)) return null;

  const room = Math.ceil(TAIL_ROOM * n);
  const lower = new Float64Array(room);
  const upper = new Float64Array(room);
  let lowerCount = 0;
  let upperCount = 0;
  for (let t = 0; t < n; t++) {
    const r = returns[t];
    if (r <= lowerThreshold) {
      if (lowerCount === room) return null;
      lower[lowerCount++] = r;
    } else if (r >= upperThreshold) {
      if (upperCount === room) return null;
      upper[upperCount++] = r;
    } else if (r !== r) return null;
  }
  // x(1..k+1) must be in the lower tail (Q(0.05) may need x(k+1)); Q(0.95)'s two in the upper.
  const top = Math.floor((n - 1) * 0.95);
  if (lowerCount < k + 1 || upperCount < n - top) return null;

  const { kth, meanOfK } = lowerTail(lower.subarray(0, lowerCount), k);
  const q05 = quantileLinearOfPart(lower, lowerCount, 0, n, 0.05);
  const q95 = quantileLinearOfPart(upper, upperCount, n - upperCount, n, 0.95);
  return { valueAtRisk: -kth, expectedShortfall: -meanOfK, tailRatio: Math.abs(q95) / Math.abs(q05) };
}
