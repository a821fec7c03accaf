/**
 * The main thread's side of runs: admits a validated run (queue limits, ceilings), stores it
 * QUEUED, and starts it when the fair scheduler gives it a pool thread, with a MessagePort and a
 * shared cancel flag; republishes what the worker streams on the typed pubsub and keeps each
 * active run's fills and equity samples so late subscribers can replay them.
 *
 * Pool threads only read the database; a run's results (encoded and transferred by its pool
 * thread) are handed to the storage (data/storage.ts), and an error while storing ends that run
 * FAILED instead of escaping into the event loop.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { createPubSub } from '@graphql-yoga/subscription';
import type { RunOutcome } from '../data/run-outcome-store.js';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import { StoreError } from '../data/store-thread.js';
import { startPoolRun } from '../workers/pool-run.js';
import { POOL_ENTRY } from '../workers/thread-entries.js';
import { Admission, limitsFromEnv, type AdmissionLimits, type Owner } from './admission.js';
import { barCacheBytesFromEnv } from './bar-cache-size.js';
import { pubsubEventTarget } from './event-target.js';
import { FairScheduler, type Ticket } from './fair-scheduler.js';
import type { StatusSnapshot } from './run-events.js';
import { newActiveRun, RunFeed, type ActiveRun, type RunTopics } from './run-feed.js';
import type { ValidatedRun } from './run-input.js';
import type { EnqueueOptions, RunJobs } from './run-jobs.js';
import { admitRun } from './admit-run.js';
import { PoolSweepChunks } from './pool-sweep-chunks.js';

export interface JobManagerOptions {
  readonly storage: Storage;
  readonly strategiesDir: string;
  /** Pool threads; default WORKERS or the number of cores. */
  readonly workers?: number;
  /** Minimum wall-clock ms between progress events of one run (default 200: five a second). */
  readonly progressIntervalMs?: number;
  /** Queue limits and ceilings; default from the environment (see admission.ts). */
  readonly limits?: AdmissionLimits;
  /** Where problems that no run can carry are reported (default console.error). */
  readonly log?: (line: string) => void;
  /** Bytes of bars each pool thread keeps between runs; default BAR_CACHE_MB (256 MB), 0: none. */
  readonly barCacheBytes?: number;
}

interface Job extends ActiveRun {
  readonly cancelFlag: Int32Array;
  readonly owner: Owner;
  readonly validated: ValidatedRun;
  /** The run's place in the scheduler until it starts. */
  ticket?: Ticket;
  /** Whether it still counts as waiting for admission. */
  waiting: boolean;
  resolveFinished(): void;
}

export class JobManager implements RunJobs {
  readonly pubsub = createPubSub<RunTopics>({ eventTarget: pubsubEventTarget() });
  private readonly feed = new RunFeed(this.pubsub);
  readonly sweepChunks: PoolSweepChunks;
  readonly admission: Admission;
  private readonly pool: Piscina;
  private readonly scheduler: FairScheduler;
  private readonly active = new Map<number, Job>();
  private readonly barCacheBytes: number;
  private readonly log: (line: string) => void;
  private accepting = true;
  private closed = false;

  constructor(private readonly opts: JobManagerOptions) {
    const threads = opts.workers ?? defaultWorkers();
    this.barCacheBytes = opts.barCacheBytes ?? barCacheBytesFromEnv();
    this.pool = new Piscina({ filename: POOL_ENTRY, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    this.scheduler = new FairScheduler(threads);
    this.admission = new Admission(opts.limits ?? limitsFromEnv(), threads);
    this.log = opts.log ?? ((line) => console.error(line));
    this.sweepChunks = new PoolSweepChunks(opts.storage, this, opts.strategiesDir);
  }

  get threads(): number {
    return this.pool.options.maxThreads;
  }

  get limits(): AdmissionLimits {
    return this.admission.limits;
  }

  /**
   * Runs a named task of the pool entry (e.g. `runSweepChunk`) when the scheduler gives the sweep
   * lane a thread; `group` (the sweep id) takes turns with other sweeps. Resolves undefined without
   * running when `cancelFlag` is set by then.
   */
  runTask<T>(name: string, task: unknown, options: { group?: number; cancelFlag?: Int32Array } = {}): Promise<T | undefined> {
    if (!this.accepting) return Promise.reject(new Error('the server is shutting down'));
    return new Promise<T | undefined>((resolve, reject) => {
      this.scheduler.submit('sweep', options.group ?? 0, () => {
        if (options.cancelFlag && Atomics.load(options.cancelFlag, 0) !== 0) {
          resolve(undefined);
          return Promise.resolve();
        }
        const ran = this.pool.run(task, { name }) as Promise<T>;
        ran.then(resolve, reject);
        return ran;
      });
    });
  }

  activeRun(id: number): ActiveRun | undefined {
    return this.active.get(id);
  }

  follow(): Promise<void> {
    return Promise.resolve(); // every active run of this process is in `active`
  }

  /** Kept only while runs are active here (run-updates.ts retains them after). */
  endedMarks(): Promise<null> {
    return Promise.resolve(null);
  }

  activeCount(): number {
    return this.active.size;
  }



  /**
   * Admits the run (QueueFullError when a queue is full, RunInputError when it would simulate more
   * than MAX_BARS_PER_RUN bars), stores it QUEUED and queues it; returns at once.
   */
  async enqueue(validated: ValidatedRun, options: EnqueueOptions = {}): Promise<RunRecord> {
    if (!this.accepting) throw new Error('the server is shutting down and accepts no new runs');
    const { record, owner } = await admitRun(this.admission, this.opts.storage, validated, options);
    let resolveFinished!: () => void;
    const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
    const job = newActiveRun<Job>({ runId: record.id, finished, cancelFlag: new Int32Array(new SharedArrayBuffer(4)), owner, validated, waiting: true, resolveFinished });
    this.active.set(record.id, job);
    job.ticket = this.scheduler.submit('run', record.id, () => this.start(job));
    return record;
  }

  /** Cancels a run: a queued one at once (it never runs), a running one at its next chunk. Null for an unknown id. */
  async cancel(id: number): Promise<RunRecord | null> {
    const job = this.active.get(id);
    if (!job) return this.opts.storage.getRun(id);
    Atomics.store(job.cancelFlag, 0, 1);
    if (job.ticket?.cancel()) await this.endQueued(job, null);
    else await job.finished;
    return this.opts.storage.getRun(id);
  }

  /** Deletes runs and everything stored for them, cancelling active ones first. */
  async delete(ids: readonly number[]): Promise<number> {
    await Promise.all(ids.filter((id) => this.active.has(id)).map((id) => this.cancel(id)));
    return this.opts.storage.deleteRuns(ids);
  }

  /**
   * Stops accepting runs and cancels the queued ones; lets running ones finish for up to `graceMs`,
   * then cancels them (they keep partial results and end CANCELLED), and closes the pool.
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.accepting = false;
    const queued = [...this.active.values()].filter((job) => job.ticket?.cancel());
    await Promise.all(queued.map((job) => this.endQueued(job, 'server shut down')));
    const all = () => Promise.all([...this.active.values()].map((j) => j.finished));
    const timedOut = await Promise.race([all().then(() => false), delay(graceMs).then(() => true)]);
    if (timedOut) {
      for (const job of this.active.values()) Atomics.store(job.cancelFlag, 0, 1);
      await Promise.race([all(), delay(5_000)]);
    }
    this.closed = true;
    await this.pool.destroy();
  }

  /** The scheduler gave the run a thread: RUNNING, then the task; settles when the thread is free again. */
  private async start(job: Job): Promise<unknown> {
    this.stopWaiting(job);
    let started: boolean;
    try {
      started = await this.opts.storage.markRunStarted(job.runId);
    } catch (e) {
      // Locked by another process beyond the writer's timeout: fail it rather than block the queue.
      void this.end(job, { status: 'FAILED', error: `could not start: ${message(e)}`, progress: 0, barsProcessed: 0, metrics: null, blocks: [], equity: null });
      return;
    }
    if (!started) {
      // Cancelled or deleted by another connection while queued.
      await this.finalizeFromStore(job);
      return;
    }
    this.feed.status(job, { status: 'RUNNING', progress: 0, barsProcessed: 0, simTime: null });
    const t0 = performance.now();
    const run = startPoolRun(
      this.pool,
      {
        runId: job.runId,
        run: job.validated.run,
        from: job.validated.from,
        to: job.validated.to,
        storage: this.opts.storage.config,
        strategiesDir: this.opts.strategiesDir,
        cancelFlag: job.cancelFlag,
        progressIntervalMs: this.opts.progressIntervalMs ?? 200,
        maxBars: this.limits.maxBarsPerRun,
        maxFills: this.limits.maxFillsPerRun,
        barCacheBytes: this.barCacheBytes,
      },
      (m) => {
        try {
          this.feed.apply(job, m);
        } catch (e) {
          this.log(`run ${job.runId}: could not handle a worker message: ${message(e)}`);
        }
      },
      () => job.state,
    );
    void (async () => {
      try {
        await this.end(job, await run.outcome);
      } catch (e) {
        // Nothing above should throw; if it does, the run still ends and the error stays here.
        this.log(`run ${job.runId}: ${message(e)}`);
        this.finalize(job, { ...job.state, status: 'FAILED' });
      }
    })();
    // The thread is free when the task returns; storing happens here, on the main thread.
    return run.thread.then(() => this.admission.recordRunTime(performance.now() - t0));
  }

  /**
   * Stores the outcome and publishes the end; never throws. When the outcome cannot be stored, the
   * run ends FAILED saying why; when not even that can be written (the database stays locked, the
   * disk is gone), it is retried until the server closes and the run ends FAILED in memory.
   */
  private async end(job: Job, outcome: RunOutcome): Promise<void> {
    let record: RunRecord | null | undefined;
    try {
      record = await this.opts.storage.storeOutcome(job.runId, outcome);
    } catch (e) {
      const error = outcome.status === 'FAILED' ? `${outcome.error ?? 'failed'}; storing its results failed too: ${message(e)}` : `the results could not be stored: ${message(e)}`;
      this.log(`run ${job.runId}: ${error}`);
      record = await this.failPersistently(job.runId, error, outcome.progress);
      if (record === undefined) {
        this.finalize(job, { status: 'FAILED', progress: outcome.progress, barsProcessed: outcome.barsProcessed, simTime: job.state.simTime });
        return;
      }
    }
    this.finalize(
      job,
      record
        ? { status: record.status, progress: record.progress, barsProcessed: record.barsProcessed, simTime: job.state.simTime }
        : { ...job.state, status: 'CANCELLED' }, // deleted while it ran
    );
  }

  /** FAILED with `error`, retried with backoff until it is stored or the server closes (then undefined). */
  private async failPersistently(runId: number, error: string, progress: number): Promise<RunRecord | null | undefined> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        return await this.opts.storage.storeFailure(runId, error, progress);
      } catch (e) {
        if (this.closed) {
          this.log(`run ${runId}: could not store FAILED (${message(e)}); the next start marks it interrupted`);
          return undefined;
        }
        if (!(e instanceof StoreError && isBusyCode(e.code))) this.log(`run ${runId}: could not store FAILED (${message(e)}); retrying`);
        await delay(wait);
      }
    }
  }

  /** A queued run that will not start: CANCELLED (error: why), stored, then the end event. */
  private async endQueued(job: Job, error: string | null): Promise<void> {
    this.stopWaiting(job);
    try {
      await this.opts.storage.cancelQueuedRun(job.runId, error);
    } catch (e) {
      this.log(`run ${job.runId}: could not store its cancellation (${message(e)}); the next start marks it interrupted`);
    }
    this.finalize(job, { ...job.state, status: 'CANCELLED' });
  }

  /** Ends a job with whatever is stored for it (another connection changed it). */
  private async finalizeFromStore(job: Job): Promise<void> {
    const stored = await this.opts.storage.getRun(job.runId);
    this.finalize(job, stored ? { status: stored.status, progress: stored.progress, barsProcessed: stored.barsProcessed, simTime: null } : { ...job.state, status: 'CANCELLED' });
  }

  private stopWaiting(job: Job): void {
    if (!job.waiting) return;
    job.waiting = false;
    this.admission.release(job.owner);
  }

  /**
   * Removal and the end event in the same tick: a subscriber sees either the active run (and then
   * its end event) or the stored results, never neither.
   */
  private finalize(job: Job, final: StatusSnapshot): void {
    if (this.active.get(job.runId) !== job) return;
    this.active.delete(job.runId);
    try {
      this.feed.end(job, final);
    } finally {
      job.resolveFinished();
    }
  }
}

function isBusyCode(code: string | null): boolean {
  return code !== null && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}


function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** WORKERS, checked, or the number of cores. */
export function defaultWorkers(): number {
  const fromEnv = process.env.WORKERS;
  if (fromEnv !== undefined) {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`WORKERS must be an integer from 1 to 256, got ${fromEnv}`);
    return n;
  }
  return availableParallelism();
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
