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
    averageFillPrice: 100.5, reason: null, triggered: false, submittedStep: id, expiresAt: Infinity,
    updatedAt: T0 + (id + 1) * 60_000, ...o,
  };
}

function result(points = 5): BacktestResult {
  const orders: Order[] = [
    order(1, {}),
    order(2, { side: 'SELL', type: 'STOP_LIMIT', stopPrice: 99, limitPrice: 98.5, timeInForce: 'DAY', expiresAt: T0 + 86_400_000, tag: 'stop', status: 'CANCELLED', filledQuantity: 0, averageFillPrice: null, reason: 'cancelled by strategy', triggered: true }),
    order(3, { symbolIndex: 1, symbol: 'BBB', type: 'LIMIT', limitPrice: 50.25, status: 'PARTIALLY_FILLED', filledQuantity: 4, quantity: 7.5 }),
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
    drawdown: Float64Array.from({ length: points }, (_, i) => (i % 7) / 1000),
  };
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

    expect(getOrders(t.app, id)).toEqual({ items: r.orders, totalCount: 3 });
    expect(getFills(t.app, id)).toEqual({ items: r.fills, totalCount: 3 });
    expect(getRoundTrips(t.app, id)).toEqual({ items: r.roundTrips, totalCount: 1 });
    expect(getFills(t.app, id, { offset: 1, limit: 1 })).toEqual({ items: [r.fills[1]], totalCount: 3 });
    expect(getOrders(t.app, id, { offset: 2 })).toEqual({ items: [r.orders[2]], totalCount: 3 });
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
    for (const table of ['orders', 'fills', 'round_trips', 'equity_curves']) {
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

  it('writes and reads a 1,000,000-point equity curve in well under a second', () => {
    const { id } = createRun(t.app, NEW_RUN);
    const r = result(1_000_000);
    const t0 = performance.now();
    finishRun(t.app, id, { status: 'COMPLETED', result: r });
    const eq = getEquityCurve(t.app, id)!;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(eq.length).toBe(1_000_000);
    expect(eq.equity[999_999]).toBe(r.equity.equity[999_999]);
    expect(eq.time[123_456]).toBe(r.equity.time[123_456]);
  });
});
