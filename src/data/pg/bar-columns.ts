/**
 * The analytics' bar columns from Postgres: the counterpart of ../bar-columns.ts (time, high, low
 * and close of [from, to); open and volume never fetched), cut by the same barColumnsFromChunks.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { BarSeries } from '../../engine/bars.js';
import { barColumnsFromChunks } from '../bar-column-chunks.js';
import type { LoadBarsInput } from '../bar-store.js';
import type { PgDatabase } from '../postgres-db.js';
import { barChunks, instruments } from '../schema-pg/index.js';
import { overlapsRange, storableKey } from './bar-store.js';

/** Bars with from <= time < to, columns time, high, low and close; an empty series when none are stored. */
export async function loadBarColumns(pg: PgDatabase, input: LoadBarsInput): Promise<BarSeries> {
  const { from = -Infinity, to = Infinity } = input;
  if (!storableKey(input)) return barColumnsFromChunks(input.symbol, [], from, to);
  // One statement, one snapshot: the instrument and its chunks as of the same moment.
  const rows = await pg.db
    .select({ count: barChunks.count, time: barChunks.time, high: barChunks.high, low: barChunks.low, close: barChunks.close })
    .from(barChunks)
    .innerJoin(instruments, eq(instruments.id, barChunks.instrumentId))
    .where(
      and(
        eq(instruments.datasetId, input.dataset),
        eq(instruments.symbol, input.symbol),
        eq(barChunks.period, input.period),
        overlapsRange(from, to),
      ),
    )
    .orderBy(asc(barChunks.startMs));
  return barColumnsFromChunks(input.symbol, rows, from, to);
}
