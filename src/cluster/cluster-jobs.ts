/**
 * The service's runs and sweeps with REDIS_URL: the queued job manager, sweeps whose progress
 * travels through Redis to every API instance, cancels of sweeps asked for on another instance,
 * and (unless `serve --no-worker`) a worker node in this process.
 */
import type { Storage } from '../data/storage.js';
import { barCacheBytesFromEnv } from '../jobs/bar-cache-size.js';
import { redisEventTarget, type EventTransport } from '../jobs/redis-event-target.js';
import { SweepManager } from '../jobs/sweep-manager.js';
import type { ClusterEnv } from './cluster-env.js';
import { SweepHeartbeats } from './sweep-heartbeats.js';
import { QueuedJobManager } from './queued-job-manager.js';
import { startWorkerNode, type WorkerNode } from './worker-node.js';

export interface ClusterJobsOptions {
  readonly storage: Storage;
  readonly cluster: ClusterEnv;
  readonly strategiesDir: string;
  readonly workers?: number;
  readonly localWorker: boolean;
  readonly progressIntervalMs?: number;
  readonly log: (line: string) => void;
}

export interface ClusterJobs {
  readonly jobs: QueuedJobManager;
  readonly sweeps: SweepManager;
  /** Present when this process is a worker node too; closed after the jobs (the app's stop does it). */
  readonly workerNode?: { close(): Promise<void> };
}

export async function startClusterJobs(o: ClusterJobsOptions): Promise<ClusterJobs> {
  const { redisUrl, lockMs } = o.cluster;
  const workerNode: WorkerNode | undefined = o.localWorker
    ? await startWorkerNode({ storage: o.storage, redisUrl, strategiesDir: o.strategiesDir, workers: o.workers, lockMs, progressIntervalMs: o.progressIntervalMs, barCacheBytes: barCacheBytesFromEnv(), log: o.log })
    : undefined;
  const jobs = new QueuedJobManager({ storage: o.storage, redisUrl, localThreads: workerNode?.threads ?? 0, log: o.log });
  await jobs.ready();
  const transport: EventTransport = redisEventTarget(redisUrl, { log: o.log });
  await transport.ready();
  const heartbeats = new SweepHeartbeats(redisUrl);
  const sweeps = new SweepManager({
    storage: o.storage,
    jobs,
    eventTarget: transport.target,
    // The first beat before runSweep answers: an instance killed right after still leaves a trace.
    onStart: (id) => heartbeats.beat([id]).catch((e: unknown) => o.log(`sweep ${id}: no heartbeat (${e instanceof Error ? e.message : String(e)}); it is beaten again in a moment`)),
  });
  jobs.control.listen((m) => {
    if (m.kind === 'cancel-sweep') sweeps.cancelHere(m.sweepId);
  });
  const stopWatchingSweeps = watchSweeps(sweeps, heartbeats, lockMs, o.log);
  return {
    jobs,
    sweeps,
    workerNode: {
      async close() {
        await stopWatchingSweeps();
        await workerNode?.close();
        await transport.close();
      },
    },
  };
}

/** The error of a sweep whose API instance stopped beating for it. */
export const ORPHANED_SWEEP_ERROR = 'the API instance running it stopped; the results of finished combinations are kept';

/**
 * Beats for this instance's sweeps every lockMs / 3 and ends FAILED the sweeps whose beats stopped
 * for 2 x lockMs (JOB_LOCK_MS: the same patience as for a worker node's jobs).
 */
function watchSweeps(sweeps: SweepManager, heartbeats: SweepHeartbeats, lockMs: number, log: (line: string) => void): () => Promise<void> {
  const tick = async () => {
    try {
      await heartbeats.beat(sweeps.activeIds());
      for (const id of await heartbeats.claimStale(2 * lockMs)) await sweeps.endOrphan(id, ORPHANED_SWEEP_ERROR);
    } catch (e) {
      log(`sweep heartbeats: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(tick);
  }, Math.max(100, Math.floor(lockMs / 3)));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await heartbeats.close();
  };
}
