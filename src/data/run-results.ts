/**
 * A run's detailed results: written by finishRun (or block by block by the job manager), read page
 * by page for the API. Orders, fills and round trips are columnar blocks (result-blocks.ts); runs
 * stored before the blocks existed keep rows keyed (runId, seq) in their own tables and still read.
 */
import { and, asc, count, desc, eq, gte, lt, lte, max } from 'drizzle-orm';
import type { Fill, Order } from '../engine/orders.js';
import type { BacktestResult, EquityCurve, RoundTrip } from '../engine/results.js';
import { bufferOf } from './buffer-of.js';
import type { AppDatabase } from './db.js';
import { downsampleEquity } from './downsample.js';
import { decodeEquity, decodeTimeEquityCash, encodeEquity, type EncodedEquity, type EquityColumns } from './equity-codec.js';
import { compressBlocks, decodeBlock, encodeBlocks, type ResultBlock, type ResultItemOf, type ResultKind } from './result-blocks.js';
import { fillFromRow, orderFromRow, roundTripFromRow } from './result-rows.js';
import type { Page, PageOptions } from './run-types.js';
import { equityCurves, fills, orders, resultBlocks, roundTrips } from './schema/index.js';

/** Replaces whatever results the run had; call inside the finishing transaction. */
export function writeResults(app: AppDatabase, runId: number, r: BacktestResult): void {
  deleteResults(app, runId);
  const blocks = [...encodeBlocks('orders', r.orders), ...encodeBlocks('fills', r.fills), ...encodeBlocks('roundTrips', r.roundTrips)];
  insertResultBlocks(app, runId, compressBlocks(blocks));
  insertEquity(app, runId, encodeEquity(r.equity));
}

/** Stores encoded blocks of a run; the caller owns the transaction (and may split a run's blocks over several). */
export function insertResultBlocks(app: AppDatabase, runId: number, blocks: readonly ResultBlock[]): void {
  const insert = app.sqlite.prepare(
    'INSERT INTO result_blocks (run_id, kind, first_seq, count, format, dictionary, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const b of blocks) insert.run(runId, b.kind, b.firstSeq, b.count, b.format, b.dictionary, bufferOf(b.bytes));
}

export function insertEquity(app: AppDatabase, runId: number, e: EncodedEquity): void {
  app.sqlite
    .prepare('INSERT INTO equity_curves (run_id, points, format, time, equity, cash, drawdown) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(runId, e.points, e.format, bufferOf(e.time), bufferOf(e.equity), bufferOf(e.cash), bufferOf(e.drawdown));
}

export function deleteResults(app: AppDatabase, runId: number): void {
  for (const t of [orders, fills, roundTrips, equityCurves, resultBlocks]) app.db.delete(t).where(eq(t.runId, runId)).run();
}

/** Orders in submission order. */
export function getOrders(app: AppDatabase, runId: number, page: PageOptions = {}): Page<Order> {
  return blockPage(app, runId, 'orders', page) ?? rowPage(app, orders, runId, page, orderFromRow);
}

/** Fills in execution order. */
export function getFills(app: AppDatabase, runId: number, page: PageOptions = {}): Page<Fill> {
  return blockPage(app, runId, 'fills', page) ?? rowPage(app, fills, runId, page, fillFromRow);
}

/** Round trips in the order they closed. */
export function getRoundTrips(app: AppDatabase, runId: number, page: PageOptions = {}): Page<RoundTrip> {
  return blockPage(app, runId, 'roundTrips', page) ?? rowPage(app, roundTrips, runId, page, roundTripFromRow);
}

/** The stored curve (null if none), reduced to at most maxPoints with downsampleEquity when given. */
export function getEquityCurve(app: AppDatabase, runId: number, maxPoints?: number): EquityCurve | null {
  const row = app.db.select().from(equityCurves).where(eq(equityCurves.runId, runId)).get();
  if (!row) return null;
  const curve = decodeEquity(row);
  return maxPoints === undefined ? curve : downsampleEquity(curve, maxPoints);
}

/** The stored curve's time, equity and cash columns (drawdown is not read); null if none was stored. */
export function getEquityColumns(app: AppDatabase, runId: number): EquityColumns | null {
  const row = app.db
    .select({ points: equityCurves.points, format: equityCurves.format, time: equityCurves.time, equity: equityCurves.equity, cash: equityCurves.cash })
    .from(equityCurves)
    .where(eq(equityCurves.runId, runId))
    .get();
  if (!row) return null;
  try {
    return decodeTimeEquityCash(row);
  } catch (e) {
    throw new Error(`run ${runId}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

type ResultTable = typeof orders | typeof fills | typeof roundTrips;

/**
 * A page read from the run's blocks: the block holding `offset` and the following ones up to
 * offset + limit, decoding only the items asked for. Null when the run has no blocks of this kind
 * (stored as rows before blocks existed, or none at all): the row tables answer then.
 */
function blockPage<K extends ResultKind>(app: AppDatabase, runId: number, kind: K, page: PageOptions): Page<ResultItemOf[K]> | null {
  const ofRun = and(eq(resultBlocks.runId, runId), eq(resultBlocks.kind, kind));
  return app.sqlite.transaction((): Page<ResultItemOf[K]> | null => {
    const last = app.db
      .select({ firstSeq: resultBlocks.firstSeq, count: resultBlocks.count })
      .from(resultBlocks)
      .where(ofRun)
      .orderBy(desc(resultBlocks.firstSeq))
      .limit(1)
      .get();
    if (!last) return null;
    const totalCount = last.firstSeq + last.count;
    const offset = Math.max(0, page.offset ?? 0);
    const end = page.limit === undefined ? totalCount : Math.min(totalCount, offset + Math.max(0, page.limit));
    if (end <= offset) return { items: [], totalCount };
    const start = app.db.select({ at: max(resultBlocks.firstSeq) }).from(resultBlocks).where(and(ofRun, lte(resultBlocks.firstSeq, offset))).get()?.at ?? 0;
    const blocks = app.db
      .select()
      .from(resultBlocks)
      .where(and(ofRun, gte(resultBlocks.firstSeq, start), lt(resultBlocks.firstSeq, end)))
      .orderBy(asc(resultBlocks.firstSeq))
      .all();
    const items: ResultItemOf[K][] = [];
    for (const b of blocks) for (const item of decodeBlock(b, kind, offset - b.firstSeq, end - b.firstSeq)) items.push(item);
    return { items, totalCount };
  })();
}

function rowPage<T extends ResultTable, R>(
  app: AppDatabase,
  table: T,
  runId: number,
  page: PageOptions,
  map: (row: T['$inferSelect']) => R,
): Page<R> {
  const { offset = 0, limit } = page;
  const where = eq(table.runId, runId);
  return app.sqlite.transaction((): Page<R> => {
    const totalCount = app.db.select({ n: count() }).from(table).where(where).get()!.n;
    const q = app.db
      .select()
      .from(table as ResultTable)
      .where(where)
      .orderBy(asc(table.seq))
      // drizzle drops a negative LIMIT (SQLite's "no limit"), which would orphan the OFFSET.
      .limit(limit === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, limit))
      .offset(Math.max(0, offset));
    const rows = q.all() as T['$inferSelect'][];
    return { items: rows.map(map), totalCount };
  })();
}
