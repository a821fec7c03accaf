/**
 * Cancelling and deleting runs through the API, with the `slow` fixture strategy (a fixed wall time
 * per bar) so a run over the synthetic 4 x 250,000 minute bars lasts several seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFills, FILL_FIELDS, FIXTURE_STRATEGIES, RUN_FIELDS, startServer, waitFor, type FillView, type RunView, type TestServer } from './support/test-server.js';

const TOTAL_BARS = 4 * 250_000;
/** ~5 s for the whole run; an engine chunk (16,384 timestamps x 4 bars) takes ~0.3 s, well inside the 1 s cancel budget. */
const SLOW_INPUT = {
  strategy: 'slow',
  params: { microsPerBar: 5, tradeEvery: 2000 },
  symbols: ['AAA', 'BBB', 'CCC', 'DDD'],
  period: 'MINUTE',
  dataset: 'synthetic',
};
const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { ${RUN_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelBacktest(id: $id) { ${RUN_FIELDS} metrics { finalEquity trades } } }`;

describe('cancelling and deleting runs', () => {
  let server: TestServer;
  let cancelledRun: { id: string; barsProcessed: number; progress: number } | undefined;

  const start = async (input: object = SLOW_INPUT): Promise<RunView> => (await server.gqlOk(RUN_BACKTEST, { input })).runBacktest;
  const getRun = async (id: string): Promise<(RunView & Record<string, any>) | null> =>
    (await server.gqlOk(`query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id })).run;
  const waitRunning = (id: string, minBars = 0) =>
    waitFor(async () => {
      const r = await getRun(id);
      if (r && r.status !== 'QUEUED' && r.status !== 'RUNNING') throw new Error(`run ${id} ended ${r.status} before it could be cancelled`);
      return r?.status === 'RUNNING' && r.barsProcessed > minBars ? r : null;
    }, { what: `run ${id} RUNNING with > ${minBars} bars`, timeoutMs: 30_000 });
  const runCount = async (): Promise<number> => (await server.gqlOk(`{ runs { totalCount } }`)).runs.totalCount;

  beforeAll(async () => {
    server = await startServer({ strategiesDir: FIXTURE_STRATEGIES, workers: 2 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('cancels a running run within a second and keeps its partial results', async () => {
    const run = await start();
    await waitRunning(run.id, 0);

    const t0 = performance.now();
    const d = await server.gqlOk(CANCEL, { id: run.id });
    const elapsed = performance.now() - t0;
    const cancelled = d.cancelBacktest;
    expect(cancelled.status).toBe('CANCELLED');
    expect(elapsed, 'cancelBacktest took too long').toBeLessThan(1_000);

    expect(cancelled.barsProcessed).toBeGreaterThan(0);
    expect(cancelled.barsProcessed).toBeLessThan(TOTAL_BARS);
    expect(cancelled.barsProcessed % 4).toBe(0); // whole timestamps of the shared clock
    expect(cancelled.error).toBeNull();
    expect(cancelled.startedAt).not.toBeNull();
    expect(cancelled.finishedAt).not.toBeNull();
    expect(cancelled.metrics).not.toBeNull();

    // The stored partial results: fills and one equity point per processed timestamp.
    const stored = await server.gqlOk(`query($id: ID!) { run(id: $id) { status barsProcessed progress
      equityCurve { time equity } fills(first: 1) { totalCount } orders(first: 1) { totalCount } } }`, { id: run.id });
    const r = stored.run;
    expect(r.status).toBe('CANCELLED');
    expect(r.barsProcessed).toBe(cancelled.barsProcessed);
    expect(r.progress).toBeGreaterThan(0);
    expect(r.progress).toBeLessThan(1);
    expect(r.equityCurve.length).toBe(cancelled.barsProcessed / 4);
    expect(r.equityCurve[0].time).toBe('2020-01-01T00:00:00.000Z');
    expect(r.fills.totalCount).toBeGreaterThan(0);
    expect(r.orders.totalCount).toBeGreaterThanOrEqual(r.fills.totalCount);

    // The stored fills and a late subscriber agree; the subscription completes at once.
    const fills = await allFills(server.gqlOk, run.id, 1000);
    const late = await server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id: run.id });
    expect(late.events.map((e) => e.runFills)).toEqual(fills.fills);

    // Cancelling again is harmless: the stored state does not change.
    const again = await server.gqlOk(CANCEL, { id: run.id });
    expect(again.cancelBacktest).toMatchObject({ status: 'CANCELLED', barsProcessed: cancelled.barsProcessed });
    cancelledRun = { id: run.id, barsProcessed: cancelled.barsProcessed, progress: cancelled.progress };
  });

  it("a cancelled run's progress is the fraction of bars it processed", async () => {
    // Stored progress is only written every 250 ms while running; the final write must bring it
    // in line with barsProcessed, as COMPLETED does (progress 1).
    expect(cancelledRun, 'the previous test did not cancel a run').toBeDefined();
    const { id, barsProcessed, progress } = cancelledRun!;
    expect(progress, 'progress returned by cancelBacktest').toBeCloseTo(barsProcessed / TOTAL_BARS, 12);
    const r = await getRun(id);
    expect(r?.progress, 'stored progress').toBeCloseTo(barsProcessed / TOTAL_BARS, 12);
  });

  it('cancels a queued run at once: never started, nothing stored; then cancels the blockers', async () => {
    const blockers = [await start(), await start()];
    await Promise.all(blockers.map((b) => waitRunning(b.id)));
    const queued = await start();
    expect(queued.status).toBe('QUEUED');

    // runStatus of a queued run starts with QUEUED and ends with CANCELLED.
    let live!: () => void;
    const firstEvent = new Promise<void>((r) => (live = r));
    const statusStream = server.subscribe<{ runStatus: { status: string; barsProcessed: number } }>(
      `subscription($id: ID!) { runStatus(id: $id) { status barsProcessed } }`,
      { id: queued.id },
      { onNext: () => live() },
    );
    const fillStream = server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { id } }`, { id: queued.id });
    await firstEvent;

    const t0 = performance.now();
    const d = await server.gqlOk(CANCEL, { id: queued.id });
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(500);
    expect(d.cancelBacktest).toMatchObject({ id: queued.id, status: 'CANCELLED', startedAt: null, barsProcessed: 0, progress: 0 });
    expect(d.cancelBacktest.finishedAt).not.toBeNull();

    const status = await statusStream;
    expect(status.errors).toEqual([]);
    expect(status.events.map((e) => e.runStatus.status)).toEqual(['QUEUED', 'CANCELLED']);
    const fills = await fillStream;
    expect(fills).toEqual({ events: [], errors: [] });

    const stored = await server.gqlOk(`query($id: ID!) { run(id: $id) { status startedAt barsProcessed metrics { trades }
      fills { totalCount } equityCurve { equity } roundTrips { pnl } } }`, { id: queued.id });
    expect(stored.run).toEqual({ status: 'CANCELLED', startedAt: null, barsProcessed: 0, metrics: null, fills: { totalCount: 0 }, equityCurve: [], roundTrips: [] });

    // The blockers were still running throughout; cancel them too.
    const ended = await Promise.all(blockers.map(async (b) => (await server.gqlOk(CANCEL, { id: b.id })).cancelBacktest));
    for (const e of ended) {
      expect(e.status).toBe('CANCELLED');
      expect(e.barsProcessed).toBeGreaterThan(0);
      expect(e.barsProcessed).toBeLessThan(TOTAL_BARS);
    }

    // The queued task left the pool without ever running: the run stays as it was.
    const health = await waitFor(async () => {
      const h = (await (await fetch(server.url.replace('/graphql', '/health'))).json()) as { activeRuns: number };
      return h.activeRuns === 0 ? h : null;
    }, { what: 'no active runs' });
    expect(health.activeRuns).toBe(0);
    const after = await getRun(queued.id);
    expect(after).toMatchObject({ status: 'CANCELLED', startedAt: null, barsProcessed: 0 });
  });

  it('deleteRuns removes a finished run, and cancels and removes a running one', async () => {
    const finished = await start({ strategy: 'sma-crossover', symbols: ['SPX'], period: 'DAY', dataset: 'demo', params: { fastPeriod: 10, slowPeriod: 30 } });
    const done = await waitFor(async () => {
      const r = await getRun(finished.id);
      return r?.status === 'COMPLETED' ? r : null;
    }, { what: 'the short run to complete' });
    expect(done.barsProcessed).toBe(5105);
    const fillsBefore = (await server.gqlOk(`query($id: ID!) { run(id: $id) { fills { totalCount } } }`, { id: finished.id })).run.fills.totalCount;
    expect(fillsBefore).toBeGreaterThan(0);

    const before = await runCount();
    const n1 = await server.gqlOk(`mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }`, { ids: [finished.id] });
    expect(n1.deleteRuns).toBe(1);
    expect(await getRun(finished.id)).toBeNull();
    expect(await runCount()).toBe(before - 1);
    // Deleting it again deletes nothing.
    expect((await server.gqlOk(`mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }`, { ids: [finished.id] })).deleteRuns).toBe(0);
    // Its subscriptions now report NOT_FOUND.
    const gone = await server.subscribe(`subscription($id: ID!) { runFills(id: $id) { id } }`, { id: finished.id });
    expect(gone.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);

    const running = await start();
    await waitRunning(running.id);
    let live!: () => void;
    const firstEvent = new Promise<void>((r) => (live = r));
    const watcher = server.subscribe<{ runStatus: { status: string } }>(`subscription($id: ID!) { runStatus(id: $id) { status } }`, { id: running.id }, { onNext: () => live() });
    await firstEvent;
    const t0 = performance.now();
    const n2 = await server.gqlOk(`mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }`, { ids: [running.id] });
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(n2.deleteRuns).toBe(1);
    expect(await getRun(running.id)).toBeNull();
    expect(await runCount()).toBe(before - 1);
    // The watcher is told the run ended (it does not hang), and nothing is running any more.
    const watched = await watcher;
    expect(watched.events.at(-1)?.runStatus.status).toBe('CANCELLED');
    const health = (await (await fetch(server.url.replace('/graphql', '/health'))).json()) as { activeRuns: number };
    expect(health.activeRuns).toBe(0);
  });
});
