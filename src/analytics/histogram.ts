/** Equal-width histogram of the returns (CONVENTIONS.md "the returns histogram"): two passes. */

export interface HistogramBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

export function returnsHistogram(returns: Float64Array, bins: number): HistogramBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer >= 1, got ${bins}`);
  const n = returns.length;
  if (n === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = returns[i];
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  if (lo === hi) return [{ lower: lo, upper: hi, count: n }];
  const width = (hi - lo) / bins;
  const counts = new Float64Array(bins);
  const last = bins - 1;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((returns[i] - lo) / width);
    counts[b > last ? last : b]++;
  }
  const out: HistogramBin[] = new Array(bins);
  for (let b = 0; b < bins; b++) {
    out[b] = { lower: lo + b * width, upper: b === last ? hi : lo + (b + 1) * width, count: counts[b] };
  }
  return out;
}
