/**
 * Scale-out end to end (issue 14): two API instances A and B (`backtest serve --no-worker`) and two
 * worker nodes (`backtest worker`, WORKERS=1, JOB_LOCK_MS=5000), one PostgreSQL database and one
 * Redis, every one a real process on loopback (test/support/cluster.ts). What the issue accepts:
 * a run started on A and watched on B streams every fill once; a 64-combination sweep spreads over
 * both nodes with every combination's metrics equal to a single run's; cancel through B; kill -9 of
 * a worker node mid-run (FAILED with LOST_NODE_ERROR, the documented rule) and mid-sweep (the chunk
 * is handed out again, the sweep completes); kill -9 of A under a subscriber, which resumes on B with
 * afterSeq; a Redis restart, after which runs and sweeps work again without a manual step.
 *
 * Second implementations: the SPX reference file (shared/reference, computed outside this code)
 * for the reference run; for the sweep, each combination run in this process by the engine's plain
 * runBacktest on the synthetic AAA bars as the demo seeder generates them (no storage, no Piscina,
 * no BullMQ, not the sweep worker's reused Backtest), and single runs through the cluster.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RUNS_QUEUE, runJobId, SWEEP_CHUNKS_QUEUE } from '../src/cluster/cluster-keys.js';
import { LOST_NODE_ERROR } from '../src/cluster/worker-node.js';
import { ORPHANED_SWEEP_ERROR } from '../src/cluster/cluster-jobs.js';
import { demoWrites, SYNTHETIC_DATASET } from '../src/data/demo.js';
import { PERIODS_PER_YEAR, runBacktest, smaCrossover, validateStrategyParams, type BarSeries, type RunMetrics } from '../src/engine/index.js';
import { startCluster, type ApiProcess, type Cluster, type WorkerProcess } from './support/cluster.js';
import { requirePostgres } from './support/postgres-server.js';
import { requireRedis } from './support/redis-server.js';
import { loadReference, type ReferenceFile } from './support/sp500.js';
import { allFills, FILL_FIELDS, FIXTURE_STRATEGIES, waitFor, wsClient, type FillView } from './support/test-server.js';

const METRICS = 'finalEquity totalReturn cagr volatility sharpe sortino maxDrawdown maxDrawdownDuration trades winRate profitFactor totalCommission exposure';
const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }`;
const RUN_SWEEP = `mutation($input: RunSweepInput!) { runSweep(input: $input) { id status total skipped } }`;
const RUN = `query($id: ID!) { run(id: $id) { id status progress error metrics { ${METRICS} } fills { totalCount } } }`;
const SWEEP = `query($id: ID!) { sweep(id: $id) { id status error total completed failed skipped progress
  results(first: 100, orderBy: GRID) { totalCount edges { node { params metrics { ${METRICS} } } } } } }`;
const RUN_FILLS = `subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`;
const RUN_STATUS = `subscription($id: ID!) { runStatus(id: $id) { status progress barsProcessed } }`;
const RUN_UPDATES = `subscription($id: ID!, $afterSeq: Int) { runUpdates(id: $id, afterSeq: $afterSeq) {
  seq status progress fills { ${FILL_FIELDS} } latestEquity { equity } } }`;

/** Generous bounds: the machine has 2 cores shared with other test files. */
const WAIT_MS = 60_000;
/** Short, so a dead node's job moves on within seconds; locks are renewed every half of it, so a loaded machine does not lose them. */
const JOB_LOCK_MS = 5_000;

const ref = loadReference();
/** The README's reference run: sma-crossover 50/200 qty 10 on demo SPX DAY, commission 0.005/unit min 1, 100,000. */
const REFERENCE_INPUT = ref.input;
/** About a million minute bars and tens of thousands of fills: seconds on one worker thread. */
const LONG_INPUT = {
  strategy: 'sma-crossover',
  dataset: SYNTHETIC_DATASET,
  symbols: ['AAA', 'BBB', 'CCC', 'DDD'],
  period: 'MINUTE',
  params: { fastPeriod: 5, slowPeriod: 20, quantity: 10 },
  initialCash: 100_000,
};
/**
 * The `slow` fixture (test/fixtures/strategies): a fixed wall time per bar, slept rather than
 * computed, so the run lasts ~20 s whatever the load and a cancel lands long before its end (the
 * run above computes in ~2 s on an idle machine, too close to a cancel's round trip).
 */
const SLOW_INPUT = {
  strategy: 'slow',
  dataset: SYNTHETIC_DATASET,
  symbols: ['AAA', 'BBB', 'CCC', 'DDD'],
  period: 'MINUTE',
  params: { microsPerBar: 20, tradeEvery: 1000 },
};
const SWEEP_BASE = {
  strategy: 'sma-crossover',
  dataset: SYNTHETIC_DATASET,
  symbols: ['AAA'],
  period: 'MINUTE',
  params: { quantity: 10 },
  initialCash: 100_000,
  commission: { perUnit: 0.005, minimumPerOrder: 1 },
};
/** 8 x 8 = 64 combinations, none skipped (every fastPeriod < every slowPeriod). */
const GRID = { fastPeriod: { min: 5, max: 40, step: 5 }, slowPeriod: { min: 50, max: 225, step: 25 } };
const SWEEP_INPUT = { ...SWEEP_BASE, grid: GRID, keepTop: 0 };

interface UpdateView {
  seq: number;
  status: string;
  progress: number;
  fills: FillView[];
  latestEquity: { equity: number } | null;
}
interface SweepResultView {
  params: { fastPeriod: number; slowPeriod: number; quantity: number };
  metrics: RunMetrics;
}

function expectRelClose(actual: number, expected: number, rel: number, what: string): void {
  expect(Math.abs(actual - expected) / Math.abs(expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

/** The reference file's fills (dates, sides, quantities, exact market prices, commissions). */
function expectReferenceFills(fills: readonly FillView[], reference: ReferenceFile): void {
  expect(fills.map((f) => `${f.time} ${f.side} ${f.quantity} ${f.price}`)).toEqual(
    reference.fills.map((f) => `${f.date}T00:00:00.000Z ${f.side} ${f.quantity} ${f.price}`),
  );
  fills.forEach((f, i) => expectRelClose(f.commission, reference.fills[i]!.commission, reference.tolerance.money_relative, `fill ${i} commission`));
}

/** Seqs strictly increasing: nothing repeated, in order. */
function expectIncreasingSeqs(updates: readonly UpdateView[]): void {
  for (let i = 1; i < updates.length; i++) expect(updates[i]!.seq, `update ${i}`).toBeGreaterThan(updates[i - 1]!.seq);
}

/** The synthetic AAA minute bars exactly as the demo seeder writes them (same generator, same seed). */
function syntheticAaa(): BarSeries {
  for (const write of demoWrites()) if (write.dataset === SYNTHETIC_DATASET && write.symbol === 'AAA') return write.series;
  throw new Error('the demo data has no synthetic AAA series');
}

/** One combination run in this process by the engine's runBacktest; undefined statistics (non-finite) as null, as the API has them. */
function inProcessMetrics(bars: BarSeries, fastPeriod: number, slowPeriod: number): RunMetrics {
  const checked = validateStrategyParams(smaCrossover, { ...SWEEP_BASE.params, fastPeriod, slowPeriod });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const { metrics } = runBacktest({
    series: [bars],
    strategy: smaCrossover,
    params: checked.values,
    initialCash: SWEEP_BASE.initialCash,
    commission: { ...SWEEP_BASE.commission, percentOfNotional: 0 },
    slippage: 0,
    periodsPerYear: PERIODS_PER_YEAR.MINUTE,
  });
  const out: Record<string, number | null> = { ...metrics };
  for (const k of ['cagr', 'volatility', 'sharpe', 'sortino', 'winRate', 'profitFactor']) if (!Number.isFinite(out[k])) out[k] = null;
  return out as unknown as RunMetrics;
}

const comboKey = (fast: number, slow: number) => `${fast}/${slow}`;

describe.runIf([requirePostgres(), requireRedis()].every(Boolean))('two API instances and two worker nodes on PostgreSQL, Redis and BullMQ', () => {
  let cluster: Cluster;
  /** Instance A; replaced by a new instance after the test that kills it. */
  let a: ApiProcess;
  let b: ApiProcess;
  /** The first sweep's metrics by fastPeriod/slowPeriod: what the sweep after a node's death must give again. */
  let sweepMetrics: Map<string, RunMetrics> | undefined;

  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 2, jobLockMs: JOB_LOCK_MS, env: { STRATEGIES_DIR: FIXTURE_STRATEGIES } });
    [a, b] = cluster.apis() as [ApiProcess, ApiProcess];
  }, 400_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      console.error(`cluster output (tails):\n${cluster.processes.map((p) => `----- ${p.label} (pid ${p.pid}${p.alive() ? '' : ', ended'}) -----\n${p.output().slice(-4000)}`).join('\n')}`);
    });
  });

  async function startRun(api: ApiProcess, input: object): Promise<string> {
    return (await api.gqlOk<{ runBacktest: { id: string } }>(RUN_BACKTEST, { input })).runBacktest.id;
  }

  async function waitRunEnded(api: ApiProcess, id: string, timeoutMs = WAIT_MS) {
    return waitFor(
      async () => {
        const { run } = await api.gqlOk<{ run: any }>(RUN, { id });
        return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.status) ? run : null;
      },
      { timeoutMs, intervalMs: 100, what: `run ${id} to end` },
    );
  }

  async function waitSweepEnded(api: ApiProcess, id: string, timeoutMs = 120_000) {
    return waitFor(
      async () => {
        const { sweep } = await api.gqlOk<{ sweep: any }>(SWEEP, { id });
        return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(sweep.status) ? sweep : null;
      },
      { timeoutMs, intervalMs: 200, what: `sweep ${id} to end` },
    );
  }

  /** No run or sweep left QUEUED or RUNNING anywhere (asked of `api`; all instances share the database). */
  async function expectNothingActive(api: ApiProcess): Promise<void> {
    const d = await api.gqlOk<any>(`{ running: runs(status: RUNNING) { totalCount } queued: runs(status: QUEUED) { totalCount }
      sweeps(first: 100) { edges { node { id status } } } }`);
    expect(d.running.totalCount).toBe(0);
    expect(d.queued.totalCount).toBe(0);
    expect(d.sweeps.edges.filter((e: any) => e.node.status === 'RUNNING' || e.node.status === 'QUEUED')).toEqual([]);
  }

  /** The worker node holding the active BullMQ job matching `match`, once there is one. */
  async function nodeHolding(queueName: string, match: (job: { id?: string; data: any }) => boolean): Promise<{ worker: WorkerProcess; jobId: string }> {
    const queue = cluster.queue(queueName);
    return waitFor(
      async () => {
        for (const job of await queue.getActive()) {
          if (!match(job) || !job.processedBy) continue;
          const worker = cluster.workers().find((w) => w.nodeName === job.processedBy);
          if (!worker) throw new Error(`job ${job.id} is processed by ${job.processedBy}, not a worker node of this cluster (${cluster.workers().map((w) => w.nodeName).join(', ')})`);
          return { worker, jobId: job.id! };
        }
        return null;
      },
      { timeoutMs: WAIT_MS, intervalMs: 20, what: `an active job in ${queueName}` },
    );
  }

  it('streams every fill of a run started on A exactly once, in order, to watchers on B over WebSocket and SSE', async () => {
    const id = await startRun(a, REFERENCE_INPUT);
    // Opened on B only after A answered.
    const [ws, sse] = await Promise.all([
      b.subscribe<{ runFills: FillView }>(RUN_FILLS, { id }, { timeoutMs: WAIT_MS }),
      b.subscribeSse<{ runUpdates: UpdateView }>(RUN_UPDATES, { id }, { timeoutMs: WAIT_MS }),
    ]);
    expect(ws.errors).toEqual([]);
    expect(sse.errors).toEqual([]);

    const stored = await allFills(b.gqlOk, id);
    expect(stored.totalCount).toBe(ref.fills.length);
    expectReferenceFills(stored.fills, ref);

    const wsFills = ws.events.map((e) => e.runFills);
    expect(wsFills).toEqual(stored.fills);

    const updates = sse.events.map((e) => e.runUpdates);
    expectIncreasingSeqs(updates);
    expect(updates.flatMap((u) => u.fills)).toEqual(stored.fills);
    const last = updates[updates.length - 1]!;
    expect(last.status).toBe('COMPLETED');
    expectRelClose(last.latestEquity!.equity, ref.metrics.finalEquity!, ref.tolerance.money_relative, 'final equity streamed on B');

    // Both instances read the same stored result.
    for (const api of [a, b]) {
      const { run } = await api.gqlOk<{ run: any }>(RUN, { id });
      expect(run.status).toBe('COMPLETED');
      expectRelClose(run.metrics.finalEquity, ref.metrics.finalEquity!, ref.tolerance.money_relative, `finalEquity on ${api.label}`);
      expect(run.metrics.trades).toBe(ref.metrics.trades);
    }
  }, 120_000);

  it('spreads a 64-combination sweep started on A over both worker nodes, each combination equal to a single run', async () => {
    const { runSweep } = await a.gqlOk<{ runSweep: any }>(RUN_SWEEP, { input: SWEEP_INPUT });
    expect(runSweep).toMatchObject({ total: 64, skipped: 0 });
    const sweep = await waitSweepEnded(a, runSweep.id);
    expect(sweep).toMatchObject({ status: 'COMPLETED', error: null, total: 64, completed: 64, failed: 0, progress: 1 });
    const results: SweepResultView[] = sweep.results.edges.map((e: any) => e.node);
    expect(results).toHaveLength(64);
    expect(new Set(results.map((r) => comboKey(r.params.fastPeriod, r.params.slowPeriod))).size).toBe(64);

    // Both nodes ran chunks, and the chunks hold every combination once.
    const chunks = (await cluster.queue(SWEEP_CHUNKS_QUEUE).getCompleted(0, -1)).filter((j) => j.data.sweepId === Number(runSweep.id));
    const nodes = cluster.workers().map((w) => w.nodeName);
    expect(nodes).toHaveLength(2);
    expect(new Set(chunks.map((j) => j.processedBy))).toEqual(new Set(nodes));
    const seqs = chunks.flatMap((j) => j.data.combinations.map((c: { seq: number }) => c.seq)).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 64 }, (_, i) => seqs[0]! + i));

    // A sample as single runs through the cluster: exactly the sweep's metrics.
    const byKey = new Map(results.map((r) => [comboKey(r.params.fastPeriod, r.params.slowPeriod), r.metrics]));
    const sample = [[5, 50], [40, 225], [20, 125], [35, 100]] as const;
    const singleIds = await Promise.all(sample.map(([fastPeriod, slowPeriod]) => startRun(a, { ...SWEEP_BASE, params: { ...SWEEP_BASE.params, fastPeriod, slowPeriod } })));
    for (const [k, id] of singleIds.entries()) {
      const key = comboKey(sample[k]![0], sample[k]![1]);
      const run = await waitRunEnded(b, id);
      expect(run.status).toBe('COMPLETED');
      expect(run.metrics, `single run ${key}`).toEqual(byKey.get(key));
    }

    // Every combination against the engine's plain runBacktest in this process.
    const bars = syntheticAaa();
    expect(bars.length).toBe(250_000);
    for (const r of results) {
      expect(r.metrics, `combination ${comboKey(r.params.fastPeriod, r.params.slowPeriod)}`).toEqual(inProcessMetrics(bars, r.params.fastPeriod, r.params.slowPeriod));
    }
    sweepMetrics = byKey;
  }, 240_000);

  it('cancels through B a run that A started and a worker node runs: CANCELLED, partial fills kept', async () => {
    const id = await startRun(a, SLOW_INPUT);
    let sawFill!: () => void;
    const firstFill = new Promise<void>((resolve) => (sawFill = resolve));
    const watched = b.subscribe<{ runFills: FillView }>(RUN_FILLS, { id }, { timeoutMs: WAIT_MS, onNext: () => sawFill() });
    await firstFill;
    const { cancelBacktest } = await b.gqlOk<{ cancelBacktest: any }>(`mutation($id: ID!) { cancelBacktest(id: $id) { id status progress } }`, { id });
    expect(cancelBacktest.status).toBe('CANCELLED');
    const streamed = await watched;
    expect(streamed.errors).toEqual([]);

    for (const api of [a, b]) {
      const { run } = await api.gqlOk<{ run: any }>(RUN, { id });
      expect(run.status).toBe('CANCELLED');
      expect(run.progress).toBeLessThan(1);
      expect(run.fills.totalCount).toBeGreaterThan(0);
    }
    const stored = await allFills(a.gqlOk, id);
    expect(stored.totalCount).toBeGreaterThan(0);
    expect(streamed.events.map((e) => e.runFills)).toEqual(stored.fills);
    await expectNothingActive(b);
  }, 120_000);

  it('ends a run FAILED with the lost-node error when its worker node is killed mid-run; nothing stays RUNNING', async () => {
    const id = await startRun(a, LONG_INPUT);
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => (running = resolve));
    // A watcher on A: it must see the end however the run ends.
    const watched = a.subscribe<{ runStatus: { status: string; progress: number; barsProcessed: number } }>(RUN_STATUS, { id }, {
      timeoutMs: 2 * WAIT_MS,
      onNext: (d) => {
        if (d.runStatus.status === 'RUNNING' && d.runStatus.barsProcessed > 0) running();
      },
    });
    await isRunning;
    const { worker } = await nodeHolding(RUNS_QUEUE, (job) => job.id === runJobId(Number(id)));
    const killedAt = Date.now();
    expect(await worker.kill9()).toEqual({ code: null, signal: 'SIGKILL' });

    const run = await waitRunEnded(b, id, WAIT_MS);
    const endedWithin = Date.now() - killedAt;
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(LOST_NODE_ERROR);
    // The documented bound is about 1..2 x JOB_LOCK_MS; the wait allows for a loaded machine.
    expect(endedWithin).toBeLessThan(WAIT_MS);

    const status = await watched;
    expect(status.errors).toEqual([]);
    const events = status.events.map((e) => e.runStatus);
    expect(events[events.length - 1]!.status).toBe('FAILED');
    expect(events.filter((e) => e.status === 'COMPLETED')).toEqual([]);
    const onA = (await a.gqlOk<{ run: any }>(RUN, { id })).run;
    expect(onA).toMatchObject({ status: 'FAILED', error: LOST_NODE_ERROR });
    await expectNothingActive(a);

    const replacement = await cluster.startWorker();
    expect(cluster.workers().map((w) => w.nodeName)).toContain(replacement.nodeName);
    expect(cluster.workers()).toHaveLength(2);
  }, 180_000);

  it('completes a sweep with all 64 combinations when a worker node is killed mid-sweep (its chunk is handed out again)', async () => {
    expect(cluster.workers()).toHaveLength(2);
    const { runSweep } = await a.gqlOk<{ runSweep: any }>(RUN_SWEEP, { input: SWEEP_INPUT });
    const sweepId = Number(runSweep.id);
    const { worker, jobId } = await nodeHolding(SWEEP_CHUNKS_QUEUE, (job) => job.data.sweepId === sweepId);
    await worker.kill9();
    const survivor = cluster.workers();
    expect(survivor).toHaveLength(1);

    const sweep = await waitSweepEnded(b, runSweep.id);
    expect(sweep).toMatchObject({ status: 'COMPLETED', error: null, total: 64, completed: 64, failed: 0, progress: 1 });
    const results: SweepResultView[] = sweep.results.edges.map((e: any) => e.node);
    expect(results).toHaveLength(64);
    // The same metrics as the first sweep (itself checked against single runs), when that one ran.
    if (sweepMetrics) {
      for (const r of results) expect(r.metrics).toEqual(sweepMetrics.get(comboKey(r.params.fastPeriod, r.params.slowPeriod)));
    }
    // The chunk the dead node held was run again, by the survivor.
    const chunk = await cluster.queue(SWEEP_CHUNKS_QUEUE).getJob(jobId);
    expect(chunk?.finishedOn).toBeGreaterThan(0);
    expect(chunk?.processedBy).toBe(survivor[0]!.nodeName);
    await expectNothingActive(a);

    await cluster.startWorker();
    expect(cluster.workers()).toHaveLength(2);
  }, 240_000);

  it('lets a runUpdates subscriber on A resume on B with afterSeq when A is killed: no gap, no duplicate', async () => {
    const id = await startRun(a, LONG_INPUT);
    const before: UpdateView[] = [];
    let sawFills!: () => void;
    const firstFills = new Promise<void>((resolve) => (sawFills = resolve));
    const onA = a
      .subscribe<{ runUpdates: UpdateView }>(RUN_UPDATES, { id }, {
        timeoutMs: WAIT_MS,
        onNext: (d) => {
          before.push(d.runUpdates);
          if (d.runUpdates.fills.length > 0) sawFills();
        },
      })
      .then(
        () => 'completed' as const,
        () => 'cut' as const,
      );
    await firstFills;
    await a.kill9();
    expect(await onA).toBe('cut');
    expect(before[before.length - 1]!.status).not.toBe('COMPLETED');

    const lastSeq = before[before.length - 1]!.seq;
    const resumed = await b.subscribe<{ runUpdates: UpdateView }>(RUN_UPDATES, { id, afterSeq: lastSeq }, { timeoutMs: WAIT_MS });
    expect(resumed.errors).toEqual([]);
    const after = resumed.events.map((e) => e.runUpdates);
    const all = [...before, ...after];
    expectIncreasingSeqs(all);
    expect(all[all.length - 1]!.status).toBe('COMPLETED');

    const stored = await allFills(b.gqlOk, id, 2000);
    expect(stored.totalCount).toBeGreaterThan(1000);
    const streamed = all.flatMap((u) => u.fills);
    expect(streamed.length).toBe(stored.totalCount);
    expect(streamed).toEqual(stored.fills);

    a = await cluster.startApi();
    expect(cluster.apis()).toHaveLength(2);
  }, 180_000);

  it('lets a runUpdates subscriber resume with afterSeq on an instance that never followed the run, after the run ended', async () => {
    // A's subscriber leaves after some fills; B is asked only once the run has ended, so B holds no
    // positions of its own and rebuilds them from the run's event log in Redis.
    const id = await startRun(a, LONG_INPUT);
    const before: UpdateView[] = [];
    const client = wsClient(a.wsUrl);
    try {
      for await (const r of client.iterate<{ runUpdates: UpdateView }>({ query: RUN_UPDATES, variables: { id } })) {
        before.push(r.data!.runUpdates);
        if (r.data!.runUpdates.fills.length > 0) break; // unsubscribes
      }
    } finally {
      await client.dispose();
    }
    expect((await waitRunEnded(a, id)).status).toBe('COMPLETED');

    const lastSeq = before[before.length - 1]!.seq;
    const resumed = await b.subscribe<{ runUpdates: UpdateView }>(RUN_UPDATES, { id, afterSeq: lastSeq }, { timeoutMs: WAIT_MS });
    expect(resumed.errors).toEqual([]);
    const all = [...before, ...resumed.events.map((e) => e.runUpdates)];
    expectIncreasingSeqs(all);
    const stored = await allFills(b.gqlOk, id, 2000);
    const streamed = all.flatMap((u) => u.fills);
    expect(streamed.length).toBe(stored.totalCount);
    expect(streamed).toEqual(stored.fills);
  }, 180_000);

  it('cancels through B a sweep that A runs: CANCELLED, the finished combinations kept', async () => {
    const { runSweep } = await a.gqlOk<{ runSweep: any }>(RUN_SWEEP, { input: SWEEP_INPUT });
    await waitFor(
      async () => {
        const { sweep } = await b.gqlOk<{ sweep: any }>(SWEEP, { id: runSweep.id });
        return sweep.status === 'RUNNING' && sweep.completed > 0 ? sweep : null;
      },
      { timeoutMs: WAIT_MS, intervalMs: 50, what: 'the sweep to have results' },
    );
    const { cancelSweep } = await b.gqlOk<{ cancelSweep: { status: string } }>(`mutation($id: ID!) { cancelSweep(id: $id) { status } }`, { id: runSweep.id });
    expect(cancelSweep.status).toBe('CANCELLED');
    const { sweep } = await a.gqlOk<{ sweep: any }>(SWEEP, { id: runSweep.id });
    expect(sweep.status).toBe('CANCELLED');
    expect(sweep.completed).toBeGreaterThan(0);
    expect(sweep.completed).toBeLessThan(64);
    expect(sweep.results.edges).toHaveLength(sweep.completed);
    await expectNothingActive(b);
  }, 180_000);

  it('ends FAILED a sweep whose API instance is killed as soon as it answered runSweep (its heartbeats stop); B and its subscriber see the end', async () => {
    const { runSweep } = await a.gqlOk<{ runSweep: any }>(RUN_SWEEP, { input: SWEEP_INPUT });
    // At once: the instance has had no time for a periodic heartbeat, only the one before it answered.
    await a.kill9();
    const progress = b.subscribe<{ sweepProgress: { status: string; completed: number } }>(
      `subscription($id: ID!) { sweepProgress(id: $id) { status completed } }`,
      { id: runSweep.id },
      { timeoutMs: WAIT_MS },
    );
    const killedAt = Date.now();
    const ended = await waitSweepEnded(b, runSweep.id, WAIT_MS);
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe(ORPHANED_SWEEP_ERROR);
    expect(ended.results.edges).toHaveLength(ended.completed);
    // Within 2 x JOB_LOCK_MS of the last beat, plus a tick and this machine's slack.
    expect(Date.now() - killedAt).toBeLessThan(2 * JOB_LOCK_MS + 15_000);
    const seen = await progress;
    expect(seen.errors).toEqual([]);
    expect(seen.events.at(-1)!.sweepProgress.status).toBe('FAILED');
    await expectNothingActive(b);
    a = await cluster.startApi();
  }, 180_000);

  it('recovers from a Redis restart while idle: a run started on A and watched on B completes with every fill, and sweeps run again', async () => {
    await waitFor(
      async () => {
        await expectNothingActive(a);
        return true;
      },
      { timeoutMs: WAIT_MS, what: 'an idle cluster' },
    );
    await cluster.redis.restart();

    const id = await startRun(a, REFERENCE_INPUT);
    const ws = await b.subscribe<{ runFills: FillView }>(RUN_FILLS, { id }, { timeoutMs: WAIT_MS });
    expect(ws.errors).toEqual([]);
    const run = await waitRunEnded(b, id);
    expect(run.status).toBe('COMPLETED');
    const stored = await allFills(a.gqlOk, id);
    expectReferenceFills(stored.fills, ref);
    expect(ws.events.map((e) => e.runFills)).toEqual(stored.fills);
    expectRelClose(run.metrics.finalEquity, ref.metrics.finalEquity!, ref.tolerance.money_relative, 'finalEquity after the restart');

    // Sweep chunks go through BullMQ again: the reference scenario's sharpe among 4 combinations.
    const { runSweep } = await a.gqlOk<{ runSweep: any }>(RUN_SWEEP, {
      input: { ...REFERENCE_INPUT, params: { quantity: 10 }, grid: { fastPeriod: [10, 50], slowPeriod: [100, 200] }, keepTop: 0 },
    });
    const sweep = await waitSweepEnded(b, runSweep.id);
    expect(sweep).toMatchObject({ status: 'COMPLETED', completed: 4, failed: 0 });
    const reference = sweep.results.edges.map((e: any) => e.node).find((r: SweepResultView) => r.params.fastPeriod === 50 && r.params.slowPeriod === 200);
    expect(reference.metrics.sharpe).toBeCloseTo(ref.metrics.sharpe!, 9);
    await expectNothingActive(b);
  }, 180_000);
});
