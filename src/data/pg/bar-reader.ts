/** A pool thread's reader of a Postgres database: a small pool of its own; each answer is one snapshot. */
import type { BarSeries } from '../../engine/bars.js';
import type { BarReader, VersionedBars } from '../bar-reader.js';
import type { InstrumentKey, LoadBarsInput } from '../bar-store.js';
import { openPostgres, type PgDatabase } from '../postgres-db.js';
import { loadBars, readBarsSnapshot } from './bar-store.js';

/** One connection: a pool thread runs one backtest at a time. */
const CONNECTIONS = 1;

export async function openPostgresBarReader(url: string): Promise<BarReader> {
  const pg = await openPostgres(url, { migrate: false, max: CONNECTIONS });
  return new PostgresBarReader(pg);
}

class PostgresBarReader implements BarReader {
  constructor(private readonly pg: PgDatabase) {}

  loadBars(input: LoadBarsInput): Promise<BarSeries> {
    return loadBars(this.pg, input);
  }

  readChanged(key: InstrumentKey, known: number | null, maxBars: number): Promise<VersionedBars> {
    return readBarsSnapshot(this.pg, key, { known, maxBars });
  }

  close(): Promise<void> {
    return this.pg.close();
  }
}
