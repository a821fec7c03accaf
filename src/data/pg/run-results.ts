/**
 * A run's detailed results in Postgres, the counterpart of ../run-results.ts: orders, fills and
 * round trips as columnar blocks (result-blocks.ts) and the equity row (equity-codec.ts), the same
 * bytes as on SQLite, written inside the run's finishing transaction and read page by page. Runs
 * stored as rows before blocks existed (only ever copied over from SQLite) still read.
 */
import { and, asc, count, desc, eq, gte, lt, lte, max } from 'drizzle-orm';
import type { Fill, Order } from '../../engine/orders.js';
import type { EquityCurve, RoundTrip } from '../../engine/results.js';
import { blockSlices } from '../block-slices.js';
import { bufferOf } from '../buffer-of.js';
import { downsampleEquity } from '../downsample.js';
import { decodeEquity, decodeTimeEquityCash, type EncodedEquity, type EquityColumns } from '../equity-codec.js';
import type { PgDatabase } from '../postgres-db.js';
import { decodeBlock, type ResultBlock, type ResultItemOf, type ResultKind } from '../result-blocks.js';
import { fillFromRow, orderFromRow, roundTripFromRow } from '../result-rows.js';
import type { Page, PageOptions } from '../run-types.js';
import { equityCurves, fills, orders, resultBlocks, roundTrips } from '../schema-pg/index.js';
import { eqId, readSnapshot, type PgExecutor } from './executor.js';

/** Bytes of blocks per INSERT statement (the driver copies them into one message). */
const INSERT_BYTES = 4 * 1024 * 1024;
/** Blocks per INSERT at most: 7 parameters each, under Postgres's 65,535 per statement. */
const INSERT_ROWS = 1_000;

/** Removes every result of the run (blocks, equity, legacy rows); the caller owns the transaction. */
export async function deleteResults(tx: PgExecutor, runId: number): Promise<void> {
  for (const t of [orders, fills, roundTrips, equityCurves, resultBlocks]) await tx.delete(t).where(eq(t.runId, runId));
}

/** Stores encoded blocks of a run; the caller owns the transaction. */
export async function insertResultBlocks(tx: PgExecutor, runId: number, blocks: readonly ResultBlock[]): Promise<void> {
  for (const slice of blockSlices(blocks, INSERT_BYTES)) {
    for (let i = 0; i < slice.length; i += INSERT_ROWS) {
      const rows = slice.slice(i, i + INSERT_ROWS).map((b) => ({
        runId,
        kind: b.kind,
        firstSeq: b.firstSeq,
        count: b.count,
        format: b.format,
        dictionary: b.dictionary,
        bytes: bufferOf(b.bytes),
      }));
      await tx.insert(resultBlocks).values(rows);
    }
  }
}

export async function insertEquity(tx: PgExecutor, runId: number, e: EncodedEquity): Promise<void> {
  await tx.insert(equityCurves).values({
    runId,
    points: e.points,
    format: e.format,
    time: bufferOf(e.time),
    equity: bufferOf(e.equity),
    cash: bufferOf(e.cash),
    drawdown: bufferOf(e.drawdown),
  });
}

/** Orders in submission order. */
export async function getOrders(pg: PgDatabase, runId: number, page: PageOptions = {}): Promise<Page<Order>> {
  return (await blockPage(pg, runId, 'orders', page)) ?? rowPage(pg, orders, runId, page, orderFromRow);
}

/** Fills in execution order. */
export async function getFills(pg: PgDatabase, runId: number, page: PageOptions = {}): Promise<Page<Fill>> {
  return (await blockPage(pg, runId, 'fills', page)) ?? rowPage(pg, fills, runId, page, fillFromRow);
}

/** Round trips in the order they closed. */
export async function getRoundTrips(pg: PgDatabase, runId: number, page: PageOptions = {}): Promise<Page<RoundTrip>> {
  return (await blockPage(pg, runId, 'roundTrips', page)) ?? rowPage(pg, roundTrips, runId, page, roundTripFromRow);
}

/** The stored curve (null if none), reduced to at most maxPoints with downsampleEquity when given. */
export async function getEquityCurve(pg: PgDatabase, runId: number, maxPoints?: number): Promise<EquityCurve | null> {
  const [row] = await pg.db.select().from(equityCurves).where(eqId(equityCurves.runId, runId));
  if (!row) return null;
  const curve = decodeEquity(row);
  return maxPoints === undefined ? curve : downsampleEquity(curve, maxPoints);
}

/** The stored curve's time, equity and cash columns (drawdown is not read); null if none was stored. */
export async function getEquityColumns(pg: PgDatabase, runId: number): Promise<EquityColumns | null> {
  const [row] = await pg.db
    .select({ points: equityCurves.points, format: equityCurves.format, time: equityCurves.time, equity: equityCurves.equity, cash: equityCurves.cash })
    .from(equityCurves)
    .where(eqId(equityCurves.runId, runId));
  if (!row) return null;
  try {
    return decodeTimeEquityCash(row);
  } catch (e) {
    throw new Error(`run ${runId}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A page read from the run's blocks: the block holding `offset` and the following ones up to
 * offset + limit, decoding only the items asked for, all in one snapshot. Null when the run has no
 * blocks of this kind (stored as rows, or nothing at all): the row tables answer then.
 */
function blockPage<K extends ResultKind>(pg: PgDatabase, runId: number, kind: K, page: PageOptions): Promise<Page<ResultItemOf[K]> | null> {
  const ofRun = and(eqId(resultBlocks.runId, runId), eq(resultBlocks.kind, kind));
  return readSnapshot(pg, async (tx): Promise<Page<ResultItemOf[K]> | null> => {
    const [last] = await tx
      .select({ firstSeq: resultBlocks.firstSeq, count: resultBlocks.count })
      .from(resultBlocks)
      .where(ofRun)
      .orderBy(desc(resultBlocks.firstSeq))
      .limit(1);
    if (!last) return null;
    const totalCount = last.firstSeq + last.count;
    const offset = Math.max(0, page.offset ?? 0);
    const end = page.limit === undefined ? totalCount : Math.min(totalCount, offset + Math.max(0, page.limit));
    // Past here offset < end <= totalCount: both fit the integer columns they are compared with.
    if (end <= offset) return { items: [], totalCount };
    const [found] = await tx
      .select({ at: max(resultBlocks.firstSeq) })
      .from(resultBlocks)
      .where(and(ofRun, lte(resultBlocks.firstSeq, offset)));
    const start = found?.at ?? 0;
    const blocks = await tx
      .select()
      .from(resultBlocks)
      .where(and(ofRun, gte(resultBlocks.firstSeq, start), lt(resultBlocks.firstSeq, end)))
      .orderBy(asc(resultBlocks.firstSeq));
    const items: ResultItemOf[K][] = [];
    for (const b of blocks) for (const item of decodeBlock(b, kind, offset - b.firstSeq, end - b.firstSeq)) items.push(item);
    return { items, totalCount };
  });
}

type ResultTable = typeof orders | typeof fills | typeof roundTrips;

function rowPage<T extends ResultTable, R>(pg: PgDatabase, table: T, runId: number, page: PageOptions, map: (row: T['$inferSelect']) => R): Promise<Page<R>> {
  const { offset = 0, limit } = page;
  const where = eqId(table.runId, runId);
  return readSnapshot(pg, async (tx): Promise<Page<R>> => {
    const [counted] = await tx.select({ n: count() }).from(table as ResultTable).where(where);
    const rows = (await tx
      .select()
      .from(table as ResultTable)
      .where(where)
      .orderBy(asc(table.seq))
      .limit(limit === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, limit))
      .offset(Math.max(0, offset))) as T['$inferSelect'][];
    return { items: rows.map(map), totalCount: counted?.n ?? 0 };
  });
}
