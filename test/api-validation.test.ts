/**
 * Bad inputs through the API: each is a GraphQL error with code BAD_USER_INPUT whose message names
 * the field, and nothing is stored. Unknown ids are NOT_FOUND (queries, mutations, subscriptions
 * over WebSocket and SSE); bad paging and downsampling arguments are BAD_USER_INPUT.
 * Absurd but well-typed inputs (1e308 commissions, 20000 bps slippage, megabyte strings, a million
 * param keys) are refused against documented ranges with short messages, a run that overflows ends
 * FAILED without storing its results, and stored runs stay readable throughout. Without `dataset`,
 * the one dataset holding every symbol is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barSeriesFromRows } from '../src/engine/bars.js';
import { createRun, finishRun } from '../src/data/run-store.js';
import type { BacktestResult } from '../src/engine/results.js';
import { FIXTURE_STRATEGIES, startServer, waitFor, type GqlResult, type TestServer, type WireError } from './support/test-server.js';
import { onPostgres } from './support/test-database.js';

const VALID = { strategy: 'sma-crossover', symbols: ['SPX'], period: 'DAY', dataset: 'demo' };
const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }`;

type Case = readonly [name: string, patch: Record<string, unknown>, field: string, detail?: RegExp];

const CASES: readonly Case[] = [
  ['unknown strategy', { strategy: 'no-such-strategy' }, 'input.strategy', /unknown strategy "no-such-strategy"/],
  ['unknown param', { params: { fastPeriod: 10, bogus: 1 } }, 'input.params.bogus', /unknown parameter/],
  ['wrong param type', { params: { fastPeriod: 'ten' } }, 'input.params.fastPeriod', /must be a finite number, got "ten"/],
  ['boolean for a number param', { params: { quantity: true } }, 'input.params.quantity', /must be a finite number/],
  ['non-integer int param', { params: { fastPeriod: 10.5 } }, 'input.params.fastPeriod', /must be an integer, got 10.5/],
  ['int param above max', { params: { fastPeriod: 501, slowPeriod: 600 } }, 'input.params.fastPeriod', /must be <= 500/],
  ['int param below min', { params: { fastPeriod: 1 } }, 'input.params.fastPeriod', /must be >= 2/],
  ['float param at an exclusive min', { params: { quantity: 0 } }, 'input.params.quantity', /must be > 0/],
  ['float param above max', { params: { limitOffsetPct: 50.5 } }, 'input.params.limitOffsetPct', /must be <= 50/],
  ['enum param not a choice', { params: { entry: 'STOP' } }, 'input.params.entry', /must be one of MARKET, LIMIT, got "STOP"/],
  ['fastPeriod equal to slowPeriod', { params: { fastPeriod: 50, slowPeriod: 50 } }, 'input.params.slowPeriod', /greater than fastPeriod/],
  ['fastPeriod above slowPeriod', { params: { fastPeriod: 60, slowPeriod: 50 } }, 'input.params.slowPeriod', /greater than fastPeriod/],
  ['symbol without bars of that period', { period: 'MINUTE' }, 'input.symbols[0]', /no MINUTE bars for SPX/],
  ['symbol not in the dataset', { symbols: ['AAA'] }, 'input.symbols[0]', /no DAY bars for AAA in dataset demo/],
  ['unknown symbol', { symbols: ['SPX', 'NOPE'] }, 'input.symbols[1]', /NOPE/],
  ['symbol listed twice', { symbols: ['SPX', 'SPX'] }, 'input.symbols[1]', /listed twice/],
  ['unknown dataset', { dataset: 'no-such-dataset' }, 'input.dataset', /unknown dataset "no-such-dataset"/],
  ['start after end', { start: '2010-06-01', end: '2010-05-31' }, 'input.end', /before start/],
  ['malformed date', { start: '2020-13-45' }, 'input.start'],
  ['impossible date', { end: '2019-02-29' }, 'input.end'],
  ['date with a time', { start: '2019-01-01T00:00:00Z' }, 'input.start'],
  ['start after the last bar', { start: '2020-04-18' }, 'input.start', /after the last DAY bar of SPX \(2020-04-17\)/],
  ['end before the first bar', { end: '1999-12-31' }, 'input.end', /before the first DAY bar of SPX/],
  ['initialCash 0', { initialCash: 0 }, 'input.initialCash', /> 0/],
  ['negative initialCash', { initialCash: -1000 }, 'input.initialCash', /> 0/],
  ['negative commission.perUnit', { commission: { perUnit: -0.01 } }, 'input.commission.perUnit', /from 0 to 1e6/],
  ['negative commission.minimumPerOrder', { commission: { minimumPerOrder: -1 } }, 'input.commission.minimumPerOrder', /from 0 to 1e6/],
  ['negative commission.percentOfNotional', { commission: { percentOfNotional: -0.1 } }, 'input.commission.percentOfNotional', /from 0 to 10/],
  ['negative slippageBps', { slippageBps: -1 }, 'input.slippageBps', /from 0 to 1000/],
  ['negative periodsPerYear', { periodsPerYear: -252 }, 'input.periodsPerYear', /from 1 to 1e7/],
  ['101 symbols', { symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }, 'input.symbols', /at most 100 symbols/],
  ['empty symbols', { symbols: [] }, 'input.symbols', /at least one symbol/],
  ['empty symbol name', { symbols: [''] }, 'input.symbols[0]', /non-empty/],
];

/** Half a megabyte: well past any real value, yet under the service's request size limit. */
const MEGA = 'x'.repeat(500_000);

/**
 * Finite but absurd values, each of which used to be accepted (and to store Infinity, negative
 * prices or a Sharpe of 1e148) or to be echoed back whole. Each is refused naming the field and its
 * range, in a short message.
 */
const ABSURD_CASES: readonly Case[] = [
  ['commission.perUnit 1e308 (stored Infinity)', { commission: { perUnit: 1e308 } }, 'input.commission.perUnit', /^input\.commission\.perUnit: must be a number from 0 to 1e6, got 1e\+308$/],
  ['commission.minimumPerOrder above 1e6', { commission: { minimumPerOrder: 1e7 } }, 'input.commission.minimumPerOrder', /from 0 to 1e6, got 10000000/],
  ['commission.percentOfNotional above 10 %', { commission: { percentOfNotional: 10.5 } }, 'input.commission.percentOfNotional', /from 0 to 10, got 10.5/],
  ['slippageBps 20000 (negative fill prices)', { slippageBps: 20_000 }, 'input.slippageBps', /^input\.slippageBps: must be a number from 0 to 1000, got 20000$/],
  ['periodsPerYear 1e-300 (Sharpe 1.9e148)', { periodsPerYear: 1e-300 }, 'input.periodsPerYear', /from 1 to 1e7, got 1e-300/],
  ['periodsPerYear above 1e7', { periodsPerYear: 2e7 }, 'input.periodsPerYear', /from 1 to 1e7/],
  ['initialCash 1e308', { initialCash: 1e308 }, 'input.initialCash', /> 0 and <= 1e12, got 1e\+308/],
  ['a 1e300 quantity param', { params: { quantity: 1e300 } }, 'input.params.quantity', /within ±1000000000000/],
  ['a 500 KB strategy id', { strategy: MEGA }, 'input.strategy', /unknown strategy "x{64}"\.\.\. \(500000 characters\)/],
  ['a 500 KB dataset id', { dataset: MEGA }, 'input.dataset', /unknown dataset "x{64}"\.\.\. \(500000 characters\)/],
  ['a 500 KB symbol', { symbols: [MEGA] }, 'input.symbols[0]', /1 to 32 letters, digits or \. _ \^ = -, got "x{40}"\.\.\./],
  ['a symbol with a space', { symbols: ['S P X'] }, 'input.symbols[0]', /got "S P X"/],
  ['a 500 KB enum param value', { params: { entry: MEGA } }, 'input.params', /at most 16384 characters as JSON/],
  ['a 500 KB param name', { params: { [MEGA]: 1 } }, 'input.params', /names are at most 64 characters/],
  ['params with 65 keys', { params: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, i])) }, 'input.params', /at most 64 parameters/],
  ['10000 symbols are not each reported', { symbols: Array.from({ length: 10_000 }, (_, i) => `S${i}`) }, 'input.symbols', /^input\.symbols: at most 100 symbols per run, got 10000$/],
];

/**
 * Values of the wrong GraphQL type, refused by graphql-js while it coerces the variables (before any
 * resolver runs). They are bad inputs like the others, so the contract asks for BAD_USER_INPUT too.
 */
const TYPE_CASES: readonly Case[] = [
  ['params not an object', { params: [1, 2] }, 'input.params'],
  ['unknown period', { period: 'WEEK' }, 'input.period'],
  ['initialCash not a number', { initialCash: 'lots' }, 'input.initialCash'],
  ['commission field not a number', { commission: { perUnit: 'cheap' } }, 'input.commission.perUnit'],
  ['missing strategy', { strategy: undefined }, 'strategy'],
];

const asObject = ([name, patch, field, detail]: Case) => ({ name, patch, field, detail });

function expectCode(errors: readonly WireError[] | undefined, code: string): WireError {
  expect(errors, `expected a ${code} error`).toBeDefined();
  expect(errors!.length).toBeGreaterThan(0);
  expect(errors![0]!.extensions?.code, errors![0]!.message).toBe(code);
  return errors![0]!;
}

describe('input validation through the API', () => {
  let server: TestServer;
  let runId: string;
  const runCount = async (): Promise<number> => (await server.gqlOk(`{ runs { totalCount } }`)).runs.totalCount;

  const everyRunReadable = async () => {
    // Fields a list view asks for, across every stored run: one unreadable run must not null the list.
    const r = await server.gql(`{ runs(first: 50) { totalCount edges { node { id status error metrics { finalEquity } fills(first: 3) { totalCount edges { node { price commission } } } } } } }`);
    expect(r.errors, JSON.stringify(r.errors)?.slice(0, 500)).toBeUndefined();
    expect(r.data!.runs.edges).toHaveLength(r.data!.runs.totalCount);
    return r.data!.runs;
  };

  beforeAll(async () => {
    server = await startServer({ strategiesDir: FIXTURE_STRATEGIES });
    // One finished run for the argument checks on its fields.
    const d = await server.gqlOk(RUN_BACKTEST, { input: { ...VALID, start: '2018-01-01', params: { fastPeriod: 5, slowPeriod: 20 } } });
    runId = d.runBacktest.id;
    await waitFor(async () => (await server.gqlOk(`query($id: ID!) { run(id: $id) { status } }`, { id: runId })).run.status === 'COMPLETED', {
      what: 'the setup run to complete',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts the valid base input (so each case below fails for its own reason)', async () => {
    const before = await runCount();
    const r = await server.gql(RUN_BACKTEST, { input: VALID });
    expect(r.errors).toBeUndefined();
    expect(r.data?.runBacktest.status).toMatch(/QUEUED|RUNNING/);
    expect(await runCount()).toBe(before + 1);
    const id = r.data!.runBacktest.id;
    await waitFor(async () => (await server.gqlOk(`query($id: ID!) { run(id: $id) { status } }`, { id })).run.status === 'COMPLETED');
  });

  it.each(CASES.map(asObject))('$name: BAD_USER_INPUT naming $field, nothing stored', async ({ patch, field, detail }) => {
    const before = await runCount();
    const input = { ...VALID, ...patch };
    const r: GqlResult<Record<string, any>> = await server.gql(RUN_BACKTEST, { input });
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    expect(error.message).toContain(field);
    if (detail) expect(error.message).toMatch(detail);
    expect(r.data?.runBacktest ?? null).toBeNull();
    expect(await runCount()).toBe(before);
  });

  it.each(ABSURD_CASES.map(asObject))('absurd: $name: BAD_USER_INPUT naming $field, short message, nothing stored', async ({ patch, field, detail }) => {
    const before = await runCount();
    const r: GqlResult<Record<string, any>> = await server.gql(RUN_BACKTEST, { input: { ...VALID, ...patch } });
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    expect(error.message.startsWith(field), error.message.slice(0, 300)).toBe(true);
    if (detail) expect(error.message).toMatch(detail);
    // Never more than a brief part of the value: the whole answer stays small.
    expect(error.message.length, error.message.slice(0, 300)).toBeLessThan(400);
    expect(JSON.stringify(r).length).toBeLessThan(2_000);
    expect(r.data?.runBacktest ?? null).toBeNull();
    expect(await runCount()).toBe(before);
  });

  it('the same ranges hold for runSweep (the shared validator), and a long objective is shown briefly', async () => {
    const before = (await server.gqlOk(`{ sweeps { totalCount } }`)).sweeps.totalCount;
    const sweep = (extra: Record<string, unknown>) =>
      server.gql(`mutation($input: RunSweepInput!) { runSweep(input: $input) { id } }`, {
        input: { ...VALID, grid: { fastPeriod: [5, 10] }, keepTop: 0, ...extra },
      });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ slippageBps: 20_000 }, 'input.slippageBps', /from 0 to 1000/],
      [{ commission: { perUnit: 1e308 } }, 'input.commission.perUnit', /from 0 to 1e6/],
      [{ objective: MEGA }, 'input.objective', /unknown metric "x{40}"\.\.\. \(500000 characters\)/],
      [{ grid: { fastPeriod: Array.from({ length: 20_000 }, (_, i) => i + 2) } }, 'input.grid', /at most 65536 characters as JSON/],
      [{ grid: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`g${i}`, [1]])) }, 'input.grid', /1 to 16 parameters/],
      [{ grid: { fastPeriod: { min: 2, max: 12_002, step: 1 }, slowPeriod: [2001] } }, 'input.grid.fastPeriod', /12001 values exceed the limit of 10000/],
      [{ grid: { fastPeriod: Array.from({ length: 400 }, (_, i) => -i) } }, 'input.grid.fastPeriod[0]', /must be >= 2 \(and 399 more bad values\)/],
      [{ params: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])) }, 'input.params', /at most 64 parameters/],
    ];
    for (const [extra, field, detail] of cases) {
      const r = await sweep(extra);
      const error = expectCode(r.errors, 'BAD_USER_INPUT');
      expect(error.message.startsWith(`${field}:`), error.message.slice(0, 300)).toBe(true);
      expect(error.message).toMatch(detail);
      expect(error.message.length).toBeLessThan(400);
    }
    expect((await server.gqlOk(`{ sweeps { totalCount } }`)).sweeps.totalCount).toBe(before);
  });

  // A million keys (14 MB) is over the request size limit, refused before GraphQL; the validator's
  // own handling of a million keys is in engine-params.test.ts. Here: as many as a request may carry.
  it('params with 60,000 keys is refused as one short error, and a small query answers meanwhile', async () => {
    const before = await runCount();
    const params: Record<string, number> = {};
    for (let i = 0; i < 60_000; i++) params[`k${i}`] = i;
    const big = server.gql(RUN_BACKTEST, { input: { ...VALID, params } });
    const small = server.gql(`{ strategies { id } }`);
    const [r, s] = await Promise.all([big, small]);
    expect(s.errors).toBeUndefined();
    expect(s.data!.strategies.length).toBeGreaterThan(0);
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    expect(error.message).toBe('input.params: at most 64 parameters, got more');
    expect(JSON.stringify(r).length).toBeLessThan(1_000);
    expect(await runCount()).toBe(before);
  });

  it('the upper bounds themselves are accepted: 1000 bps slippage worsens fills by exactly 10 %, prices stay positive', async () => {
    const base = { ...VALID, start: '2019-01-01', end: '2019-12-31', params: { fastPeriod: 5, slowPeriod: 20 } };
    const ids = await Promise.all(
      [{}, { slippageBps: 1000, commission: { perUnit: 1e6, minimumPerOrder: 1e6, percentOfNotional: 10 }, initialCash: 1e12, periodsPerYear: 1e7 }].map(
        async (extra) => (await server.gqlOk(RUN_BACKTEST, { input: { ...base, ...extra } })).runBacktest.id as string,
      ),
    );
    const fillsOf = async (id: string) => {
      const run = await waitFor(async () => {
        const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { status error fills(first: 1000) { edges { node { side price commission quantity } } } } }`, { id });
        return d.run.status === 'COMPLETED' || d.run.status === 'FAILED' ? d.run : null;
      });
      expect(run.status, run.error).toBe('COMPLETED');
      return run.fills.edges.map((e: any) => e.node);
    };
    const [plain, worst] = [await fillsOf(ids[0]!), await fillsOf(ids[1]!)];
    expect(worst.length).toBe(plain.length);
    expect(plain.length).toBeGreaterThan(2);
    worst.forEach((f: any, i: number) => {
      const raw = plain[i].price; // the same market order without slippage: the bar's open
      expect(f.price).toBeGreaterThan(0);
      expect(f.price).toBeCloseTo(f.side === 'BUY' ? raw * 1.1 : raw * 0.9, 6);
      // max(1e6, 1e6 × 1) + 10 % of the notional
      expect(f.commission).toBeCloseTo(1e6 + 0.1 * f.quantity * f.price, 3);
    });
  });

  it('a run whose equity overflows ends FAILED naming the first non-finite value; nothing of it is stored, every run stays readable', async () => {
    // Absurd but positive prices (as a CSV could hold): BIG1 and BIG2 at 100, then 1.5e308 from bar 15.
    const t0 = Date.UTC(2019, 0, 1);
    const day = (i: number) => t0 + i * 86_400_000;
    const price = (i: number) => (i >= 15 ? 1.5e308 : 100);
    const rows = Array.from({ length: 30 }, (_, i) => ({ time: day(i), open: price(i), high: price(i), low: price(i), close: price(i) }));
    for (const symbol of ['BIG1', 'BIG2']) await server.app.storage.writeBars({ dataset: 'huge', symbol, period: 'DAY', series: barSeriesFromRows(symbol, rows) });
    const before = await everyRunReadable();
    // The fixture buys 1 unit of each on bar 10 (filled at bar 11's open, 100: within buying power).
    // By hand: at bar 15 each position is worth 1.5e308, together 3e308 = Infinity.
    const input = { strategy: 'overflow', dataset: 'huge', symbols: ['BIG1', 'BIG2'], period: 'DAY' };
    const bad = (await server.gqlOk(RUN_BACKTEST, { input })).runBacktest.id;
    const run = await waitFor(async () => {
      const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { status error metrics { finalEquity } fills { totalCount } orders { totalCount } roundTrips { pnl } equityCurve { equity } } }`, { id: bad });
      return d.run.status !== 'QUEUED' && d.run.status !== 'RUNNING' ? d.run : null;
    });
    expect(run).toEqual({
      status: 'FAILED',
      error: `non-finite equity at ${new Date(day(15)).toISOString()} (Infinity): positions, costs or prices overflowed; results not stored`,
      metrics: null, fills: { totalCount: 0 }, orders: { totalCount: 0 }, roundTrips: [], equityCurve: [],
    });
    const after = await everyRunReadable();
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.edges.find((e: any) => e.node.id === bad).node.status).toBe('FAILED');
  });

  // Old versions only ever wrote SQLite: there is no such Postgres database to read.
  it.skipIf(onPostgres)('results with a non-finite number stored by an old version read as none, with the reason as the run\'s error; the list answers', async () => {
    // As an old version stored them: written by the storage functions, without the finite check.
    const app = server.db;
    const t0 = Date.UTC(2019, 0, 2);
    const n = 3;
    const time = Float64Array.from({ length: n }, (_, i) => t0 + i * 86_400_000);
    const finiteMetrics = {
      finalEquity: 1e5, totalReturn: 0, cagr: null, volatility: null, sharpe: null, sortino: null,
      maxDrawdown: 0, maxDrawdownDuration: 0, trades: 0, winRate: null, profitFactor: null, totalCommission: 0, exposure: 1,
    };
    const fill = { id: 1, orderId: 1, time: t0, symbolIndex: 0, symbol: 'SPX', barIndex: 0, side: 'BUY' as const, quantity: 10, price: 2500 };
    // 1. commission 1e308 × 10 units: Infinity in the fill, the curve and the metrics (as issue 9 found it).
    const overflowed: BacktestResult = {
      orders: [],
      fills: [{ ...fill, commission: Number.POSITIVE_INFINITY }],
      roundTrips: [],
      equity: {
        length: n, time,
        equity: Float64Array.of(1e5, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY),
        cash: Float64Array.of(1e5, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY),
        drawdown: Float64Array.of(0, Number.NaN, Number.NaN),
      },
      metrics: { ...finiteMetrics, finalEquity: Number.NEGATIVE_INFINITY, totalReturn: Number.NEGATIVE_INFINITY, maxDrawdown: Number.NaN, totalCommission: Number.POSITIVE_INFINITY },
      barsProcessed: n,
      partial: false,
    };
    // 2. Finite metrics, but one fill's commission is not: caught when its page is read.
    const oneBadFill: BacktestResult = {
      ...overflowed,
      fills: [{ ...fill, commission: 1 }, { ...fill, id: 2, commission: Number.POSITIVE_INFINITY }],
      equity: { length: n, time, equity: new Float64Array(n).fill(1e5), cash: new Float64Array(n).fill(1e5), drawdown: new Float64Array(n) },
      metrics: finiteMetrics,
    };
    const store = (result: BacktestResult) => {
      const record = createRun(app, {
        strategy: 'sma-crossover', params: {}, symbols: ['SPX'], dataset: 'demo', period: 'DAY',
        initialCash: 1e5, commission: { perUnit: 1e308, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0, periodsPerYear: 252,
      });
      finishRun(app, record.id, { status: 'COMPLETED', result });
      return String(record.id);
    };
    const [a, b] = [store(overflowed), store(oneBadFill)];

    const r = await server.gql(
      `{ runs(first: 50) { totalCount edges { node { id status error metrics { finalEquity } fills(first: 5) { totalCount edges { node { commission } } } equityCurve(maxPoints: 10) { equity } } } } }`,
    );
    expect(r.errors, JSON.stringify(r.errors)?.slice(0, 600)).toBeUndefined();
    const nodes = (r.data!.runs.edges as any[]).map((e) => e.node);
    expect(nodes).toHaveLength(r.data!.runs.totalCount);
    expect(nodes.find((x) => x.id === a)).toEqual({
      id: a, status: 'COMPLETED', metrics: null, fills: { totalCount: 0, edges: [] }, equityCurve: [],
      error: 'its stored results hold a non-finite number (NaN or Infinity, stored by a version that did not check for them), so they are not shown',
    });
    expect(nodes.find((x) => x.id === b)).toMatchObject({ id: b, status: 'COMPLETED', error: null, metrics: { finalEquity: 1e5 }, fills: { totalCount: 0, edges: [] } });
    expect(nodes.find((x) => x.id === b).equityCurve).toHaveLength(n);
    // Every other completed run reads whole: some fills and a curve.
    const others = nodes.filter((x) => x.id !== a && x.id !== b && x.status === 'COMPLETED');
    expect(others.length).toBeGreaterThan(0);
    for (const x of others) {
      expect(x.metrics.finalEquity).toEqual(expect.any(Number));
      expect(x.equityCurve.length).toBeGreaterThan(1);
    }
    // The same through run(id) and the other entry points.
    const one = await server.gqlOk(`query($id: ID!) { run(id: $id) { error orders { totalCount } fills(first: 1) { totalCount } roundTrips { pnl } } }`, { id: a });
    expect(one.run).toMatchObject({ orders: { totalCount: 0 }, fills: { totalCount: 0 }, roundTrips: [] });
    expect(one.run.error).toMatch(/non-finite number/);
    await server.gqlOk(`mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }`, { ids: [a, b] });
    await everyRunReadable();
  });

  it('after every absurd input above, every stored run is still readable', async () => {
    const runs = await everyRunReadable();
    expect(runs.totalCount).toBeGreaterThan(2);
  });

  it.each(TYPE_CASES.map(asObject))('$name (a GraphQL type error): BAD_USER_INPUT naming $field, nothing stored', async ({ patch, field }) => {
    const before = await runCount();
    const r: GqlResult<Record<string, any>> = await server.gql(RUN_BACKTEST, { input: { ...VALID, ...patch } });
    expect(r.errors?.length, 'expected an error').toBeGreaterThan(0);
    expect(r.errors![0]!.message).toContain(field);
    expect(r.data?.runBacktest ?? null).toBeNull();
    expect(await runCount()).toBe(before);
    expectCode(r.errors, 'BAD_USER_INPUT');
  });

  it('reports every bad field of one input at once, in the message and in extensions.fields', async () => {
    const before = await runCount();
    const r = await server.gql(RUN_BACKTEST, {
      input: { ...VALID, params: { fastPeriod: 501 }, initialCash: 0, slippageBps: -2, commission: { perUnit: -1 } },
    });
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    for (const f of ['input.params.fastPeriod', 'input.initialCash', 'input.slippageBps', 'input.commission.perUnit']) expect(error.message).toContain(f);
    const fields = (error.extensions?.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['input.params.fastPeriod', 'input.initialCash', 'input.slippageBps', 'input.commission.perUnit']));
    expect(await runCount()).toBe(before);
  });

  it('the same bad input inline in the document (not as a variable) is refused the same way', async () => {
    const before = await runCount();
    const r = await server.gql(`mutation { runBacktest(input: { strategy: "sma-crossover", symbols: ["SPX"], period: DAY, start: "2020-13-45" }) { id } }`);
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    expect(error.message).toMatch(/2020-13-45/);
    const r2 = await server.gql(`mutation { runBacktest(input: { strategy: "sma-crossover", symbols: ["SPX"], period: DAY, initialCash: -5 }) { id } }`);
    expect(expectCode(r2.errors, 'BAD_USER_INPUT').message).toContain('input.initialCash');
    expect(await runCount()).toBe(before);
  });

  it('an unknown run id: run is null, cancelBacktest is NOT_FOUND', async () => {
    const q = await server.gql(`{ a: run(id: "999999") { id } b: run(id: "not-a-number") { id } }`);
    expect(q.errors).toBeUndefined();
    expect(q.data).toEqual({ a: null, b: null });

    const c = await server.gql(`mutation { cancelBacktest(id: "999999") { id status } }`);
    const error = expectCode(c.errors, 'NOT_FOUND');
    expect(error.message).toContain('999999');
    expect(c.data ?? null).toBeNull();
    const c2 = await server.gql(`mutation { cancelBacktest(id: "abc") { id } }`);
    expectCode(c2.errors, 'NOT_FOUND');

    const del = await server.gql(`mutation { deleteRuns(ids: ["999999"]) }`);
    expect(del).toEqual({ data: { deleteRuns: 0 }, errors: undefined });
    const badDel = await server.gql(`mutation { deleteRuns(ids: ["1", "x"]) }`);
    expect(expectCode(badDel.errors, 'BAD_USER_INPUT').message).toContain('ids[1]');
    // The valid id in that list was not deleted.
    expect((await server.gqlOk(`{ run(id: "1") { id } }`)).run).toEqual({ id: '1' });
  });

  for (const field of ['runFills', 'runEquity', 'runStatus'] as const) {
    const selection = field === 'runStatus' ? '{ status }' : field === 'runFills' ? '{ id }' : '{ equity }';
    it(`${field} of an unknown id is NOT_FOUND over WebSocket and SSE`, async () => {
      const query = `subscription($id: ID!) { ${field}(id: $id) ${selection} }`;
      for (const id of ['999999', 'abc']) {
        const ws = await server.subscribe(query, { id }, { timeoutMs: 10_000 });
        expect(ws.events).toEqual([]);
        expect(expectCode(ws.errors, 'NOT_FOUND').message).toContain(id);
        const sse = await server.subscribeSse(query, { id }, { timeoutMs: 10_000 });
        expect(sse.events).toEqual([]);
        expect(expectCode(sse.errors, 'NOT_FOUND').message).toContain(id);
      }
    });
  }

  it('equityCurve(maxPoints) below 2 is BAD_USER_INPUT; 2 keeps first and last', async () => {
    for (const maxPoints of [1, 0, -5]) {
      const r = await server.gql(`query($id: ID!, $n: Int) { run(id: $id) { equityCurve(maxPoints: $n) { equity } } }`, { id: runId, n: maxPoints });
      expect(expectCode(r.errors, 'BAD_USER_INPUT').message).toContain('maxPoints');
    }
    const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { two: equityCurve(maxPoints: 2) { time equity } all: equityCurve { time equity } } }`, { id: runId });
    expect(d.run.two).toEqual([d.run.all[0], d.run.all[d.run.all.length - 1]]);
    expect(d.run.all[0].time).toBe('2018-01-02T00:00:00.000Z');
  });

  it('bad connection arguments are BAD_USER_INPUT naming the argument', async () => {
    const fills = (args: string) => server.gql(`query($id: ID!) { run(id: $id) { fills(${args}) { totalCount edges { cursor } } } }`, { id: runId });
    const ok = await fills('first: 2');
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.run.fills.totalCount).toBeGreaterThan(2);
    expect(ok.data!.run.fills.edges).toHaveLength(2);

    for (const [args, name] of [
      ['after: "definitely-not-a-cursor"', 'after'],
      ['first: 2, after: "bm9wZQ=="', 'after'],
      ['first: -1', 'first'],
      ['first: 10001', 'first'],
      ['before: "garbage", last: 1', 'before'],
    ] as const) {
      const r = await fills(args);
      expect(expectCode(r.errors, 'BAD_USER_INPUT').message, args).toContain(name);
    }
    const orders = await server.gql(`query($id: ID!) { run(id: $id) { orders(after: "zzz") { totalCount } } }`, { id: runId });
    expect(expectCode(orders.errors, 'BAD_USER_INPUT').message).toContain('after');

    const runs = await server.gql(`{ runs(after: "not-an-id") { totalCount } }`);
    expect(expectCode(runs.errors, 'BAD_USER_INPUT').message).toContain('after');
    const runsLast = await server.gql(`{ runs(last: 2) { totalCount } }`);
    expect(expectCode(runsLast.errors, 'BAD_USER_INPUT').message).toContain('last');
    const runsFirst = await server.gql(`{ runs(first: -3) { totalCount } }`);
    expect(expectCode(runsFirst.errors, 'BAD_USER_INPUT').message).toContain('first');
  });
  // Last: these add a dataset, which changes what an omitted `dataset` means.
  describe('without dataset: the one dataset that holds every symbol for the period', () => {
    const RUN = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id dataset } }`;
    const noDataset = { strategy: 'sma-crossover', period: 'DAY', start: '2019-01-01', end: '2019-02-28', params: { fastPeriod: 5, slowPeriod: 10 } };
    const refused = async (symbols: string[], period = 'DAY') => {
      const before = await runCount();
      const r = await server.gql(RUN, { input: { ...noDataset, symbols, period } });
      const error = expectCode(r.errors, 'BAD_USER_INPUT');
      expect(error.message.startsWith('input.dataset: '), error.message).toBe(true);
      expect(await runCount()).toBe(before);
      return error.message;
    };

    it('uses the only dataset holding the symbols: demo for SPX DAY, synthetic for AAA MINUTE', async () => {
      expect((await server.gqlOk(RUN, { input: { ...noDataset, symbols: ['SPX'] } })).runBacktest.dataset).toBe('demo');
      const minute = await server.gqlOk(RUN, { input: { ...noDataset, symbols: ['AAA', 'BBB'], period: 'MINUTE', start: '2020-01-02', end: '2020-01-03' } });
      expect(minute.runBacktest.dataset).toBe('synthetic');
    });

    it('none holds them all: refused, naming the datasets that hold some', async () => {
      // The candidates as the API lists them, filtered here by hand (a second reading of the rule).
      const { datasets } = await server.gqlOk(`{ datasets { id instruments { symbol coverage { period } } } }`);
      const holding = (symbol: string) =>
        (datasets as any[]).filter((d) => d.instruments.some((i: any) => i.symbol === symbol && i.coverage.some((c: any) => c.period === 'DAY'))).map((d) => d.id);
      expect(holding('SPX')).toEqual(['demo']);
      expect(holding('AAA')).toEqual([]); // the synthetic AAA is MINUTE only
      expect(await refused(['SPX', 'AAA'])).toBe('input.dataset: no dataset holds DAY bars of every symbol (SPX, AAA); some are in demo');
      const all = (datasets as any[]).map((d) => d.id).sort().join(', ');
      expect(all).toContain('demo, huge');
      expect(await refused(['NOPE'])).toBe(`input.dataset: no dataset holds DAY bars of NOPE (datasets: ${all})`);
    });

    it('a second dataset with SPX DAY makes SPX ambiguous (both listed); a symbol only there picks it', async () => {
      const t0 = Date.UTC(2019, 0, 2);
      const rows = Array.from({ length: 60 }, (_, i) => ({ time: t0 + i * 86_400_000, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i }));
      await server.app.storage.writeBars({ dataset: 'copy', symbol: 'SPX', period: 'DAY', series: barSeriesFromRows('SPX', rows) });
      await server.app.storage.writeBars({ dataset: 'copy', symbol: 'ONLY', period: 'DAY', series: barSeriesFromRows('ONLY', rows) });

      expect(await refused(['SPX'])).toBe('input.dataset: 2 datasets hold DAY bars of SPX: copy, demo; name one');
      expect((await server.gqlOk(RUN, { input: { ...noDataset, symbols: ['ONLY'] } })).runBacktest.dataset).toBe('copy');
      expect((await server.gqlOk(RUN, { input: { ...noDataset, symbols: ['SPX', 'ONLY'] } })).runBacktest.dataset).toBe('copy');
      expect(await refused(['ONLY', 'AAA'])).toMatch(/^input\.dataset: no dataset holds DAY bars of every symbol \(ONLY, AAA\); some are in copy$/);
      // Naming one settles it.
      expect((await server.gqlOk(RUN, { input: { ...noDataset, symbols: ['SPX'], dataset: 'demo' } })).runBacktest.dataset).toBe('demo');

      // runSweep goes through the same validator.
      const sweep = await server.gql(`mutation($input: RunSweepInput!) { runSweep(input: $input) { id } }`, {
        input: { ...noDataset, symbols: ['SPX'], grid: { fastPeriod: [3, 4] }, keepTop: 0 },
      });
      expect(expectCode(sweep.errors, 'BAD_USER_INPUT').message).toBe('input.dataset: 2 datasets hold DAY bars of SPX: copy, demo; name one');
    });
  });
});
