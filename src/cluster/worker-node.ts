/**
 * A worker node (`backtest worker`, or inside `backtest serve` unless --no-worker): Piscina threads
 * taking backtests and sweep chunks from BullMQ. A run's events go to its Redis stream
 * (run-event-log.ts) and its outcome to the shared storage; a chunk's metrics go back as the job's
 * result to the API instance running the sweep.
 *
 * Failure rule (docs/CONVENTIONS.md, "Worker nodes"): a node that dies loses its jobs' locks;
 * BullMQ hands a stalled job out again after JOB_LOCK_MS. A sweep chunk is simply run again (its
 * metrics are deterministic and were not stored). A run is not: its fills were already streamed to
 * subscribers, so the node that gets it again finds it RUNNING and ends it FAILED, saying so.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Piscina } from 'piscina';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import type { RunOutcome } from '../data/run-outcome-store.js';
import { defaultWorkers } from '../jobs/job-manager.js';
import type { StatusSnapshot } from '../jobs/run-events.js';
import { startPoolRun } from '../workers/pool-run.js';
import type { StoredSweepChunkTask, SweepChunkOutcome } from '../workers/sweep.worker.js';
import { POOL_ENTRY } from '../workers/thread-entries.js';
import { nodeNameOf, QUEUE_PREFIX, redisOptions, RUNS_QUEUE, SWEEP_CHUNKS_QUEUE } from './cluster-keys.js';
import { ControlChannel } from './control-channel.js';
import { RunEventWriter } from './run-event-log.js';
import type { RunJobData, SweepChunkJobData } from './run-job.js';

export interface WorkerNodeOptions {
  readonly storage: Storage;
  readonly redisUrl: string;
  readonly strategiesDir: string;
  /** Pool threads; default WORKERS or the number of cores. */
  readonly workers?: number;
  /** How long a job's lock lasts without renewal: a dead node's jobs are handed out again after about this long (default 30 s). */
  readonly lockMs?: number;
  readonly progressIntervalMs?: number;
  readonly barCacheBytes: number;
  readonly log?: (line: string) => void;
  /** The node's name in BullMQ (jobs' processedBy), before `/<threads>`; default host:pid. */
  readonly name?: string;
}

export interface WorkerNode {
  readonly threads: number;
  readonly name: string;
  /** Stops taking jobs, lets the running ones finish, closes everything. */
  close(): Promise<void>;
}

/** What a run found RUNNING when its job is handed out again ends with. */
export const LOST_NODE_ERROR = 'the worker node running it stopped (its job lock expired); a run is not retried, because its fills were already streamed';

export async function startWorkerNode(o: WorkerNodeOptions): Promise<WorkerNode> {
  const threads = o.workers ?? defaultWorkers();
  const nodeName = nodeNameOf(o.name ?? `${hostname()}:${process.pid}`, threads);
  const log = o.log ?? ((line: string) => console.error(line));
  const lockMs = o.lockMs ?? 30_000;
  const pool = new Piscina({ filename: POOL_ENTRY, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  const writerConnection = new Redis(redisOptions(o.redisUrl, 'backtest-worker-events'));
  writerConnection.on('error', () => {});
  const events = new RunEventWriter(writerConnection);
  const control = new ControlChannel(o.redisUrl, 'worker', log);
  /** Cancel flags of what runs here: runs by id, sweeps by id (shared by their chunks). */
  const runFlags = new Map<number, Int32Array>();
  const sweepFlags = new Map<number, { flag: Int32Array; chunks: number }>();
  control.listen((m) => {
    const flag = m.kind === 'cancel-run' ? runFlags.get(m.runId) : sweepFlags.get(m.sweepId)?.flag;
    if (flag) Atomics.store(flag, 0, 1);
  });
  await control.ready();

  const endRun = async (runId: number, record: RunRecord | null, simTime: number | null) => {
    const final: StatusSnapshot = record
      ? { status: record.status, progress: record.progress, barsProcessed: record.barsProcessed, simTime }
      : { status: 'CANCELLED', progress: 0, barsProcessed: 0, simTime }; // deleted meanwhile
    await events.append(runId, { kind: 'end', ...final });
  };

  const runBacktest = async (job: Job<RunJobData>): Promise<void> => {
    const d = job.data;
    if (await control.isCancelled('run', d.runId)) await o.storage.cancelQueuedRun(d.runId, null);
    if (!(await o.storage.markRunStarted(d.runId))) {
      const stored = await o.storage.getRun(d.runId);
      // RUNNING here means a node took it before and stopped: the documented failure rule.
      const record = stored?.status === 'RUNNING' ? await o.storage.storeFailure(d.runId, LOST_NODE_ERROR, stored.progress) : stored;
      await endRun(d.runId, record, null);
      return;
    }
    const flag = new Int32Array(new SharedArrayBuffer(4));
    runFlags.set(d.runId, flag);
    try {
      if (await control.isCancelled('run', d.runId)) Atomics.store(flag, 0, 1); // asked between the check above and now
      let state = { progress: 0, barsProcessed: 0, simTime: null as number | null };
      void events.append(d.runId, { kind: 'status', status: 'RUNNING', ...state }).catch(() => {});
      const run = startPoolRun(
        pool,
        {
          runId: d.runId,
          run: d.run,
          from: d.from,
          to: d.to,
          storage: o.storage.config,
          strategiesDir: o.strategiesDir,
          cancelFlag: flag,
          progressIntervalMs: o.progressIntervalMs ?? 200,
          maxBars: d.maxBars,
          maxFills: d.maxFills,
          barCacheBytes: o.barCacheBytes,
        },
        (m) => {
          if (m.kind === 'progress') state = { progress: m.progress, barsProcessed: m.barsProcessed, simTime: m.simTime };
          // Commands on one connection keep their order; the end below waits for all of them.
          events.append(d.runId, m).catch((e: unknown) => log(`run ${d.runId}: an event could not be written to Redis: ${message(e)}`));
        },
        () => state,
      );
      const outcome = await run.outcome;
      await endRun(d.runId, await storeOutcome(o.storage, d.runId, outcome, log), state.simTime);
    } catch (e) {
      // Storage or Redis refused for good: the run must not stay RUNNING if it can be helped.
      log(`run ${d.runId}: ${message(e)}`);
      await endRun(d.runId, await o.storage.storeFailure(d.runId, `the worker node could not finish it: ${message(e)}`), null);
    } finally {
      runFlags.delete(d.runId);
    }
  };

  const runChunk = async (job: Job<SweepChunkJobData>): Promise<SweepChunkOutcome[]> => {
    const d = job.data;
    if (await control.isCancelled('sweep', d.sweepId)) return [];
    let held = sweepFlags.get(d.sweepId);
    if (!held) sweepFlags.set(d.sweepId, (held = { flag: new Int32Array(new SharedArrayBuffer(4)), chunks: 0 }));
    held.chunks++;
    try {
      const { bars, ...settings } = d.spec;
      const task: StoredSweepChunkTask = { ...settings, bars, combinations: d.combinations, strategiesDir: o.strategiesDir, cancelFlag: held.flag, storage: o.storage.config, barCacheBytes: o.barCacheBytes };
      return (await pool.run(task, { name: 'runStoredSweepChunk' })) as SweepChunkOutcome[];
    } finally {
      if (--held.chunks === 0) sweepFlags.delete(d.sweepId);
    }
  };

  const workerOptions = (connectionName: string) => ({
    connection: redisOptions(o.redisUrl, connectionName),
    prefix: QUEUE_PREFIX,
    // Recorded on each job (processedBy): which node ran what.
    name: nodeName,
    concurrency: threads,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 1,
  });
  const workers = [
    new Worker<RunJobData>(RUNS_QUEUE, runBacktest, workerOptions('backtest-worker-runs')),
    new Worker<SweepChunkJobData>(SWEEP_CHUNKS_QUEUE, runChunk, workerOptions('backtest-worker-chunks')),
  ];
  for (const w of workers) {
    w.on('error', (e) => log(`worker node: ${message(e)}`));
    w.on('failed', (job, e) => log(`worker node: job ${job?.id ?? '?'} failed: ${message(e)}`));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  return {
    threads,
    name: nodeName,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await control.close();
      await writerConnection.quit().catch(() => {});
      await pool.destroy();
    },
  };
}

/** The outcome stored; when it cannot be, FAILED saying why (a few tries); null when the run was deleted. */
async function storeOutcome(storage: Storage, runId: number, outcome: RunOutcome, log: (line: string) => void): Promise<RunRecord | null> {
  try {
    return await storage.storeOutcome(runId, outcome);
  } catch (e) {
    const error = `the results could not be stored: ${message(e)}`;
    log(`run ${runId}: ${error}`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await storage.storeFailure(runId, error, outcome.progress);
      } catch (again) {
        if (attempt >= 5) throw again;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
