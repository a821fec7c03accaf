/**
 * Shrinks a bar series for a price chart: at most `maxBuckets` bars, each bucket a run of
 * consecutive bars merged the way a longer bar is built from shorter ones (the first open, the
 * highest high, the lowest low, the last close, the summed volume), stamped with its first bar's
 * time. Buckets hold equal numbers of bars, so gaps in time (weekends, halts) do not leave empty
 * buckets. A series that already fits is returned bar for bar.
 */
import type { BarSeries } from '../engine/bars.js';

export interface OhlcBar {
  /** Open time of the bucket's first bar, epoch ms. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export function downsampleOhlc(series: BarSeries, maxBuckets: number): OhlcBar[] {
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1) throw new RangeError(`maxBuckets must be an integer >= 1, got ${maxBuckets}`);
  const n = series.length;
  const buckets = Math.min(n, maxBuckets);
  const out: OhlcBar[] = new Array(buckets);
  const { time, open, high, low, close, volume } = series;
  for (let b = 0; b < buckets; b++) {
    // Bucket b holds bars [lo, hi): sizes differ by at most one bar.
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let h = high[lo]!;
    let l = low[lo]!;
    let v = 0;
    for (let i = lo; i < hi; i++) {
      if (high[i]! > h) h = high[i]!;
      if (low[i]! < l) l = low[i]!;
      v += volume[i]!;
    }
    out[b] = { time: time[lo]!, open: open[lo]!, high: h, low: l, close: close[hi - 1]!, volume: v };
  }
  return out;
}
