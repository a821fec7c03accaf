/**
 * Skewness and excess kurtosis of the returns, the bias-adjusted sample estimators G1 and G2 of
 * pandas `skew()`/`kurt()` (CONVENTIONS.md "Risk and return"). Two passes: the mean, then the
 * central sums, so large means do not cancel away the higher moments.
 */

export interface Moments {
  /** G1; NaN when n < 3 or the returns are constant. */
  readonly skew: number;
  /** G2, excess (0 for a normal distribution); NaN when n < 4 or the returns are constant. */
  readonly kurtosis: number;
}

export function returnMoments(r: Float64Array): Moments {
  const n = r.length;
  if (n < 3) return { skew: NaN, kurtosis: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i];
  const mean = s / n;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i] - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  const m2 = s2 / n;
  if (m2 === 0) return { skew: NaN, kurtosis: NaN };
  const g1 = s3 / n / Math.pow(m2, 1.5);
  const g2 = s4 / n / (m2 * m2) - 3;
  const skew = (Math.sqrt(n * (n - 1)) / (n - 2)) * g1;
  const kurtosis = n < 4 ? NaN : ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
  return { skew, kurtosis };
}
