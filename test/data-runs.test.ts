import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fill, Order } from '../src/engine/orders.js';
import type { BacktestResult, EquityCurve, RoundTrip, RunMetrics } from '../src/engine/results.js';
import {
  createRun,
  deleteRuns,
  finishRun,
  getEquityCurve,
  getFills,
  getOrders,
  getRoundTrips,
  getRun,
  listRuns,
  markInterruptedRuns,
  markRunStarted,
  updateRunProgress,
  type NewRun,
} from '../src/data/run-store.js';
import { openDatabase, type AppDatabase } from '../src/data/db.js';
import { BLOCK_FORMAT, BLOCK_FORMAT_DEFLATE, BLOCK_ITEMS, compressBlock, decodeBlock, encodeBlock, encodeBlocks } from '../src/data/result-blocks.js';
import { SLICE_BYTES, storeFailure, storeOutcome, type RunOutcome } from '../src/data/run-outcome-store.js';
import { encodeEquity } from '../src/data/equity-codec.js';
import { fills as fillRows, orders as orderRows, roundTrips as roundTripRows } from '../src/data/schema/index.js';
import { tempDb, type TempDb } from './data-fixtures.js';

const NEW_RUN: NewRun = {
  strategy: 'smaCross',
  params: { fast: 10, slow: 30, nested: { a: [1, 2] } },
  symbols: ['AAA', 'BBB'],
  dataset: 'synthetic',
  period: 'MINUTE',
  start: '2020-01-01',
  end: null,
  initialCash: 100_000,
  commission: { perUnit: 0.005, minimumPerOrder: 1, percentOfNotional: 0 },
  slippageBps: 2,
};

const T0 = Date.UTC(2020, 0, 1);

function order(id: number, o: Partial<Order>): Order {
  return {
    id, time: T0 + id * 60_000, symbolIndex: 0, symbol: 'AAA', side: 'BUY', type: 'MARKET', quantity: 10,
    limitPrice: null, stopPrice: null, timeInForce: 'GTC', tag: null, status: 'FILLED', filledQuantity: 10,
    trailAmount: null, trailPercent: null, parentId: null, ocoGroup: null, bestPrice: 0, held: false,
    averageFillPrice: 100.5, reason: null, triggered: false, submittedStep: id, expiresAt: Infinity,
    updatedAt: T0 + (id + 1) * 60_000, ...o,
  };
}

function result(points = 5): BacktestResult {
  const orders: Order[] = [
    order(1, {}),
    order(2, { side: 'SELL', type: 'STOP_LIMIT', stopPrice: 99, limitPrice: 98.5, timeInForce: 'DAY', expiresAt: T0 + 86_400_000, tag: 'stop', status: 'CANCELLED', filledQuantity: 0, averageFillPrice: null, reason: 'cancelled by strategy', triggered: true }),
    order(3, { symbolIndex: 1, symbol: 'BBB', type: 'LIMIT', limitPrice: 50.25, status: 'PARTIALLY_FILLED', filledQuantity: 4, quantity: 7.5 }),
    order(4, { side: 'SELL', type: 'TRAILING_STOP', stopPrice: 97.5, trailAmount: 2.5, bestPrice: 100, parentId: 1, ocoGroup: 'oco-1', held: true }),
  ];
  const fills: Fill[] = [
    { id: 1, orderId: 1, time: T0 + 120_000, symbolIndex: 0, symbol: 'AAA', barIndex: 2, side: 'BUY', quantity: 10, price: 100.5, commission: 1 },
    { id: 2, orderId: 3, time: T0 + 240_000, symbolIndex: 1, symbol: 'BBB', barIndex: 4, side: 'BUY', quantity: 4, price: 50.25, commission: 1 },
    { id: 3, orderId: 4, time: T0 + 300_000, symbolIndex: 0, symbol: 'AAA', barIndex: 5, side: 'SELL', quantity: 10, price: 101.75, commission: 1.05 },
  ];
  const roundTrips: RoundTrip[] = [
    { symbol: 'AAA', side: 'BUY', quantity: 10, entryTime: T0 + 120_000, exitTime: T0 + 300_000, entryPrice: 100.5, exitPrice: 101.75, pnl: 10.45, returnPct: 1.0398, bars: 3 },
  ];
  const metrics: RunMetrics = {
    finalEquity: 100_010.45, totalReturn: 0.0001045, cagr: null, volatility: 0.12, sharpe: 1.5, sortino: null,
    maxDrawdown: 0.002, maxDrawdownDuration: 3, trades: 1, winRate: 1, profitFactor: null, totalCommission: 3.05, exposure: 0.4,
  };
  const equity: EquityCurve = {
    length: points,
    time: Float64Array.from({ length: points }, (_, i) => T0 + i * 60_000),
    equity: Float64Array.from({ length: points }, (_, i) => 100_000 + Math.sin(i) * 50),
    cash: Float64Array.from({ length: points }, (_, i) => 100_000 - i),
    drawdown: new Float64Array(points),
  };
  // Drawdown by hand, as the engine defines it (1 - equity / running peak): stored curves derive it.
  for (let i = 0, peak = -Infinity; i < points; i++) {
    peak = Math.max(peak, equity.equity[i]!);
    equity.drawdown[i] = 1 - equity.equity[i]! / peak;
  }
  return { orders, fills, roundTrips, equity, metrics, barsProcessed: 1234, partial: false };
}

describe('run store', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());

  it('creates a QUEUED run with parsed JSON fields', () => {
    const before = Date.now();
    const run = createRun(t.app, NEW_RUN);
    expect(run).toMatchObject({ ...NEW_RUN, status: 'QUEUED', progress: 0, barsProcessed: 0, error: null, startedAt: null, finishedAt: null, metrics: null, periodsPerYear: null });
    expect(run.createdAt).toBeGreaterThanOrEqual(before);
    expect(getRun(t.app, run.id)).toEqual(run);
    expect(getRun(t.app, run.id + 100)).toBeNull();
  });

  it('moves through RUNNING to COMPLETED; results read back equal', () => {
    const { id } = createRun(t.app, NEW_RUN);
    expect(updateRunProgress(t.app, id, 0.1, 10)).toBe(false); // not running yet
    expect(markRunStarted(t.app, id)).toBe(true);
    expect(markRunStarted(t.app, id)).toBe(false);
    expect(updateRunProgress(t.app, id, 0.5, 600)).toBe(true);
    expect(getRun(t.app, id)).toMatchObject({ status: 'RUNNING', progress: 0.5, barsProcessed: 600 });

    const r = result();
    const done = finishRun(t.app, id, { status: 'COMPLETED', result: r })!;
    expect(done).toMatchObject({ status: 'COMPLETED', progress: 1, barsProcessed: 1234, metrics: r.metrics, error: null });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt!);
    expect(getRun(t.app, id)).toEqual(done);

    expect(getOrders(t.app, id)).toEqual({ items: r.orders, totalCount: 4 });
    expect(getFills(t.app, id)).toEqual({ items: r.fills, totalCount: 3 });
    expect(getRoundTrips(t.app, id)).toEqual({ items: r.roundTrips, totalCount: 1 });
    expect(getFills(t.app, id, { offset: 1, limit: 1 })).toEqual({ items: [r.fills[1]], totalCount: 3 });
    expect(getOrders(t.app, id, { offset: 2 })).toEqual({ items: r.orders.slice(2), totalCount: 4 });
    expect(getFills(t.app, id, { limit: 0 })).toEqual({ items: [], totalCount: 3 });

    const eq = getEquityCurve(t.app, id)!;
    expect(eq.length).toBe(5);
    for (const k of ['time', 'equity', 'cash', 'drawdown'] as const) expect(Array.from(eq[k])).toEqual(Array.from(r.equity[k]));
    expect(getEquityCurve(t.app, id, 2)!.length).toBe(2);
  });

  it('failed and cancelled runs keep their error; a deleted run cannot be finished', () => {
    const a = createRun(t.app, NEW_RUN);
    expect(finishRun(t.app, a.id, { status: 'FAILED', error: 'boom' })).toMatchObject({ status: 'FAILED', error: 'boom', metrics: null });
    expect(getEquityCurve(t.app, a.id)).toBeNull();
    expect(getFills(t.app, a.id)).toEqual({ items: [], totalCount: 0 });
    const b = createRun(t.app, NEW_RUN);
    expect(finishRun(t.app, b.id, { status: 'CANCELLED', result: { ...result(), partial: true } })).toMatchObject({ status: 'CANCELLED', progress: 0 });
    expect(markRunStarted(t.app, b.id)).toBe(false);
    deleteRuns(t.app, [b.id]);
    expect(finishRun(t.app, b.id, { status: 'COMPLETED', result: result() })).toBeNull();
  });

  it('deleteRuns cascades to every result table', () => {
    const keep = createRun(t.app, NEW_RUN);
    const drop = createRun(t.app, NEW_RUN);
    finishRun(t.app, keep.id, { status: 'COMPLETED', result: result() });
    finishRun(t.app, drop.id, { status: 'COMPLETED', result: result() });
    expect(deleteRuns(t.app, [drop.id, 9999])).toBe(1);
    expect(getRun(t.app, drop.id)).toBeNull();
    for (const table of ['result_blocks', 'equity_curves']) {
      const byRun = t.app.sqlite.prepare(`select run_id, count(*) n from ${table} group by run_id`).all();
      expect(byRun.map((r) => (r as { run_id: number }).run_id)).toEqual([keep.id]);
    }
    expect(deleteRuns(t.app, [])).toBe(0);
  });

  it('lists newest first with cursor paging and filters', () => {
    const ids = Array.from({ length: 7 }, (_, i) => createRun(t.app, { ...NEW_RUN, strategy: i % 2 ? 'odd' : 'even' }).id);
    finishRun(t.app, ids[1]!, { status: 'FAILED', error: 'x' });
    finishRun(t.app, ids[4]!, { status: 'FAILED', error: 'x' });

    const p1 = listRuns(t.app, { first: 3 });
    expect(p1.runs.map((r) => r.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(p1).toMatchObject({ totalCount: 7, hasNextPage: true });
    const p3 = listRuns(t.app, { first: 3, after: ids[1] });
    expect(p3.runs.map((r) => r.id)).toEqual([ids[0]]);
    expect(p3).toMatchObject({ totalCount: 7, hasNextPage: false });

    expect(listRuns(t.app, { status: 'FAILED' }).runs.map((r) => r.id)).toEqual([ids[4], ids[1]]);
    const odd = listRuns(t.app, { strategy: 'odd', first: 2 });
    expect(odd.runs.map((r) => r.id)).toEqual([ids[5], ids[3]]);
    expect(odd).toMatchObject({ totalCount: 3, hasNextPage: true });
    expect(listRuns(t.app, { strategy: 'odd', status: 'FAILED' }).runs.map((r) => r.id)).toEqual([ids[1]]);
  });

  it('markInterruptedRuns fails every QUEUED or RUNNING run', () => {
    const queued = createRun(t.app, NEW_RUN);
    const running = createRun(t.app, NEW_RUN);
    const done = createRun(t.app, NEW_RUN);
    markRunStarted(t.app, running.id);
    finishRun(t.app, done.id, { status: 'COMPLETED' });
    expect(markInterruptedRuns(t.app)).toBe(2);
    for (const id of [queued.id, running.id]) expect(getRun(t.app, id)).toMatchObject({ status: 'FAILED', error: 'interrupted' });
    expect(getRun(t.app, done.id)).toMatchObject({ status: 'COMPLETED', error: null });
  });

  // Its speed is bench's `equity` section; here only that it round-trips.
  it('writes and reads a 1,000,000-point equity curve', () => {
    const { id } = createRun(t.app, NEW_RUN);
    const r = result(1_000_000);
    finishRun(t.app, id, { status: 'COMPLETED', result: r });
    const eq = getEquityCurve(t.app, id)!;
    expect(eq.length).toBe(1_000_000);
    expect(eq.equity[999_999]).toBe(r.equity.equity[999_999]);
    expect(eq.time[123_456]).toBe(r.equity.time[123_456]);
  });
});

/** Deterministic variety: every field takes several values, nullable ones are null now and then. */
function manyFills(n: number): Fill[] {
  const symbols = ['AAA', 'BBB', 'CCC'];
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1, orderId: 2 * i + 1, time: T0 + i * 60_000, symbolIndex: i % 3, symbol: symbols[i % 3]!, barIndex: 7 * i,
    side: i % 4 < 2 ? 'BUY' : 'SELL', quantity: 1 + (i % 13) / 4, price: 100 + Math.sin(i) * 10, commission: (i % 5) * 0.125,
  }));
}

function manyOrders(n: number): Order[] {
  return Array.from({ length: n }, (_, i) =>
    order(i + 1, {
      side: i % 2 ? 'SELL' : 'BUY',
      type: (['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'TRAILING_STOP'] as const)[i % 5],
      limitPrice: i % 5 === 1 || i % 5 === 3 ? 100 + i / 100 : null,
      stopPrice: i % 5 >= 2 ? 99 - i / 100 : null,
      trailPercent: i % 5 === 4 ? 1.5 : null,
      tag: i % 7 === 0 ? `tag-${i % 3}` : null,
      reason: i % 11 === 0 ? 'cancelled by strategy' : null,
      parentId: i % 9 === 0 && i > 0 ? i : null,
      ocoGroup: i % 9 === 0 && i > 0 ? `oco-${i}` : null,
      triggered: i % 3 === 0,
      held: i % 4 === 0,
      timeInForce: i % 2 ? 'DAY' : 'GTC',
      expiresAt: i % 2 ? T0 + 86_400_000 : Infinity,
      averageFillPrice: i % 6 === 0 ? null : 100.25 + i,
      bestPrice: i % 5 === 4 ? 101 + i : 0,
    }),
  );
}

describe('result blocks', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());

  it('store orders, fills and round trips as compressed columnar blocks; pages across block boundaries read what was written', () => {
    const fills = manyFills(2 * BLOCK_ITEMS + 1_500);
    const orders = manyOrders(BLOCK_ITEMS + 10);
    const r = { ...result(), fills, orders };
    const { id } = createRun(t.app, NEW_RUN);
    finishRun(t.app, id, { status: 'COMPLETED', result: r });
    const stored = t.app.sqlite.prepare('select kind, first_seq, count, format from result_blocks where run_id = ? order by kind, first_seq').all(id);
    expect(stored).toEqual([
      { kind: 'fills', first_seq: 0, count: BLOCK_ITEMS, format: BLOCK_FORMAT_DEFLATE },
      { kind: 'fills', first_seq: BLOCK_ITEMS, count: BLOCK_ITEMS, format: BLOCK_FORMAT_DEFLATE },
      { kind: 'fills', first_seq: 2 * BLOCK_ITEMS, count: 1_500, format: BLOCK_FORMAT_DEFLATE },
      { kind: 'orders', first_seq: 0, count: BLOCK_ITEMS, format: BLOCK_FORMAT_DEFLATE },
      { kind: 'orders', first_seq: BLOCK_ITEMS, count: 10, format: BLOCK_FORMAT_DEFLATE },
      { kind: 'roundTrips', first_seq: 0, count: 1, format: BLOCK_FORMAT_DEFLATE },
    ]);
    const total = fills.length;
    const pages: [number, number | undefined][] = [
      [0, 100], [BLOCK_ITEMS - 3, 6], [BLOCK_ITEMS, 1], [BLOCK_ITEMS - 1, BLOCK_ITEMS + 2], [2 * BLOCK_ITEMS + 1_499, 10],
      [total - 1, undefined], [total, 10], [total + 50, 10], [5, 0], [100, undefined],
    ];
    for (const [offset, limit] of pages) {
      const end = limit === undefined ? total : offset + limit;
      expect(getFills(t.app, id, { offset, limit }), `fills offset ${offset} limit ${limit}`).toEqual({ items: fills.slice(offset, end), totalCount: total });
    }
    expect(getOrders(t.app, id, { offset: BLOCK_ITEMS - 2, limit: 5 })).toEqual({ items: orders.slice(BLOCK_ITEMS - 2, BLOCK_ITEMS + 3), totalCount: orders.length });
    expect(getOrders(t.app, id).items).toEqual(orders);
    expect(getRoundTrips(t.app, id)).toEqual({ items: r.roundTrips, totalCount: 1 });
  });

  it('decode raw and deflated blocks alike; an integer field beyond 32 bits is refused, naming it', () => {
    const fills = manyFills(300);
    const raw = encodeBlock('fills', fills, 100, 250);
    expect(raw).toMatchObject({ kind: 'fills', firstSeq: 100, count: 150, format: BLOCK_FORMAT });
    expect(decodeBlock(raw, 'fills')).toEqual(fills.slice(100, 250));
    const packed = compressBlock(raw);
    expect(packed.format).toBe(BLOCK_FORMAT_DEFLATE);
    expect(packed.bytes.byteLength).toBeLessThan(raw.bytes.byteLength);
    expect(decodeBlock(packed, 'fills', 10, 20)).toEqual(fills.slice(110, 120));
    const orders = manyOrders(50);
    expect(decodeBlock(compressBlock(encodeBlock('orders', orders, 0, 50)), 'orders')).toEqual(orders);
    expect(() => encodeBlock('fills', [{ ...fills[0]!, barIndex: 2 ** 31 }], 0, 1)).toThrow(/fills 0\.\.1: 2147483648 is not a 32-bit integer/);
    expect(() => decodeBlock({ ...raw, format: 9 }, 'fills')).toThrow(/format 9 is not supported/);
  });

  it('runs stored as rows before the blocks existed still read, page by page', () => {
    const { id } = createRun(t.app, NEW_RUN);
    finishRun(t.app, id, { status: 'COMPLETED' });
    const r = result();
    const legacyOrders = r.orders.slice(0, 3); // the order kinds rows could hold
    t.app.db.insert(fillRows).values(r.fills.map(({ id: fillId, ...f }, seq) => ({ runId: id, seq, fillId, ...f }))).run();
    t.app.db
      .insert(orderRows)
      .values(legacyOrders.map((o, seq) => ({
        runId: id, seq, orderId: o.id, time: o.time, symbolIndex: o.symbolIndex, symbol: o.symbol, side: o.side, type: o.type,
        quantity: o.quantity, limitPrice: o.limitPrice, stopPrice: o.stopPrice, timeInForce: o.timeInForce, tag: o.tag, status: o.status,
        filledQuantity: o.filledQuantity, averageFillPrice: o.averageFillPrice, reason: o.reason, triggered: o.triggered,
        submittedStep: o.submittedStep, expiresAt: Number.isFinite(o.expiresAt) ? o.expiresAt : null, updatedAt: o.updatedAt,
      })))
      .run();
    t.app.db.insert(roundTripRows).values(r.roundTrips.map((rt, seq) => ({ runId: id, seq, ...rt }))).run();
    expect(getFills(t.app, id)).toEqual({ items: r.fills, totalCount: 3 });
    expect(getFills(t.app, id, { offset: 1, limit: 1 })).toEqual({ items: [r.fills[1]], totalCount: 3 });
    expect(getOrders(t.app, id)).toEqual({ items: legacyOrders, totalCount: 3 });
    expect(getRoundTrips(t.app, id)).toEqual({ items: r.roundTrips, totalCount: 1 });
    expect(deleteRuns(t.app, [id])).toBe(1);
    expect(t.app.sqlite.prepare('select count(*) n from fills').get()).toEqual({ n: 0 });
  });
});

describe('storing an outcome in short transactions (run-outcome-store)', () => {
  let t: TempDb;
  let writer: AppDatabase;
  beforeEach(() => {
    t = tempDb();
    writer = openDatabase(t.app.path, { busyTimeoutMs: 20, migrate: false });
  });
  afterEach(() => {
    writer.close();
    t.dispose();
  });

  function outcome(fills: Fill[]): RunOutcome {
    const r = result(50);
    // Raw (uncompressed) blocks: big enough for several SLICE_BYTES transactions.
    const blocks = [...encodeBlocks('orders', r.orders), ...encodeBlocks('fills', fills), ...encodeBlocks('roundTrips', r.roundTrips)];
    return { status: 'COMPLETED', error: null, progress: 1, barsProcessed: 1234, metrics: r.metrics, blocks, equity: encodeEquity(r.equity) };
  }

  it('stores the blocks slice by slice, then the final status with metrics and equity', async () => {
    const fills = manyFills(5 * BLOCK_ITEMS);
    const o = outcome(fills);
    expect(o.blocks.reduce((n, b) => n + b.bytes.byteLength, 0)).toBeGreaterThan(2 * SLICE_BYTES);
    const { id } = createRun(t.app, NEW_RUN);
    markRunStarted(t.app, id);
    let transactions = 0;
    const record = await storeOutcome(writer, id, o, { retryMs: 1_000, beforeWrite: () => void transactions++ });
    expect(record).toMatchObject({ id, status: 'COMPLETED', progress: 1, barsProcessed: 1234, metrics: o.metrics, error: null });
    expect(transactions).toBeGreaterThanOrEqual(4); // clear, >= 2 slices of blocks, final
    expect(getFills(t.app, id, { offset: 3 * BLOCK_ITEMS - 1, limit: 2 })).toEqual({ items: fills.slice(3 * BLOCK_ITEMS - 1, 3 * BLOCK_ITEMS + 1), totalCount: fills.length });
    expect(getEquityCurve(t.app, id)!.length).toBe(50);
  });

  it('a run deleted meanwhile (before or between transactions) is reported as gone', async () => {
    expect(await storeOutcome(writer, 12_345, outcome(manyFills(10)), { retryMs: 100 })).toBeNull();
    const { id } = createRun(t.app, NEW_RUN);
    let calls = 0;
    const deleteOnSecond = () => {
      if (++calls === 2) deleteRuns(t.app, [id]);
    };
    expect(await storeOutcome(writer, id, outcome(manyFills(5 * BLOCK_ITEMS)), { retryMs: 100, beforeWrite: deleteOnSecond })).toBeNull();
    expect(t.app.sqlite.prepare('select count(*) n from result_blocks').get()).toEqual({ n: 0 });
  });

  it('waits for another connection\'s write lock, and gives up with SQLITE_BUSY after retryMs', async () => {
    const { id } = createRun(t.app, NEW_RUN);
    markRunStarted(t.app, id);
    t.app.sqlite.exec('BEGIN IMMEDIATE');
    const released = new Promise<void>((resolve) => setTimeout(() => (t.app.sqlite.exec('COMMIT'), resolve()), 150));
    expect(await storeOutcome(writer, id, outcome(manyFills(10)), { retryMs: 5_000 })).toMatchObject({ status: 'COMPLETED' });
    await released;

    const other = createRun(t.app, NEW_RUN);
    t.app.sqlite.exec('BEGIN IMMEDIATE');
    try {
      await expect(storeOutcome(writer, other.id, outcome(manyFills(10)), { retryMs: 200 })).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      await expect(storeFailure(writer, other.id, 'x', 0, { retryMs: 50 })).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
    } finally {
      t.app.sqlite.exec('COMMIT');
    }
    expect(getRun(t.app, other.id)).toMatchObject({ status: 'QUEUED' });
    expect(await storeFailure(writer, other.id, 'could not store', 0, { retryMs: 50 })).toMatchObject({ status: 'FAILED', error: 'could not store' });
  });
});
