/**
 * A run's detailed results: written by finishRun, read page by page for the API.
 * Rows are keyed (runId, seq) where seq is the position in the engine's result arrays.
 */
import { asc, count, eq } from 'drizzle-orm';
import type { Fill, Order } from '../engine/orders.js';
import type { BacktestResult, EquityCurve, RoundTrip } from '../engine/results.js';
import { bulkInsert } from './bulk-insert.js';
import type { AppDatabase } from './db.js';
import { downsampleEquity } from './downsample.js';
import { decodeEquity, encodeEquity } from './equity-codec.js';
import type { Page, PageOptions } from './run-types.js';
import { equityCurves, fills, orders, roundTrips } from './schema/index.js';


/** Replaces whatever results the run had; call inside the finishing transaction. */
export function writeResults(app: AppDatabase, runId: number, r: BacktestResult): void {
  deleteResults(app, runId);
  bulkInsert(app, orders, r.orders.map((o, seq) => orderRow(runId, seq, o)));
  bulkInsert(app, fills, r.fills.map((f, seq) => ({ runId, seq, fillId: f.id, ...fillFields(f) })));
  bulkInsert(app, roundTrips, r.roundTrips.map((t, seq) => ({ runId, seq, ...t })));
  app.db.insert(equityCurves).values({ runId, ...encodeEquity(r.equity) }).run();
}

export function deleteResults(app: AppDatabase, runId: number): void {
  for (const t of [orders, fills, roundTrips, equityCurves]) app.db.delete(t).where(eq(t.runId, runId)).run();
}

/** Orders in submission order. */
export function getOrders(app: AppDatabase, runId: number, page: PageOptions = {}): Page<Order> {
  return paged(app, orders, runId, page, (r) => ({
    id: r.orderId,
    time: r.time,
    symbolIndex: r.symbolIndex,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: r.quantity,
    limitPrice: r.limitPrice,
    stopPrice: r.stopPrice,
    timeInForce: r.timeInForce,
    tag: r.tag,
    status: r.status,
    filledQuantity: r.filledQuantity,
    averageFillPrice: r.averageFillPrice,
    reason: r.reason,
    triggered: r.triggered,
    submittedStep: r.submittedStep,
    expiresAt: r.expiresAt ?? Infinity,
    updatedAt: r.updatedAt,
  }));
}

/** Fills in execution order. */
export function getFills(app: AppDatabase, runId: number, page: PageOptions = {}): Page<Fill> {
  return paged(app, fills, runId, page, ({ runId: _r, seq: _s, fillId, ...f }) => ({ id: fillId, ...f }));
}

/** Round trips in the order they closed. */
export function getRoundTrips(app: AppDatabase, runId: number, page: PageOptions = {}): Page<RoundTrip> {
  return paged(app, roundTrips, runId, page, ({ runId: _r, seq: _s, ...t }) => t);
}

/** The stored curve (null if none), reduced to at most maxPoints with downsampleEquity when given. */
export function getEquityCurve(app: AppDatabase, runId: number, maxPoints?: number): EquityCurve | null {
  const row = app.db.select().from(equityCurves).where(eq(equityCurves.runId, runId)).get();
  if (!row) return null;
  const curve = decodeEquity(row);
  return maxPoints === undefined ? curve : downsampleEquity(curve, maxPoints);
}

function orderRow(runId: number, seq: number, o: Order): typeof orders.$inferInsert {
  return {
    runId,
    seq,
    orderId: o.id,
    time: o.time,
    symbolIndex: o.symbolIndex,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    timeInForce: o.timeInForce,
    tag: o.tag,
    status: o.status,
    filledQuantity: o.filledQuantity,
    averageFillPrice: o.averageFillPrice,
    reason: o.reason,
    triggered: o.triggered,
    submittedStep: o.submittedStep,
    // GTC orders never expire: the engine says Infinity, the column says NULL.
    expiresAt: Number.isFinite(o.expiresAt) ? o.expiresAt : null,
    updatedAt: o.updatedAt,
  };
}

function fillFields(f: Fill) {
  const { id: _id, ...rest } = f;
  return rest;
}


type ResultTable = typeof orders | typeof fills | typeof roundTrips;

function paged<T extends ResultTable, R>(
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
