/**
 * A pool thread's reader of an SQLite file: a read-only connection, so a pool thread can never
 * hold the write lock; each answer is one read transaction (one snapshot).
 */
import type { BarSeries } from '../engine/bars.js';
import type { BarReader, VersionedBars } from './bar-reader.js';
import { getBarsVersion, loadBars, type InstrumentKey, type LoadBarsInput } from './bar-store.js';
import { openReadOnlyDatabase, type AppDatabase } from './db.js';

export class SqliteBarReader implements BarReader {
  private readonly app: AppDatabase;

  constructor(path: string) {
    this.app = openReadOnlyDatabase(path);
  }

  async loadBars(input: LoadBarsInput): Promise<BarSeries> {
    return loadBars(this.app, input);
  }

  async readChanged(key: InstrumentKey, known: number | null, maxBars: number): Promise<VersionedBars> {
    return this.app.sqlite.transaction((): VersionedBars => {
      const version = getBarsVersion(this.app, key);
      const wanted = version !== null && version.contentId !== known && version.bars <= maxBars;
      return { version, series: wanted ? loadBars(this.app, { dataset: key.dataset, symbol: key.symbol, period: key.period }) : null };
    })();
  }

  async close(): Promise<void> {
    this.app.close();
  }
}
