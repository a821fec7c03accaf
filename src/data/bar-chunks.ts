/**
 * How a series is written, the same for every database: checked, cut into chunks of CHUNK_BARS
 * consecutive bars with one Float64 blob per column, and tagged with a fresh content id.
 */
import type { BarSeries } from '../engine/bars.js';
import { InvalidBarsError } from './errors.js';
import { float64Bytes } from './float64-bytes.js';

/** Bars per chunk: 512 KiB per column blob, large enough that per-row overhead vanishes. */
export const CHUNK_BARS = 65_536;

export const BAR_COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** One bar_chunks row, without its instrument and period. */
export interface BarChunk {
  /** Time of the chunk's first and last bar (inclusive), epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
  readonly time: Buffer;
  readonly open: Buffer;
  readonly high: Buffer;
  readonly low: Buffer;
  readonly close: Buffer;
  readonly volume: Buffer;
}

/** Refuses an empty series and times that are not finite and strictly increasing. */
export function checkSeries(s: BarSeries): void {
  if (s.length === 0) throw new InvalidBarsError('cannot store an empty series');
  const t = s.time;
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(t[i]!)) throw new InvalidBarsError(`bar ${i}: time ${t[i]} is not a finite epoch ms`);
    if (i > 0 && !(t[i]! > t[i - 1]!)) {
      throw new InvalidBarsError(`bar ${i}: time ${t[i]} is not after the previous bar's ${t[i - 1]}`);
    }
  }
}

/** The series' chunks in time order; the blobs are views of the series' columns (no copy). */
export function* seriesChunks(series: BarSeries): Generator<BarChunk> {
  for (let start = 0; start < series.length; start += CHUNK_BARS) {
    const end = Math.min(start + CHUNK_BARS, series.length);
    const blob = (c: (typeof BAR_COLUMNS)[number]) => float64Bytes(series[c].subarray(start, end));
    yield {
      startMs: series.time[start]!,
      endMs: series.time[end - 1]!,
      count: end - start,
      time: blob('time'),
      open: blob('open'),
      high: blob('high'),
      low: blob('low'),
      close: blob('close'),
      volume: blob('volume'),
    };
  }
}

/** A random 52-bit id: two writes, even of a deleted and recreated instrument, never share one. */
export function newContentId(): number {
  return 1 + Math.floor(Math.random() * (2 ** 52 - 1));
}
