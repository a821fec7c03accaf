/**
 * Parameter sweeps through GraphQL on a real server: every combination's metrics equal a single
 * runBacktest with the same params; invalid grids are refused with nothing stored; a sweep can be
 * cancelled keeping finished results; sweepProgress streams the state to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_STRATEGIES, startServer, waitFor, type TestServer } from './support/test-server.js';

const METRICS = 'finalEquity totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownDuration trades winRate profitFactor totalCommission exposure';
const BASE = { strategy: 'sma-crossover', dataset: 'demo', symbols: ['SPX'], period: 'DAY', commission: { perUnit: 0.005, minimumPerOrder: 1 } };
const RUN_SWEEP = `mutation($input: RunSweepInput!) { runSweep(input: $input) { id status total skipped } }`;
const SWEEP = `query($id: ID!) { sweep(id: $id) { id status progress total completed skipped failed objective
  best { params objectiveValue runId }
  results(first: 100, orderBy: GRID) { totalCount edges { node { params runId metrics { ${METRICS} } } } } } }`;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ strategiesDir: FIXTURE_STRATEGIES });
});
afterAll(async () => {
  await server?.stop();
});

async function sweepCount(): Promise<number> {
  return (await server.gqlOk<{ sweeps: { totalCount: number } }>(`{ sweeps { totalCount } }`)).sweeps.totalCount;
}

async function waitSweep(id: string, status = 'COMPLETED') {
  return waitFor(
    async () => {
      const { sweep } = await server.gqlOk<{ sweep: any }>(SWEEP, { id });
      return sweep.status === status ? sweep : null;
    },
    { timeoutMs: 60_000, what: `sweep ${id} ${status}` },
  );
}

async function runAndWait(params: Record<string, unknown>) {
  const { runBacktest } = await server.gqlOk<{ runBacktest: { id: string } }>(
    `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`,
    { input: { ...BASE, params } },
  );
  return waitFor(
    async () => {
      const { run } = await server.gqlOk<{ run: any }>(`query($id: ID!) { run(id: $id) { status metrics { ${METRICS} } } }`, { id: runBacktest.id });
      return run.status === 'COMPLETED' ? run.metrics : null;
    },
    { timeoutMs: 30_000, what: `run ${runBacktest.id}` },
  );
}

describe('runSweep', () => {
  it('gives every combination the metrics of a single run with the same params', async () => {
    const { runSweep } = await server.gqlOk<{ runSweep: any }>(RUN_SWEEP, {
      input: { ...BASE, params: { quantity: 10 }, grid: { fastPeriod: [10, 50], slowPeriod: { min: 100, max: 200, step: 100 } }, keepTop: 2 },
    });
    expect(runSweep).toMatchObject({ status: 'QUEUED', total: 4, skipped: 0 });
    const sweep = await waitSweep(runSweep.id);
    expect(sweep).toMatchObject({ total: 4, completed: 4, failed: 0, progress: 1, objective: 'sharpe' });
    const results = sweep.results.edges.map((e: any) => e.node);
    expect(results.map((r: any) => [r.params.fastPeriod, r.params.slowPeriod])).toEqual([[10, 100], [10, 200], [50, 100], [50, 200]]);
    for (const r of results) {
      const single = await runAndWait(r.params);
      expect(r.metrics).toEqual(single);
    }
    // 50/200 with quantity 10 is the reference scenario: its sharpe is known independently.
    expect(results[3].metrics.sharpe).toBeCloseTo(0.3055201419907325, 9);
    // The best two are full runs, with the same metrics.
    const best = [...results].sort((a: any, b: any) => b.metrics.sharpe - a.metrics.sharpe);
    expect(sweep.best.params).toEqual(best[0].params);
    expect(best.slice(0, 2).every((r: any) => r.runId !== null)).toBe(true);
    expect(best.slice(2).every((r: any) => r.runId === null)).toBe(true);
    const linked = await waitFor(async () => {
      const { run } = await server.gqlOk<{ run: any }>(`query($id: ID!) { run(id: $id) { status params metrics { sharpe } fills { totalCount } } }`, { id: best[0].runId });
      return run.status === 'COMPLETED' ? run : null;
    });
    expect(linked.params).toEqual(best[0].params);
    expect(linked.metrics.sharpe).toBe(best[0].metrics.sharpe);
    expect(linked.fills.totalCount).toBeGreaterThan(0);
  });

  it('skips and counts combinations that break a cross-parameter rule', async () => {
    const { runSweep } = await server.gqlOk<{ runSweep: any }>(RUN_SWEEP, {
      input: { ...BASE, grid: { fastPeriod: [50, 100, 150], slowPeriod: [100, 200] }, keepTop: 0, objective: 'totalReturn', maximize: false },
    });
    // fast >= slow: (100,100), (150,100) are skipped.
    expect(runSweep).toMatchObject({ total: 6, skipped: 2 });
    const sweep = await waitSweep(runSweep.id);
    expect(sweep.completed).toBe(4);
    const byReturn = sweep.results.edges.map((e: any) => e.node.metrics.totalReturn).sort((a: number, b: number) => a - b);
    expect(sweep.best.objectiveValue).toBe(byReturn[0]); // minimising
  });

  it.each([
    ['unknown param', { grid: { nope: [1] } }, 'input.grid.nope'],
    ['wrong type', { grid: { fastPeriod: ['ten'] } }, 'input.grid.fastPeriod[0]'],
    ['out of range', { grid: { fastPeriod: [1, 10] } }, 'input.grid.fastPeriod[0]'],
    ['non-integer', { grid: { fastPeriod: [10.5] } }, 'input.grid.fastPeriod[0]'],
    ['step not dividing the range', { grid: { fastPeriod: { min: 10, max: 55, step: 10 } } }, 'input.grid.fastPeriod.step'],
    ['negative step', { grid: { fastPeriod: { min: 10, max: 50, step: -10 } } }, 'input.grid.fastPeriod.step'],
    ['range on an enum', { grid: { entry: { min: 1, max: 2, step: 1 } } }, 'input.grid.entry'],
    ['empty list', { grid: { fastPeriod: [] } }, 'input.grid.fastPeriod'],
    ['empty grid', { grid: {} }, 'input.grid'],
    ['unknown objective', { grid: { fastPeriod: [10] }, objective: 'alpha' }, 'input.objective'],
    ['over the limit', { grid: { fastPeriod: { min: 2, max: 40, step: 1 }, slowPeriod: { min: 100, max: 200, step: 1 } }, maxCombinations: 1000 }, 'input.grid'],
    ['param both fixed and swept', { params: { fastPeriod: 10 }, grid: { fastPeriod: [10, 20] } }, 'input.grid.fastPeriod'],
    ['bad base input', { grid: { fastPeriod: [10] }, initialCash: -1 }, 'input.initialCash'],
  ])('refuses %s with BAD_USER_INPUT naming the field, storing nothing', async (_name, extra, field) => {
    const before = await sweepCount();
    const res = await server.gql(RUN_SWEEP, { input: { ...BASE, ...extra } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(`${field}:`);
    expect(await sweepCount()).toBe(before);
  });

  it('cancels a running sweep, keeping the results of finished combinations', async () => {
    const { runSweep } = await server.gqlOk<{ runSweep: any }>(RUN_SWEEP, {
      input: {
        strategy: 'slow', dataset: 'synthetic', symbols: ['AAA'], period: 'MINUTE', end: '2020-01-20',
        grid: { tradeEvery: { min: 100, max: 4000, step: 100 } }, params: { microsPerBar: 5 }, keepTop: 3,
      },
    });
    await waitFor(async () => {
      const { sweep } = await server.gqlOk<{ sweep: any }>(SWEEP, { id: runSweep.id });
      return sweep.status === 'RUNNING' && sweep.completed >= 1 ? sweep : null;
    }, { timeoutMs: 60_000, what: 'a first finished combination' });
    const t0 = Date.now();
    const { cancelSweep } = await server.gqlOk<{ cancelSweep: any }>(`mutation($id: ID!) { cancelSweep(id: $id) { status completed } }`, { id: runSweep.id });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(cancelSweep.status).toBe('CANCELLED');
    const { sweep } = await server.gqlOk<{ sweep: any }>(SWEEP, { id: runSweep.id });
    expect(sweep.status).toBe('CANCELLED');
    expect(sweep.completed).toBeGreaterThanOrEqual(1);
    expect(sweep.completed).toBeLessThan(40);
    expect(sweep.results.totalCount).toBe(sweep.completed);
    // A cancelled sweep does not start full runs for its best.
    expect(sweep.results.edges.every((e: any) => e.node.runId === null)).toBe(true);
  });

  it('streams sweepProgress from the current state to the end', async () => {
    const { runSweep } = await server.gqlOk<{ runSweep: any }>(RUN_SWEEP, {
      input: { ...BASE, grid: { fastPeriod: { min: 10, max: 90, step: 20 }, slowPeriod: [100, 200] }, keepTop: 0 },
    });
    const events = await server.subscribe<{ sweepProgress: any }>(
      `subscription($id: ID!) { sweepProgress(id: $id) { status progress completed total best { objectiveValue } sweep { id } } }`,
      { id: runSweep.id },
    );
    const list = events.events.map((e) => e.sweepProgress);
    expect(list.length).toBeGreaterThanOrEqual(1);
    const last = list[list.length - 1];
    expect(last).toMatchObject({ status: 'COMPLETED', progress: 1, completed: 10, total: 10, sweep: { id: runSweep.id } });
    const progress = list.map((e) => e.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const unknown = await server.subscribe(`subscription { sweepProgress(id: "999999") { status } }`);
    expect(unknown.events).toEqual([]);
    expect(unknown.errors[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
