/**
 * The reference backtest end to end through the API only: strategy specs and dataset coverage,
 * runBacktest with the input of the reference file, live subscriptions over WebSocket opened after
 * the mutation returned, SSE replay, then the stored metrics, fills, round trips, equity and runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference, MONEY_METRICS, type ReferenceFile } from './support/sp500.js';
import { allFills, FILL_FIELDS, startServer, type FillView, type TestServer } from './support/test-server.js';

const RUN_BACKTEST = `mutation($input: RunBacktestInput!) {
  runBacktest(input: $input) { id status params symbols period dataset initialCash slippageBps strategy { id } createdAt }
}`;
const METRICS = 'finalEquity totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownDuration trades winRate profitFactor totalCommission exposure';
const INT_METRICS = new Set(['maxDrawdownDuration', 'trades']);

interface EquityView {
  time: string;
  equity: number;
  cash: number;
  drawdown: number;
}
interface StatusEventView {
  status: string;
  progress: number;
  barsProcessed: number;
  simTime: string | null;
  run: { id: string };
}

function expectRelClose(actual: number, expected: number, rel: number, what: string): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  expect(Math.abs(actual - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

function expectFillsMatchReference(fills: readonly Pick<FillView, 'time' | 'side' | 'quantity' | 'price' | 'commission' | 'symbol'>[], ref: ReferenceFile): void {
  expect(fills.map((f) => `${f.time.slice(0, 10)} ${f.side}`)).toEqual(ref.fills.map((f) => `${f.date} ${f.side}`));
  fills.forEach((f, i) => {
    const r = ref.fills[i]!;
    expect(f.symbol).toBe('SPX');
    expect(f.time).toBe(`${r.date}T00:00:00.000Z`);
    expect(f.quantity).toBe(r.quantity);
    expect(f.price, `fill ${i} price`).toBe(r.price); // market orders: exact
    expectRelClose(f.commission, r.commission, ref.tolerance.money_relative, `fill ${i} commission`);
  });
}

describe('the reference backtest through GraphQL', () => {
  let server: TestServer;
  const ref = loadReference();
  const input = ref.input as ReferenceFile['input'] & { symbols: string[]; period: string; dataset: string };
  let runId: string;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists strategies with typed parameter specs', async () => {
    const d = await server.gqlOk(`{
      strategies { id title description params {
        __typename name description
        ... on IntParam { intDefault: default min max step }
        ... on FloatParam { floatDefault: default fmin: min fmax: max minExclusive }
        ... on EnumParam { enumDefault: default choices }
        ... on BoolParam { boolDefault: default }
      } }
    }`);
    const ids = d.strategies.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['sma-crossover', 'rsi-reversion', 'bollinger-breakout', 'buy-and-hold']));
    const sma = d.strategies.find((s: { id: string }) => s.id === 'sma-crossover');
    expect(sma.title).toBe('SMA crossover');
    expect(sma.description.length).toBeGreaterThan(10);
    const byName = Object.fromEntries(sma.params.map((p: { name: string }) => [p.name, p]));
    expect(Object.keys(byName)).toEqual(['fastPeriod', 'slowPeriod', 'quantity', 'entry', 'limitOffsetPct', 'equityPct']);
    expect(byName.fastPeriod).toMatchObject({ __typename: 'IntParam', intDefault: 20, min: 2, max: 500, step: 1 });
    expect(byName.slowPeriod).toMatchObject({ __typename: 'IntParam', intDefault: 100, min: 3, max: 2000, step: 1 });
    expect(byName.quantity).toMatchObject({ __typename: 'FloatParam', floatDefault: 1, fmin: 0, fmax: null, minExclusive: true });
    expect(byName.entry).toMatchObject({ __typename: 'EnumParam', enumDefault: 'MARKET', choices: ['MARKET', 'LIMIT'] });
    expect(byName.limitOffsetPct).toMatchObject({ __typename: 'FloatParam', floatDefault: 1, fmin: 0, fmax: 50, minExclusive: false });
    expect(byName.equityPct).toMatchObject({ __typename: 'FloatParam', floatDefault: 0, fmin: 0, fmax: 100, minExclusive: false });

    const one = await server.gqlOk(`{ strategy(id: "sma-crossover") { id params { name } } missing: strategy(id: "nope") { id } }`);
    expect(one.strategy.id).toBe('sma-crossover');
    expect(one.strategy.params).toHaveLength(6);
    expect(one.missing).toBeNull();
  });

  it('lists the demo datasets with their coverage', async () => {
    const d = await server.gqlOk(`{ datasets { id name instruments { symbol dataset { id } coverage { period first last bars } } } }`);
    expect(d.datasets.map((x: { id: string }) => x.id)).toEqual(['demo', 'synthetic', 'synthetic-daily']);
    const [demo, synthetic] = d.datasets;
    expect(demo.instruments).toEqual([
      {
        symbol: 'SPX',
        dataset: { id: 'demo' },
        coverage: [{ period: 'DAY', first: '2000-01-03T00:00:00.000Z', last: '2020-04-17T00:00:00.000Z', bars: 5105 }],
      },
    ]);
    expect(synthetic.instruments.map((i: { symbol: string }) => i.symbol)).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    // 250,000 minute bars without gaps from 2020-01-01T00:00Z.
    const last = new Date(Date.UTC(2020, 0, 1) + 249_999 * 60_000).toISOString();
    for (const i of synthetic.instruments) {
      expect(i.dataset).toEqual({ id: 'synthetic' });
      expect(i.coverage).toEqual([{ period: 'MINUTE', first: '2020-01-01T00:00:00.000Z', last, bars: 250_000 }]);
    }
  });

  it('runs the reference input; subscriptions opened after the mutation see every fill, the final equity and the status to COMPLETED', async () => {
    expect(input.symbols).toEqual(['SPX']);
    const created = await server.gqlOk(RUN_BACKTEST, { input });
    const run = created.runBacktest;
    runId = run.id;
    expect(['QUEUED', 'RUNNING']).toContain(run.status);
    expect(run.strategy).toEqual({ id: 'sma-crossover' });
    expect(run.params).toEqual({ ...input.params, equityPct: 0 }); // resolved: the optional sizing param at its default
    expect(run).toMatchObject({ symbols: ['SPX'], period: 'DAY', dataset: 'demo', initialCash: 100_000, slippageBps: 0 });

    // Only now, after the mutation returned, open the three subscriptions.
    const [fills, equity, status] = await Promise.all([
      server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id: runId }),
      server.subscribe<{ runEquity: EquityView }>(`subscription($id: ID!) { runEquity(id: $id) { time equity cash drawdown } }`, { id: runId }),
      server.subscribe<{ runStatus: StatusEventView }>(
        `subscription($id: ID!) { runStatus(id: $id) { status progress barsProcessed simTime run { id } } }`,
        { id: runId },
      ),
    ]);
    expect(fills.errors).toEqual([]);
    expect(equity.errors).toEqual([]);
    expect(status.errors).toEqual([]);

    const streamed = fills.events.map((e) => e.runFills);
    expect(streamed).toHaveLength(18);
    expectFillsMatchReference(streamed, ref);
    expect(new Set(streamed.map((f) => f.id)).size).toBe(18);

    const points = equity.events.map((e) => e.runEquity);
    expect(points.length).toBeGreaterThan(0);
    expectRelClose(points[points.length - 1]!.equity, ref.metrics.finalEquity!, ref.tolerance.money_relative, 'last streamed equity');
    expect(points[points.length - 1]!.time).toBe('2020-04-17T00:00:00.000Z');
    for (let k = 1; k < points.length; k++) expect(Date.parse(points[k]!.time)).toBeGreaterThan(Date.parse(points[k - 1]!.time));

    const events = status.events.map((e) => e.runStatus);
    expect(events.length).toBeGreaterThan(0);
    const order = ['QUEUED', 'RUNNING', 'COMPLETED'];
    expect(order).toContain(events[0]!.status);
    for (let k = 1; k < events.length; k++) {
      expect(order.indexOf(events[k]!.status)).toBeGreaterThanOrEqual(order.indexOf(events[k - 1]!.status));
      expect(events[k]!.progress).toBeGreaterThanOrEqual(events[k - 1]!.progress);
    }
    const lastEvent = events[events.length - 1]!;
    expect(lastEvent).toMatchObject({ status: 'COMPLETED', progress: 1, barsProcessed: 5105, run: { id: runId } });
    expect(events.filter((e) => e.status === 'COMPLETED')).toHaveLength(1);
  });

  it('runStatus of a finished run is one event with the stored state', async () => {
    const status = await server.subscribe<{ runStatus: StatusEventView }>(
      `subscription($id: ID!) { runStatus(id: $id) { status progress barsProcessed run { id status } } }`,
      { id: runId },
    );
    expect(status.errors).toEqual([]);
    expect(status.events.map((e) => e.runStatus)).toEqual([
      { status: 'COMPLETED', progress: 1, barsProcessed: 5105, run: { id: runId, status: 'COMPLETED' } },
    ]);
  });

  it('replays the fills of the finished run over SSE', async () => {
    const sse = await server.subscribeSse<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id: runId });
    expect(sse.errors).toEqual([]);
    const fills = sse.events.map((e) => e.runFills);
    expect(fills).toHaveLength(18);
    expectFillsMatchReference(fills, ref);
  });

  it('stores the reference metrics', async () => {
    const d = await server.gqlOk(`query($id: ID!) { run(id: $id) {
      id status progress barsProcessed error startedAt finishedAt createdAt metrics { ${METRICS} } } }`, { id: runId });
    const run = d.run;
    expect(run).toMatchObject({ id: runId, status: 'COMPLETED', progress: 1, barsProcessed: 5105, error: null });
    expect(Date.parse(run.createdAt)).toBeLessThanOrEqual(Date.parse(run.startedAt));
    expect(Date.parse(run.startedAt)).toBeLessThanOrEqual(Date.parse(run.finishedAt));
    expect(Object.keys(run.metrics).sort()).toEqual(Object.keys(ref.metrics).sort());
    for (const [name, expected] of Object.entries(ref.metrics)) {
      const actual = run.metrics[name] as number;
      expect(typeof actual, name).toBe('number');
      if (INT_METRICS.has(name)) expect(actual, name).toBe(expected);
      else if ((MONEY_METRICS as readonly string[]).includes(name)) expectRelClose(actual, expected, ref.tolerance.money_relative, name);
      else expect(Math.abs(actual - expected), `${name}: ${actual} vs ${expected}`).toBeLessThanOrEqual(ref.tolerance.ratios_absolute);
    }
  });

  it('pages through the stored fills with first/after', async () => {
    const { fills, totalCount, pages } = await allFills(server.gqlOk, runId, 5);
    expect(totalCount).toBe(18);
    expect(pages).toBe(4); // 5 + 5 + 5 + 3
    expectFillsMatchReference(fills, ref);
    expect(new Set(fills.map((f) => f.id)).size).toBe(18);
    // Fills of a market-order strategy belong to distinct orders.
    expect(new Set(fills.map((f) => f.orderId)).size).toBe(18);

    // The streamed fills carry the same ids as the stored ones.
    const streamed = await server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id: runId });
    expect(streamed.events.map((e) => e.runFills)).toEqual(fills);

    const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { fills(first: 100) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } } }`, { id: runId });
    expect(d.run.fills.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(fills.map((f) => f.id));
    expect(d.run.fills.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
  });

  it('stores the reference round trips', async () => {
    const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { roundTrips {
      symbol side quantity entryTime exitTime entryPrice exitPrice pnl returnPct bars } } }`, { id: runId });
    const trips = d.run.roundTrips;
    expect(trips).toHaveLength(ref.roundTrips.length);
    trips.forEach((t: Record<string, any>, i: number) => {
      const r = ref.roundTrips[i]!;
      expect(t).toMatchObject({
        symbol: r.symbol,
        side: r.side,
        quantity: r.quantity,
        entryTime: `${r.entryDate}T00:00:00.000Z`,
        exitTime: `${r.exitDate}T00:00:00.000Z`,
        entryPrice: r.entryPrice,
        exitPrice: r.exitPrice,
        bars: r.bars,
      });
      expectRelClose(t.pnl, r.pnl, ref.tolerance.money_relative, `round trip ${i} pnl`);
      expectRelClose(t.returnPct, (100 * r.pnl) / (r.quantity * r.entryPrice), 1e-9, `round trip ${i} returnPct`);
    });
  });

  it('returns the equity curve in full and downsampled, keeping first, last and extremes', async () => {
    const d = await server.gqlOk(`query($id: ID!) { run(id: $id) {
      full: equityCurve { time equity cash drawdown }
      small: equityCurve(maxPoints: 50) { time equity cash drawdown } } }`, { id: runId });
    const full: EquityView[] = d.run.full;
    const small: EquityView[] = d.run.small;
    const tol = ref.tolerance.money_relative;

    expect(full).toHaveLength(ref.equity.points);
    expect(full[0]!.time).toBe('2000-01-03T00:00:00.000Z');
    expect(full[0]!.equity).toBe(ref.equity.first);
    expectRelClose(full[full.length - 1]!.equity, ref.equity.last, tol, 'last equity');
    expectRelClose(Math.min(...full.map((p) => p.equity)), ref.equity.min, tol, 'min equity');
    expectRelClose(Math.max(...full.map((p) => p.equity)), ref.equity.max, tol, 'max equity');
    expect(Math.max(...full.map((p) => p.drawdown))).toBeCloseTo(ref.metrics.maxDrawdown!, 9);

    expect(small.length).toBeGreaterThan(2);
    expect(small.length).toBeLessThanOrEqual(50);
    expect(small[0]).toEqual(full[0]);
    expect(small[small.length - 1]).toEqual(full[full.length - 1]);
    expectRelClose(Math.min(...small.map((p) => p.equity)), ref.equity.min, tol, 'min of the downsampled curve');
    expectRelClose(Math.max(...small.map((p) => p.equity)), ref.equity.max, tol, 'max of the downsampled curve');
    // Every downsampled point is a point of the full curve, in time order.
    const byTime = new Map(full.map((p) => [p.time, p]));
    for (let k = 0; k < small.length; k++) {
      expect(byTime.get(small[k]!.time)).toEqual(small[k]);
      if (k > 0) expect(Date.parse(small[k]!.time)).toBeGreaterThan(Date.parse(small[k - 1]!.time));
    }
  });

  it('lists runs newest first with totalCount and forward paging', async () => {
    // A second, newer run (a short window of the same data).
    const second = await server.gqlOk(RUN_BACKTEST, {
      input: { strategy: 'buy-and-hold', symbols: ['SPX'], period: 'DAY', dataset: 'demo', start: '2019-01-01', end: '2019-12-31' },
    });
    const secondId: string = second.runBacktest.id;
    expect(Number(secondId)).toBeGreaterThan(Number(runId));
    const done = await server.subscribe<{ runStatus: { status: string } }>(`subscription($id: ID!) { runStatus(id: $id) { status } }`, { id: secondId });
    expect(done.events.at(-1)?.runStatus.status).toBe('COMPLETED');

    const all = await server.gqlOk(`{ runs { totalCount edges { cursor node { id status strategy { id } } } pageInfo { hasNextPage endCursor } } }`);
    expect(all.runs.totalCount).toBe(2);
    expect(all.runs.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([secondId, runId]);
    expect(all.runs.edges[1].node).toEqual({ id: runId, status: 'COMPLETED', strategy: { id: 'sma-crossover' } });
    expect(all.runs.pageInfo.hasNextPage).toBe(false);

    const page1 = await server.gqlOk(`{ runs(first: 1) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`);
    expect(page1.runs.totalCount).toBe(2);
    expect(page1.runs.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([secondId]);
    expect(page1.runs.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gqlOk(`query($after: String) { runs(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`, {
      after: page1.runs.pageInfo.endCursor,
    });
    expect(page2.runs.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([runId]);
    expect(page2.runs.pageInfo.hasNextPage).toBe(false);

    const filtered = await server.gqlOk(`{ sma: runs(strategy: "sma-crossover") { totalCount edges { node { id } } }
      failed: runs(status: FAILED) { totalCount edges { node { id } } } }`);
    expect(filtered.sma).toEqual({ totalCount: 1, edges: [{ node: { id: runId } }] });
    expect(filtered.failed).toEqual({ totalCount: 0, edges: [] });
  });
});
