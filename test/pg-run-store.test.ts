/**
 * The Postgres run store (src/data/pg/run-store.ts, run-results.ts) against a real PostgreSQL 15,
 * differentially: every operation goes through the SQLite store (src/data/run-store.ts and
 * run-outcome-store.ts, as the storage thread calls them: the reference implementation) and through
 * the Postgres one in the same order, and their answers must be equal (clock times apart, which are
 * only checked to lie within the test's span). The results are a real engine run's (two symbols,
 * 13,000 orders: several blocks), encoded as the pool thread encodes them. Then what only Postgres
 * does: an end that cannot be stored leaves the run as it was, an end racing a delete, NUL in text.
 */
import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/data/db.js';
import { encodeEquity } from '../src/data/equity-codec.js';
import * as pgStore from '../src/data/pg/run-store.js';
import { BLOCK_ITEMS, compressBlocks, encodeBlocks } from '../src/data/result-blocks.js';
import { deleteRunsInSlices, storeFailure, storeOutcome, type RunOutcome } from '../src/data/run-outcome-store.js';
import * as lite from '../src/data/run-store.js';
import type { ListRunsOptions, NewRun, PageOptions } from '../src/data/run-types.js';
import * as pgSchema from '../src/data/schema-pg/index.js';
import * as liteSchema from '../src/data/schema/index.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { runBacktest } from '../src/engine/engine.js';
import type { Order } from '../src/engine/orders.js';
import type { BacktestResult, EquityCurve } from '../src/engine/results.js';
import { smaCrossover } from '../src/engine/strategies/index.js';
import { firstDifference } from './data-fixtures.js';
import { requirePostgres } from './support/postgres-server.js';
import { expectSame, openStorePair, type StorePair } from './support/store-pair.js';

const WRITE = { retryMs: 5_000 };

const BASE_RUN: NewRun = {
  strategy: 'sma-crossover',
  params: { fastPeriod: 2, slowPeriod: 5, quantity: 3, nested: { list: [1, 'two', null] } },
  symbols: ['AAA', 'BBB'],
  dataset: 'synthetic',
  period: 'MINUTE',
  start: '2020-01-01',
  end: null,
  initialCash: 1_000_000,
  commission: { perUnit: 0.005, minimumPerOrder: 1, percentOfNotional: 0 },
  slippageBps: 2,
};

/** A real run: LIMIT entries on a fast crossover give many orders (some never filled), fills and round trips. */
function engineResult(bars: number, seed: number): BacktestResult {
  const series = ['AAA', 'BBB'].map((symbol, i) => generateSyntheticBars({ symbol, bars, period: 'MINUTE', seed: seed + i }));
  return runBacktest({
    series,
    strategy: smaCrossover,
    params: { fastPeriod: 2, slowPeriod: 5, quantity: 3, entry: 'LIMIT', limitOffsetPct: 0.01, equityPct: 0 },
    initialCash: 1_000_000,
    periodsPerYear: 252 * 390,
    commission: { perUnit: 0.005, minimumPerOrder: 1, percentOfNotional: 0 },
    slippage: 2,
  } as Parameters<typeof runBacktest>[0]);
}

/** As the pool thread builds it (src/workers/backtest.worker.ts, encodeOutcome). */
function outcomeOf(r: BacktestResult, status: RunOutcome['status'] = 'COMPLETED', progress = 1, error: string | null = null): RunOutcome {
  const blocks = compressBlocks([...encodeBlocks('orders', r.orders), ...encodeBlocks('fills', r.fills), ...encodeBlocks('roundTrips', r.roundTrips)]);
  return { status, error, progress, barsProcessed: r.barsProcessed, metrics: r.metrics, blocks, equity: encodeEquity(r.equity) };
}

function expectSameCurve(actual: EquityCurve | null, expected: EquityCurve | null, what: string): void {
  expect(actual === null, what).toBe(expected === null);
  if (actual === null || expected === null) return;
  expect(actual.length, what).toBe(expected.length);
  for (const k of ['time', 'equity', 'cash', 'drawdown'] as const) {
    expect(firstDifference(actual[k], expected[k].subarray(0, expected.length)), `${what} ${k}`).toBe(-1);
  }
}

describe.runIf(requirePostgres())('Postgres run store, differentially against the SQLite one', () => {
  let pair: StorePair;
  let t0: number;
  /** Large result (several blocks per kind), a small one (replaces it), and one cut short. */
  let big: BacktestResult;
  let small: BacktestResult;

  beforeAll(async () => {
    t0 = Date.now();
    pair = await openStorePair();
    big = engineResult(30_000, 11);
    small = engineResult(2_000, 21);
    expect(big.orders.length).toBeGreaterThan(BLOCK_ITEMS);
    expect(big.fills.length).toBeGreaterThan(BLOCK_ITEMS);
    expect(big.roundTrips.length).toBeGreaterThan(1000);
  });
  afterAll(async () => {
    await pair?.dispose();
  });

  const same = <T>(what: string, onLite: () => T | Promise<T>, onPg: () => Promise<T>): Promise<T> => expectSame(what, t0, onLite, onPg);

  const create = (run: NewRun) => same('createRun', () => lite.createRun(pair.app, run), () => pgStore.createRun(pair.pg, run));
  const getRun = (id: number) => same(`getRun(${id})`, () => lite.getRun(pair.app, id), () => pgStore.getRun(pair.pg, id));
  const started = (id: number) => same(`markRunStarted(${id})`, () => lite.markRunStarted(pair.app, id), () => pgStore.markRunStarted(pair.pg, id));
  const outcome = (id: number, o: RunOutcome) => same(`storeOutcome(${id})`, () => storeOutcome(pair.app, id, o, WRITE), () => pgStore.storeOutcome(pair.pg, id, o));
  const failure = (id: number, error: string, progress?: number) =>
    same(`storeFailure(${id})`, () => storeFailure(pair.app, id, error, progress, WRITE), () => pgStore.storeFailure(pair.pg, id, error, progress));
  const del = (ids: number[]) => same(`deleteRuns(${ids})`, () => deleteRunsInSlices(pair.app, ids, WRITE), () => pgStore.deleteRuns(pair.pg, ids));

  /** Every page kind at offsets and limits around block edges and past the end, both sides alike. */
  async function samePages(id: number, lengths: { orders: number; fills: number; roundTrips: number }): Promise<void> {
    const kinds = [
      ['orders', lite.getOrders, pgStore.getOrders],
      ['fills', lite.getFills, pgStore.getFills],
      ['roundTrips', lite.getRoundTrips, pgStore.getRoundTrips],
    ] as const;
    for (const [kind, onLite, onPg] of kinds) {
      const n = lengths[kind];
      const offsets = [undefined, 0, 1, BLOCK_ITEMS - 1, BLOCK_ITEMS, n - 1, n, n + 10, 2 ** 40, -5];
      const limits = [undefined, 0, 1, 7, BLOCK_ITEMS + 3, -2];
      for (const offset of offsets) {
        for (const limit of limits) {
          const page: PageOptions = { ...(offset === undefined ? {} : { offset }), ...(limit === undefined ? {} : { limit }) };
          const got = await same(`${kind} ${JSON.stringify(page)}`, () => (onLite as typeof lite.getFills)(pair.app, id, page), () => (onPg as typeof pgStore.getFills)(pair.pg, id, page));
          expect(got.totalCount).toBe(n);
        }
      }
    }
  }

  it('creates, starts, cancels, reads and lists runs alike (filters, cursors, ids Postgres cannot hold)', async () => {
    const variants: NewRun[] = [
      BASE_RUN,
      { ...BASE_RUN, strategy: 'rsi-reversion', ownerKeyId: 1, riskFreeRate: 0.03, periodsPerYear: 98_280 },
      { ...BASE_RUN, ownerKeyId: 2, benchmark: { dataset: 'demo', symbol: 'SPX' }, end: '2020-12-31', start: null },
      { ...BASE_RUN, strategy: 'rsi-reversion', ownerKeyId: 1, slippageBps: 0.1 + 0.2, initialCash: 1e-3 },
      { ...BASE_RUN, ownerKeyId: 2, params: { 'unicode ключ': 'é€😀', quote: '"\\' } },
      { ...BASE_RUN, ownerKeyId: 1 },
      { ...BASE_RUN, strategy: 'buy-and-hold' },
    ];
    const ids: number[] = [];
    for (const v of variants) ids.push((await create(v)).id);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);

    expect(await started(ids[0]!)).toBe(true);
    expect(await started(ids[0]!)).toBe(false);
    expect(await started(ids[3]!)).toBe(true);
    for (const id of [2 ** 40, 2 ** 31, -1, 0, 1.5]) expect(await started(id)).toBe(false);
    const cancel = (id: number, error: string | null) => same(`cancelQueuedRun(${id})`, () => lite.cancelQueuedRun(pair.app, id, error), () => pgStore.cancelQueuedRun(pair.pg, id, error));
    expect(await cancel(ids[1]!, 'queue closed')).toBe(true);
    expect(await cancel(ids[1]!, 'again')).toBe(false);
    expect(await cancel(ids[0]!, null)).toBe(false); // already running
    expect(await cancel(ids[6]!, null)).toBe(true);
    expect(await cancel(2 ** 40, null)).toBe(false);

    for (const id of [...ids, 99, 2 ** 40, 2 ** 31, -(2 ** 31) - 1, 0, 1.5]) await getRun(id);
    expect((await pgStore.getRun(pair.pg, ids[1]!))!).toMatchObject({ status: 'CANCELLED', error: 'queue closed', ownerKeyId: 1, riskFreeRate: 0.03 });
    expect((await pgStore.getRun(pair.pg, ids[2]!))!.benchmark).toEqual({ dataset: 'demo', symbol: 'SPX' });

    const options: ListRunsOptions[] = [
      {},
      { first: 0 },
      { first: 1 },
      { first: 3 },
      { first: 3, after: 5 },
      { first: 3, after: 1 },
      { after: 2 ** 40 },
      { after: 2 ** 31 },
      { after: -1 },
      { after: 4.5 },
      { after: null },
      { status: 'QUEUED' },
      { status: 'RUNNING', first: 1 },
      { status: 'CANCELLED', strategy: 'rsi-reversion' },
      { strategy: 'sma-crossover', first: 2, after: 6 },
      { ownerKeyId: 1 },
      { ownerKeyId: 1, first: 1, after: 6 },
      { ownerKeyId: 2 ** 40 },
      { status: null, strategy: null },
    ];
    for (const o of options) await same(`listRuns(${JSON.stringify(o)})`, () => lite.listRuns(pair.app, o), () => pgStore.listRuns(pair.pg, o));
    // A cursor walk, page by page, ends where SQLite's does.
    let after: number | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await same('listRuns walk', () => lite.listRuns(pair.app, { first: 2, after }), () => pgStore.listRuns(pair.pg, { first: 2, after }));
      if (!page.hasNextPage) break;
      after = page.runs.at(-1)!.id;
    }
    expect(after).toBe(2); // pages [7, 6], [5, 4], [3, 2], [1]
  });

  it('stores a finished run and pages its orders, fills and round trips and its equity curve alike', async () => {
    const { id } = await create(BASE_RUN);
    await started(id);
    const record = await outcome(id, outcomeOf(big));
    expect(record).toMatchObject({ status: 'COMPLETED', progress: 1, barsProcessed: big.barsProcessed, metrics: big.metrics });

    await samePages(id, { orders: big.orders.length, fills: big.fills.length, roundTrips: big.roundTrips.length });
    // Not both wrong alike: every item as the engine produced it.
    expect((await pgStore.getOrders(pair.pg, id)).items).toEqual(big.orders);
    expect((await pgStore.getFills(pair.pg, id)).items).toEqual(big.fills);
    expect((await pgStore.getRoundTrips(pair.pg, id)).items).toEqual(big.roundTrips);

    const full = await pgStore.getEquityCurve(pair.pg, id);
    expectSameCurve(full, lite.getEquityCurve(pair.app, id), 'equity curve vs SQLite');
    expectSameCurve(full, big.equity, 'equity curve vs engine');
    for (const maxPoints of [2, 3, 10, 501, big.equity.length - 1]) {
      expectSameCurve(await pgStore.getEquityCurve(pair.pg, id, maxPoints), lite.getEquityCurve(pair.app, id, maxPoints), `maxPoints ${maxPoints}`);
    }
    expectSameCurve(await pgStore.getEquityCurve(pair.pg, id, big.equity.length), big.equity, 'maxPoints = length');
    await expect(pgStore.getEquityCurve(pair.pg, id, 1)).rejects.toThrow(RangeError);
    expect(() => lite.getEquityCurve(pair.app, id, 1)).toThrow(RangeError);
    const columns = await pgStore.getEquityColumns(pair.pg, id);
    const liteColumns = lite.getEquityColumns(pair.app, id)!;
    expect(columns!.length).toBe(liteColumns.length);
    for (const k of ['time', 'equity', 'cash'] as const) expect(firstDifference(columns![k], liteColumns[k]), k).toBe(-1);

    // A run with nothing stored, and ids no run has: empty pages and no curve, on both.
    const { id: empty } = await create(BASE_RUN);
    for (const runId of [empty, 2 ** 40, -3]) {
      await same('orders of nothing', () => lite.getOrders(pair.app, runId, { offset: 3, limit: 2 }), () => pgStore.getOrders(pair.pg, runId, { offset: 3, limit: 2 }));
      await same('fills of nothing', () => lite.getFills(pair.app, runId), () => pgStore.getFills(pair.pg, runId));
      expect(await pgStore.getEquityCurve(pair.pg, runId, 1)).toBeNull(); // no curve: maxPoints not even looked at
      expect(lite.getEquityCurve(pair.app, runId, 1)).toBeNull();
      expect(await pgStore.getEquityColumns(pair.pg, runId)).toBeNull();
    }
  });

  it('replaces earlier results, keeps partial ones of a cancelled run, drops them on failure', async () => {
    const { id } = await create(BASE_RUN);
    await started(id);
    await outcome(id, outcomeOf(big));
    // The same run ends again (e.g. re-stored): only the new results remain.
    await outcome(id, outcomeOf(small, 'CANCELLED', 0.4, 'cancelled by user'));
    await samePages(id, { orders: small.orders.length, fills: small.fills.length, roundTrips: small.roundTrips.length });
    expectSameCurve(await pgStore.getEquityCurve(pair.pg, id), small.equity, 'replaced curve');
    expect(await getRun(id)).toMatchObject({ status: 'CANCELLED', progress: 0.4, error: 'cancelled by user' });

    // A failure without results: the metrics of the earlier end stay (not given), the results go.
    const failedOutcome: RunOutcome = { status: 'FAILED', error: 'strategy threw', progress: 0.25, barsProcessed: 7, metrics: null, blocks: [], equity: null };
    expect(await outcome(id, failedOutcome)).toMatchObject({ status: 'FAILED', progress: 0.25, barsProcessed: 7, metrics: small.metrics });
    await same('fills after failure', () => lite.getFills(pair.app, id), () => pgStore.getFills(pair.pg, id));
    expect(await pgStore.getEquityCurve(pair.pg, id)).toBeNull();

    await outcome(id, outcomeOf(small));
    expect(await failure(id, 'the results could not be stored: boom', 0.3)).toMatchObject({ status: 'FAILED', progress: 0.3 });
    expect(await failure(id, 'again, progress kept')).toMatchObject({ status: 'FAILED', progress: 0.3, error: 'again, progress kept' });
    expect((await pgStore.getFills(pair.pg, id)).totalCount).toBe(0);
    expect(await pgStore.getEquityColumns(pair.pg, id)).toBeNull();

    for (const missing of [999, 2 ** 40]) {
      expect(await outcome(missing, outcomeOf(small))).toBeNull();
      expect(await failure(missing, 'nobody')).toBeNull();
    }
  });

  it('deletes runs with their results, counts only those that existed, and fails interrupted runs', async () => {
    const a = (await create(BASE_RUN)).id;
    const b = (await create(BASE_RUN)).id;
    await outcome(a, outcomeOf(small));
    await outcome(b, outcomeOf(small));
    expect(await del([a, b, 4242, 2 ** 40, a, 1.5])).toBe(2);
    expect(await del([a])).toBe(0);
    expect(await del([])).toBe(0);
    await getRun(a);
    await same('fills of a deleted run', () => lite.getFills(pair.app, b), () => pgStore.getFills(pair.pg, b));
    const [blocks] = await pair.pg.db.select({ n: count() }).from(pgSchema.resultBlocks).where(inArray(pgSchema.resultBlocks.runId, [a, b]));
    const [curves] = await pair.pg.db.select({ n: count() }).from(pgSchema.equityCurves).where(inArray(pgSchema.equityCurves.runId, [a, b]));
    expect([blocks!.n, curves!.n]).toEqual([0, 0]);

    // Left QUEUED or RUNNING by a process that stopped.
    const queued = (await create(BASE_RUN)).id;
    const running = (await create(BASE_RUN)).id;
    await started(running);
    const interrupted = await same('markInterruptedRuns', () => lite.markInterruptedRuns(pair.app), () => pgStore.markInterruptedRuns(pair.pg));
    expect(interrupted).toBeGreaterThanOrEqual(2);
    for (const id of [queued, running]) expect(await getRun(id)).toMatchObject({ status: 'FAILED', error: 'interrupted' });
    expect(await same('markInterruptedRuns again', () => lite.markInterruptedRuns(pair.app), () => pgStore.markInterruptedRuns(pair.pg))).toBe(0);
    await same('every run at the end', () => lite.listRuns(pair.app, { first: 1000 }), () => pgStore.listRuns(pair.pg, { first: 1000 }));
  });

  it('reads runs stored as rows before result blocks existed alike', async () => {
    const { id } = await create(BASE_RUN);
    const orders = big.orders.slice(0, 40);
    // Such rows predate trailing stops: none with an expiry of Infinity kept as such (null = GTC).
    const orderRows = orders.map((o: Order, seq) => ({
      runId: id, seq, orderId: o.id, time: o.time, symbolIndex: o.symbolIndex, symbol: o.symbol, side: o.side, type: o.type,
      quantity: o.quantity, limitPrice: o.limitPrice, stopPrice: o.stopPrice, timeInForce: o.timeInForce, tag: o.tag,
      status: o.status, filledQuantity: o.filledQuantity, averageFillPrice: o.averageFillPrice, reason: o.reason,
      triggered: seq % 3 === 0, submittedStep: o.submittedStep, expiresAt: seq % 2 === 0 ? null : o.time + 86_400_000, updatedAt: o.updatedAt,
    }));
    const fillRows = big.fills.slice(0, 30).map(({ id: fillId, ...f }, seq) => ({ runId: id, seq, fillId, ...f }));
    const tripRows = big.roundTrips.slice(0, 20).map((t, seq) => ({ runId: id, seq, ...t }));
    pair.app.db.insert(liteSchema.orders).values(orderRows).run();
    pair.app.db.insert(liteSchema.fills).values(fillRows).run();
    pair.app.db.insert(liteSchema.roundTrips).values(tripRows).run();
    await pair.pg.db.insert(pgSchema.orders).values(orderRows);
    await pair.pg.db.insert(pgSchema.fills).values(fillRows);
    await pair.pg.db.insert(pgSchema.roundTrips).values(tripRows);

    for (const page of [{}, { offset: 5, limit: 10 }, { offset: 35 }, { offset: 100 }, { limit: 0 }, { offset: -1, limit: 3 }] as PageOptions[]) {
      const got = await same(`legacy orders ${JSON.stringify(page)}`, () => lite.getOrders(pair.app, id, page), () => pgStore.getOrders(pair.pg, id, page));
      expect(got.totalCount).toBe(40);
      await same(`legacy fills ${JSON.stringify(page)}`, () => lite.getFills(pair.app, id, page), () => pgStore.getFills(pair.pg, id, page));
      await same(`legacy round trips ${JSON.stringify(page)}`, () => lite.getRoundTrips(pair.app, id, page), () => pgStore.getRoundTrips(pair.pg, id, page));
    }
    const first = (await pgStore.getOrders(pair.pg, id, { limit: 2 })).items;
    expect(first.map((o) => o.expiresAt)).toEqual([Infinity, orders[1]!.time + 86_400_000]);
    expect(first.map((o) => o.triggered)).toEqual([true, false]);
    expect((await pgStore.getFills(pair.pg, id)).items).toEqual(big.fills.slice(0, 30));
    expect((await pgStore.getRoundTrips(pair.pg, id)).items).toEqual(big.roundTrips.slice(0, 20));
    // A stored end replaces the rows with blocks.
    await outcome(id, outcomeOf(small));
    const [rows] = await pair.pg.db.select({ n: count() }).from(pgSchema.orders).where(eq(pgSchema.orders.runId, id));
    expect(rows!.n).toBe(0);
    await samePages(id, { orders: small.orders.length, fills: small.fills.length, roundTrips: small.roundTrips.length });
  });
});

describe.runIf(requirePostgres())('Postgres run store: what SQLite does differently', () => {
  let pair: StorePair;
  let small: BacktestResult;
  beforeAll(async () => {
    pair = await openStorePair();
    small = engineResult(2_000, 31);
  });
  afterAll(async () => {
    await pair?.dispose();
  });

  it('an end that cannot be stored leaves the run and its earlier results as they were, with the driver error', async () => {
    const { id } = await pgStore.createRun(pair.pg, BASE_RUN);
    await pgStore.markRunStarted(pair.pg, id);
    await pgStore.storeOutcome(pair.pg, id, outcomeOf(small, 'CANCELLED', 0.5));
    const before = await pgStore.getRun(pair.pg, id);
    const fillsBefore = await pgStore.getFills(pair.pg, id);
    // Two blocks at the same position: the primary key refuses the second, after the status was written.
    const good = outcomeOf(small);
    const broken: RunOutcome = { ...good, blocks: [...good.blocks, good.blocks[0]!] };
    const error = await pgStore.storeOutcome(pair.pg, id, broken).then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(error?.code).toBe('23505');
    // The driver's message, not one listing megabytes of parameters.
    expect(error!.message.length).toBeLessThan(500);
    expect(await pgStore.getRun(pair.pg, id)).toEqual(before);
    expect(await pgStore.getFills(pair.pg, id)).toEqual(fillsBefore);
    expect((await pgStore.getEquityCurve(pair.pg, id))!.length).toBe(small.equity.length);
    // SQLite, for comparison, commits the deletion of the earlier results before the blocks (short transactions).
  });

  it('an end racing the deletion of its run: null or stored, never an error, nothing left behind', async () => {
    const o = outcomeOf(small);
    for (let round = 0; round < 6; round++) {
      const { id } = await pgStore.createRun(pair.pg, BASE_RUN);
      const [stored, deleted] = await Promise.all([pgStore.storeOutcome(pair.pg, id, o), pgStore.deleteRuns(pair.pg, [id])]);
      expect(deleted).toBe(1);
      if (stored !== null) expect(stored.status).toBe('COMPLETED');
      expect(await pgStore.getRun(pair.pg, id)).toBeNull();
      const [blocks] = await pair.pg.db.select({ n: count() }).from(pgSchema.resultBlocks).where(eq(pgSchema.resultBlocks.runId, id));
      expect(blocks!.n).toBe(0);
    }
  });

  it('stores a NUL in error text as U+FFFD instead of failing the write (SQLite keeps it)', async () => {
    const { id } = await pgStore.createRun(pair.pg, BASE_RUN);
    expect(await pgStore.cancelQueuedRun(pair.pg, id, 'a\0b')).toBe(true);
    expect((await pgStore.getRun(pair.pg, id))!.error).toBe('a\uFFFDb');
    expect((await pgStore.storeFailure(pair.pg, id, 'strategy said \0'))!.error).toBe('strategy said \uFFFD');
    const o: RunOutcome = { status: 'FAILED', error: '\0\0', progress: 0, barsProcessed: 0, metrics: null, blocks: [], equity: null };
    expect((await pgStore.storeOutcome(pair.pg, id, o))!.error).toBe('\uFFFD\uFFFD');

    const app = openDatabase(':memory:');
    try {
      const lid = lite.createRun(app, BASE_RUN).id;
      lite.cancelQueuedRun(app, lid, 'a\0b');
      expect(lite.getRun(app, lid)!.error).toBe('a\0b');
    } finally {
      app.close();
    }
  });
});
