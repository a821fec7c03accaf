/**
 * Order statistics by selection instead of sorting: quantiles of a million returns in one or two
 * linear passes. Introselect: quickselect with a median-of-three pivot, falling back to sorting the
 * remaining range when the partitioning degenerates, so the worst case stays O(n log n).
 */

/**
 * Rearranges `a[from..to)` so that a[k] holds the value it would have if the range were sorted
 * ascending, every element before it is <= a[k] and every element after it is >= a[k].
 */
export function selectInPlace(a: Float64Array, k: number, from = 0, to = a.length): void {
  if (k < from || k >= to) throw new RangeError(`select: index ${k} outside [${from}, ${to})`);
  let lo = from;
  let hi = to - 1;
  // Each round should shrink the range by a constant factor; allow 2 log2(n) rounds, then sort.
  let budget = 2 * Math.ceil(Math.log2(to - from + 1)) + 4;
  while (hi > lo) {
    if (budget-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
    // Hoare partition: [lo..j] <= pivot <= [i..hi].
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return; // j < k < i: a[k] equals the pivot and is in place
  }
}

function medianOfThree(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}

/** The smallest value of a[from..to). */
export function minOf(a: Float64Array, from = 0, to = a.length): number {
  let m = Infinity;
  for (let i = from; i < to; i++) if (a[i] < m) m = a[i];
  return m;
}

/**
 * Quantile with linear interpolation between order statistics (Hyndman-Fan type 7, numpy's
 * default): h = (n - 1) p, Q = x(floor h) + (h - floor h) (x(floor h + 1) - x(floor h)), 0-based.
 * Reorders `scratch` (pass a copy). NaN for an empty array.
 *
 * `[from, to)` may name a block already partitioned by an earlier selection (everything before it
 * <= everything in it <= everything after it) that holds order statistic floor h: the selection
 * then stays inside the block.
 */
export function quantileLinear(scratch: Float64Array, p: number, from = 0, to = scratch.length): number {
  const n = scratch.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const i = Math.floor(h);
  if (i < from || i >= to) throw new RangeError(`quantile: order statistic ${i} is outside the block [${from}, ${to})`);
  selectInPlace(scratch, i, from, to);
  const lower = scratch[i];
  const f = h - i;
  if (f === 0 || i + 1 >= n) return lower;
  // The next order statistic: the smallest value right of i in the block, or else after the block.
  const upper = i + 1 < to ? minOf(scratch, i + 1, to) : minOf(scratch, to, n);
  return lower + f * (upper - lower);
}

/**
 * quantileLinear of an array of n values when `part[0..count)` holds exactly its order statistics
 * [base, base + count), in any order (the values beyond a threshold, say): the same value, from
 * the part alone. Reorders `part`; throws when the statistics it needs are not in it.
 */
export function quantileLinearOfPart(part: Float64Array, count: number, base: number, n: number, p: number): number {
  const h = (n - 1) * p;
  const i = Math.floor(h);
  const f = h - i;
  const interpolated = f !== 0 && i + 1 < n;
  if (i < base || (interpolated ? i + 1 : i) >= base + count) throw new RangeError(`quantile: order statistics ${i}.. are outside the part [${base}, ${base + count})`);
  const j = i - base;
  selectInPlace(part, j, 0, count);
  const lower = part[j];
  if (!interpolated) return lower;
  const upper = minOf(part, j + 1, count);
  return lower + f * (upper - lower);
}

/**
 * The lower empirical tail without interpolation (Hyndman-Fan type 1): with k = ceil(n / 20) for
 * 5 %, x(k) (1-based) and the mean of x(1..k). Reorders `scratch` (pass a copy).
 */
export function lowerTail(scratch: Float64Array, k: number): { readonly kth: number; readonly meanOfK: number } {
  const n = scratch.length;
  if (n === 0 || k < 1 || k > n) return { kth: NaN, meanOfK: NaN };
  selectInPlace(scratch, k - 1);
  let s = 0;
  for (let i = 0; i < k; i++) s += scratch[i];
  return { kth: scratch[k - 1], meanOfK: s / k };
}
