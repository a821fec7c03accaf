/**
 * The bars the analytics read, and only the columns they read: time, high, low (MAE/MFE) and close
 * (benchmark, gross exposure). Same storage as loadBars (bar-store.ts: Float64 blob chunks per
 * instrument and period) and the same [from, to) range, but open and volume are never fetched and
 * each blob is copied once, straight into its column: a third of loadBars' bytes for a million bars.
 * The series' open and volume are empty arrays (not allocated: large typed arrays drive the GC).
 */
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { BarSeries } from '../engine/bars.js';
import type { AppDatabase } from './db.js';
import type { LoadBarsInput } from './bar-store.js';
import { barColumnsFromChunks } from './bar-column-chunks.js';
import { barChunks, instruments } from './schema/index.js';

/** Bars with from <= time < to, columns time, high, low and close; an empty series when none are stored. */
export function loadBarColumns(app: AppDatabase, input: LoadBarsInput): BarSeries {
  const { from = -Infinity, to = Infinity } = input;
  return app.sqlite.transaction((): BarSeries => {
    const instrument = app.db
      .select({ id: instruments.id })
      .from(instruments)
      .where(and(eq(instruments.datasetId, input.dataset), eq(instruments.symbol, input.symbol)))
      .get();
    if (!instrument) return barColumnsFromChunks(input.symbol, [], from, to);
    const rows = app.db
      .select({ count: barChunks.count, time: barChunks.time, high: barChunks.high, low: barChunks.low, close: barChunks.close })
      .from(barChunks)
      .where(
        and(
          eq(barChunks.instrumentId, instrument.id),
          eq(barChunks.period, input.period),
          Number.isFinite(to) ? lt(barChunks.startMs, to) : undefined,
          Number.isFinite(from) ? gte(barChunks.endMs, from) : undefined,
        ),
      )
      .orderBy(asc(barChunks.startMs))
      .all();
    return barColumnsFromChunks(input.symbol, rows, from, to);
  })();
}
