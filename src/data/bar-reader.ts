/**
 * What a pool thread reads: bars, with the version that tells a cache (bar-cache.ts) whether the
 * copy it holds is still the stored one. Each thread opens its own reader on the configured
 * database: read-only SQLite connection (sqlite-bar-reader.ts) or a Postgres pool.
 */
import type { BarSeries } from '../engine/bars.js';
import type { BarsVersion, InstrumentKey, LoadBarsInput } from './bar-store.js';
import type { StorageConfig } from './storage.js';

/** Read in one snapshot: the stored version and, when asked for, the instrument's whole series. */
export interface VersionedBars {
  /** Null when nothing is stored for the key. */
  readonly version: BarsVersion | null;
  /** The whole series, or null: nothing stored, unchanged since `known`, or more bars than `maxBars`. */
  readonly series: BarSeries | null;
}

export interface BarReader {
  /** Bars with from <= time < to; BarsNotFoundError when none of that period are stored. */
  loadBars(input: LoadBarsInput): Promise<BarSeries>;
  /**
   * The version of key's bars and, in the same snapshot, the whole series unless its content id is
   * `known` (the caller's copy is current) or it holds more than `maxBars` bars.
   */
  readChanged(key: InstrumentKey, known: number | null, maxBars: number): Promise<VersionedBars>;
  close(): Promise<void>;
}

/** This thread's reader of the configured database. */
export async function openBarReader(config: StorageConfig): Promise<BarReader> {
  if (config.kind === 'sqlite') {
    const { SqliteBarReader } = await import('./sqlite-bar-reader.js');
    return new SqliteBarReader(config.path);
  }
  const { openPostgresBarReader } = await import('./pg/bar-reader.js');
  return openPostgresBarReader(config.url);
}
