/**
 * Bars kept in memory between runs of one thread: the next run on the same instrument takes views
 * of the columns instead of reading and copying tens of megabytes again (a 1,000,000-bar run spent
 * about as long loading as simulating). An entry is the instrument's whole series; a run's
 * start..end window is a zero-copy slice of it. Entries are checked against the stored bars'
 * content id in the same read transaction as any load, so replaced bars are never served stale.
 * Least recently used entries go first once `maxBytes` would be exceeded; an instrument larger than
 * half of it is loaded for the run alone, as without a cache.
 */
import type { BarSeries } from '../engine/bars.js';
import type { BarReader } from './bar-reader.js';
import type { LoadBarsInput } from './bar-store.js';
import { BarsNotFoundError } from './errors.js';
import { lowerBound } from './float64-bytes.js';

/** time, open, high, low, close, volume: 8 bytes each per bar. */
const BYTES_PER_BAR = 6 * 8;

interface Entry {
  readonly contentId: number;
  readonly series: BarSeries;
  readonly bytes: number;
}

export class BarCache {
  /** Map order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new RangeError(`BarCache: maxBytes must be a finite number >= 0, got ${maxBytes}`);
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /** As loadBars (same bars, same errors); the columns are views that callers must not modify. */
  async load(reader: BarReader, input: LoadBarsInput): Promise<BarSeries> {
    const key = `${input.dataset}\u0000${input.symbol}\u0000${input.period}`;
    const held = this.entries.get(key);
    const maxBars = Math.floor(this.maxBytes / 2 / BYTES_PER_BAR);
    // One snapshot: the content id and the bars read with it belong to the same write.
    const { version, series } = await reader.readChanged(input, held?.contentId ?? null, maxBars);
    if (version === null) throw new BarsNotFoundError(input.dataset, input.symbol, input.period);
    if (version.bars > maxBars) return reader.loadBars(input);
    let entry = held;
    if (entry !== undefined) this.remove(key, entry); // re-inserted below: most recent, or replaced
    if (series !== null) entry = { contentId: version.contentId, series, bytes: version.bars * BYTES_PER_BAR };
    if (entry === undefined) throw new Error(`bar cache: no bars read for ${input.dataset}/${input.symbol}`); // the reader broke its contract
    this.makeRoom(entry.bytes);
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    return window(entry.series, input.from, input.to);
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private makeRoom(bytes: number): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) return;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/** Bars with from <= time < to, as views of `s` (the whole series itself when nothing is cut). */
function window(s: BarSeries, from = -Infinity, to = Infinity): BarSeries {
  const lo = lowerBound(s.time, from);
  const hi = lowerBound(s.time, to, lo);
  if (lo === 0 && hi === s.length) return s;
  return {
    symbol: s.symbol,
    length: hi - lo,
    time: s.time.subarray(lo, hi),
    open: s.open.subarray(lo, hi),
    high: s.high.subarray(lo, hi),
    low: s.low.subarray(lo, hi),
    close: s.close.subarray(lo, hi),
    volume: s.volume.subarray(lo, hi),
  };
}
