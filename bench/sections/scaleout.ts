/**
 * Section `scaleout` (issue 14): worker nodes taking sweep chunks and runs from BullMQ.
 *
 * scaleout.speedup = t(1 node) / t(2 nodes): the 64-combination sma-crossover sweep of the sweep
 * section (8 fast x 8 slow periods, keepTop 0, 4 symbols x 250,000 minute bars), from the runSweep
 * mutation to the sweep stored COMPLETED, on one worker node and on two (each `backtest worker`
 * with WORKERS=1, a separate process running the compiled CLI). Goal >= 1.8 on 2 cores.
 *   Two clusters side by side rather than one whose second node is started and stopped: each has
 *   its own Redis, its own Postgres database (one server) and its own API instance (buildApp in this
 *   process with localWorker off: what `serve --no-worker` runs), cluster 1 one node, cluster 2 two.
 *   So every node stays up, warm (strategy loaded, bars in its thread's cache) for every round, and
 *   a node only appears in the round it works in; an idle node waits on a blocking Redis read and
 *   takes no CPU. A started-per-round node would charge its start-up and cold bar cache to the
 *   2-node rounds only. A warm-up sweep on each cluster first (repeated until both nodes of cluster
 *   2 took chunks), then rounds interleaved, minimum of each.
 * scaleout.twoNodesMinShare: in the timed 2-node sweeps, the share of the combinations run by the
 *   node that ran fewer (0.5 = even; from the chunk jobs' processedBy).
 * scaleout.cpuRatio: CPU time (user + system, /proc) the worker processes spent on the timed 2-node
 *   sweeps over what the single node spent on as many 1-node sweeps. About 1: sharing a sweep costs
 *   the nodes no extra work, so a speedup short of 2 is time the nodes waited (for a core on a busy
 *   machine, for chunks) rather than work. Linux only (left out without /proc).
 * scaleout.e2eRatio = scaleout.e2eRunMs / scaleout.sqliteRunMs: the e2e run (runBacktest over
 *   1,000,000 minute bars, mutation to COMPLETED with results stored: service-fixture's runToEnd) on
 *   cluster 1 (Postgres + Redis, the run on its worker node) against the in-process default (SQLite,
 *   the pool in the API process), rounds interleaved after a warm-up run each, minimum of 3.
 * scaleout.loadAverage: the 1-minute load average when the section ends (the machine is shared).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { QUEUE_PREFIX, redisOptions, SWEEP_CHUNKS_QUEUE } from '../../src/cluster/cluster-keys.js';
import type { SweepChunkJobData } from '../../src/cluster/run-job.js';
import { openStorage } from '../../src/data/open-storage.js';
import { generateSyntheticBars } from '../../src/data/synthetic.js';
import { buildApp, type App } from '../../src/server.js';
import type { BenchSection } from '../figure.js';
import { E2E_BARS, runToEnd, startService, type ServiceFixture } from '../service-fixture.js';
import { createDatabase, missingReason as postgresMissing, startPostgres } from '../../test/support/postgres-server.js';
import { missingReason as redisMissing, startRedis, type RedisServer } from '../../test/support/redis-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'backtest.js');

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const BARS = 250_000;
// 8 fast x 8 slow periods = 64 combinations, none skipped (every fast < every slow).
const GRID = { fastPeriod: { min: 5, max: 40, step: 5 }, slowPeriod: { min: 50, max: 225, step: 25 } };
const COMBINATIONS = 64;
const SWEEP_INPUT = { strategy: 'sma-crossover', dataset: 'bench', symbols: SYMBOLS, period: 'MINUTE', grid: GRID, keepTop: 0 };
const RUN_SWEEP = `mutation($input: RunSweepInput!) { runSweep(input: $input) { id } }`;
const SWEEP_STATUS = `query($id: ID!) { sweep(id: $id) { status completed failed } }`;
const RUN_STATUS = `query($id: ID!) { run(id: $id) { status barsProcessed } }`;

const ROUNDS = 3;
const MAX_WARM_UPS = 3;
const NODE_READY_TIMEOUT_MS = 60_000;
const NODE_STOP_TIMEOUT_MS = 20_000;

/** A `backtest worker` process. */
interface WorkerProcess {
  /** CPU time (user + system) the process has used so far; NaN without /proc. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** One API instance (in this process, no local worker) with its own Redis and database, and its worker nodes. */
interface Cluster extends ServiceFixture {
  readonly redis: RedisServer;
  /** CPU time its worker processes have used so far, together. */
  workersCpuMs(): number;
  /** Combinations each node ran in the given sweeps, by the node's BullMQ name (host:pid). */
  combinationsByNode(sweepIds: readonly number[]): Promise<Map<string, number>>;
}

/** The bin runs dist/: built first when a source is newer (scripts/build.mjs locks, so it builds once). */
function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-outdated'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the build failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
}

async function writeBenchBars(databaseUrl: string, withE2eSymbol: boolean): Promise<void> {
  const storage = await openStorage({ kind: 'postgres', url: databaseUrl });
  try {
    for (const [k, symbol] of SYMBOLS.entries()) {
      await storage.writeBars({ dataset: 'bench', symbol, period: 'MINUTE', series: generateSyntheticBars({ symbol, bars: BARS, period: 'MINUTE', seed: 20 + k }) });
    }
    // The e2e symbol, as service-fixture writes it.
    if (withE2eSymbol) await storage.writeBars({ dataset: 'bench', symbol: 'X', period: 'MINUTE', series: generateSyntheticBars({ symbol: 'X', bars: E2E_BARS, period: 'MINUTE', seed: 3 }) });
  } finally {
    await storage.close();
  }
}

/** Clock ticks per second of /proc/<pid>/stat's times. */
let clockTicks: number | undefined;

/** utime + stime of a process in ms (fields 14 and 15 of /proc/<pid>/stat); NaN where there is no /proc. */
function processCpuMs(pid: number): number {
  try {
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    // After the command name, which may hold spaces: field 3 (state) onwards.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return NaN;
  }
}

/** Starts `backtest worker` (compiled) with one thread; resolves once it says it is ready. */
function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env: { ...process.env, ...env, WORKERS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: string) => {
    log = (log + chunk).slice(-8192);
  };
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Killed with this process if stop() was never reached.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), NODE_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the worker node was not ready after ${NODE_READY_TIMEOUT_MS} ms:\n${log}`));
    }, NODE_READY_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      keep(chunk);
      if (/backtest worker node \S+ ready: 1 thread/.test(log)) {
        clearTimeout(timer);
        resolve({ stop, cpuMs: () => processCpuMs(child.pid!) });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the worker node exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log}`));
    });
  });
}

async function startCluster(serverUrl: string, nodes: number, dir: string, withE2eSymbol: boolean): Promise<Cluster> {
  const redis = await startRedis();
  const workers: WorkerProcess[] = [];
  let built: App | undefined;
  let chunkQueue: Queue<SweepChunkJobData> | undefined;
  const close = async () => {
    await built?.stop();
    await chunkQueue?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  };
  try {
    const database = await createDatabase(serverUrl);
    await writeBenchBars(database.url, withE2eSymbol);
    const strategiesDir = join(dir, 'none');
    for (let k = 0; k < nodes; k++) workers.push(await startWorkerProcess({ REDIS_URL: redis.url, DATABASE_URL: database.url, STRATEGIES_DIR: strategiesDir }));
    built = await buildApp({ port: 0, databaseUrl: database.url, cluster: { redisUrl: redis.url, lockMs: 30_000 }, localWorker: false, seedDemo: false, strategiesDir, log: () => {} });
    const { url } = await built.start();
    chunkQueue = new Queue<SweepChunkJobData>(SWEEP_CHUNKS_QUEUE, { connection: redisOptions(redis.url, 'bench-scaleout'), prefix: QUEUE_PREFIX });
    const queue = chunkQueue;
    const app = built;
    return {
      built: app,
      url,
      redis,
      gql: (query, variables) => gql(url, query, variables),
      wsClient() {
        throw new Error('no WebSocket client in the scaleout section');
      },
      close,
      workersCpuMs: () => workers.reduce((sum, w) => sum + w.cpuMs(), 0),
      async combinationsByNode(sweepIds) {
        const wanted = new Set(sweepIds);
        const byNode = new Map<string, number>();
        for (const job of await queue.getJobs(['completed'], 0, -1)) {
          if (!wanted.has(job.data.sweepId)) continue;
          const node = job.processedBy ?? '?';
          byNode.set(node, (byNode.get(node) ?? 0) + job.data.combinations.length);
        }
        return byNode;
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function gql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as T;
}

/** One sweep from the mutation to its stored end (the API instance runs it in this process), and the CPU time its worker nodes spent meanwhile. */
async function timeSweep(c: Cluster): Promise<{ ms: number; cpuMs: number; sweepId: number }> {
  const cpu0 = c.workersCpuMs();
  const t0 = performance.now();
  const { runSweep } = await c.gql<{ runSweep: { id: string } }>(RUN_SWEEP, { input: SWEEP_INPUT });
  const sweepId = Number(runSweep.id);
  // Resolves after the final status is stored (sweep-manager.ts end()).
  await c.built.sweeps.activeSweep(sweepId)?.finished;
  const ms = performance.now() - t0;
  const cpuMs = c.workersCpuMs() - cpu0;
  const { sweep } = await c.gql<{ sweep: { status: string; completed: number; failed: number } }>(SWEEP_STATUS, { id: runSweep.id });
  if (sweep.status !== 'COMPLETED' || sweep.completed !== COMBINATIONS) throw new Error(`sweep ${sweepId} ended ${sweep.status} with ${sweep.completed} of ${COMBINATIONS} combinations (${sweep.failed} failed)`);
  return { ms, cpuMs, sweepId };
}

async function timeRun(s: ServiceFixture): Promise<number> {
  const t0 = performance.now();
  const { id, finished } = await runToEnd(s);
  const ms = (await finished) - t0;
  const { run } = await s.gql<{ run: { status: string; barsProcessed: number } }>(RUN_STATUS, { id });
  if (run.status !== 'COMPLETED' || run.barsProcessed !== E2E_BARS) throw new Error(`run ${id} ended ${run.status} after ${run.barsProcessed} bars`);
  return ms;
}

export const run: BenchSection = async () => {
  const missing = postgresMissing() ?? redisMissing();
  if (missing !== null) throw new Error(`section scaleout: ${missing}`);
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'backtest-scaleout-'));
  const server = await startPostgres();
  let one: Cluster | undefined;
  let two: Cluster | undefined;
  let onSqlite: ServiceFixture | undefined;
  try {
    one = await startCluster(server.url, 1, dir, true);
    two = await startCluster(server.url, 2, dir, false);

    // Warm-up: every node has loaded the strategy and the bars (its thread's cache) before timing.
    await timeSweep(one);
    for (let k = 0; ; k++) {
      const { sweepId } = await timeSweep(two);
      if ((await two.combinationsByNode([sweepId])).size === 2) break;
      if (k + 1 >= MAX_WARM_UPS) throw new Error(`one worker node of the 2-node cluster took no chunk in ${MAX_WARM_UPS} warm-up sweeps`);
    }
    let oneMs = Infinity;
    let twoMs = Infinity;
    let oneCpuMs = 0;
    let twoCpuMs = 0;
    const twoNodeSweeps: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await timeSweep(one);
      const b = await timeSweep(two);
      oneMs = Math.min(oneMs, a.ms);
      twoMs = Math.min(twoMs, b.ms);
      oneCpuMs += a.cpuMs;
      twoCpuMs += b.cpuMs;
      twoNodeSweeps.push(b.sweepId);
    }
    const byNode = [...(await two.combinationsByNode(twoNodeSweeps)).values()];
    const minShare = byNode.length < 2 ? 0 : Math.min(...byNode) / (COMBINATIONS * twoNodeSweeps.length);
    await two.close();
    two = undefined;

    // The e2e run: cluster 1 (its single node runs it) against the in-process SQLite service.
    onSqlite = await startService();
    await timeRun(one);
    await timeRun(onSqlite);
    let clusterRunMs = Infinity;
    let sqliteRunMs = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      clusterRunMs = Math.min(clusterRunMs, await timeRun(one));
      sqliteRunMs = Math.min(sqliteRunMs, await timeRun(onSqlite));
    }
    const cpuRatio = twoCpuMs / oneCpuMs;
    return [
      { name: 'scaleout.oneNodeMs', value: oneMs, unit: 'ms' },
      { name: 'scaleout.twoNodesMs', value: twoMs, unit: 'ms' },
      { name: 'scaleout.speedup', value: oneMs / twoMs, unit: 'ratio' },
      { name: 'scaleout.twoNodesMinShare', value: minShare, unit: 'ratio' },
      ...(Number.isFinite(cpuRatio) ? [{ name: 'scaleout.cpuRatio', value: cpuRatio, unit: 'ratio' }] : []),
      { name: 'scaleout.e2eRunMs', value: clusterRunMs, unit: 'ms' },
      { name: 'scaleout.sqliteRunMs', value: sqliteRunMs, unit: 'ms' },
      { name: 'scaleout.e2eRatio', value: clusterRunMs / sqliteRunMs, unit: 'ratio' },
      { name: 'scaleout.loadAverage', value: loadavg()[0]!, unit: 'load' },
    ];
  } finally {
    await onSqlite?.close();
    await two?.close();
    await one?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
