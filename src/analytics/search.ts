/** Binary search over sorted times (the analytics' as-of lookups). */

/** First index i in [lo, hi) with a[i] >= x, or hi. */
export function lowerBound(a: Float64Array, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
