/**
 * The main thread's side of runs: stores a validated run as QUEUED, hands it to the Piscina pool
 * with a MessagePort and a shared cancel flag, republishes what the worker streams on the typed
 * pubsub, and keeps each active run's fills and equity samples so late subscribers can replay them.
 * The pool and the pubsub stay behind `enqueue`/`cancel`/`events`: the seams for scaling out.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { createPubSub } from 'graphql-yoga';
import type { Fill, Order } from '../engine/orders.js';
import type { AppDatabase } from '../data/db.js';
import { createRun, deleteRuns, getRun, type RunRecord } from '../data/run-store.js';
import type { BacktestTask, BacktestTaskResult, WorkerMessage } from '../workers/protocol.js';
import { pubsubEventTarget } from './event-target.js';
import { cancelQueuedRun, failUnfinishedRun } from './run-transitions.js';
import { isTerminal, type EquitySample, type RunEvent, type StatusSnapshot } from './run-events.js';
import { markRunEvent, recordOrderChanges, type RunMark } from './run-marks.js';
import type { ValidatedRun } from './run-input.js';

export interface JobManagerOptions {
  readonly app: AppDatabase;
  readonly databasePath: string;
  readonly strategiesDir: string;
  /** Pool threads; default WORKERS or the number of cores. */
  readonly workers?: number;
  /** Minimum wall-clock ms between progress events of one run (default 200: five a second). */
  readonly progressIntervalMs?: number;
}

/** What the main thread knows of a run that has not ended yet. */
export interface ActiveRun {
  readonly runId: number;
  readonly cancelFlag: Int32Array;
  state: StatusSnapshot;
  /** Every fill so far, in execution order: the replay buffer of runFills. */
  readonly fills: Fill[];
  /** Every equity sample so far: the replay buffer of runEquity. */
  readonly equity: EquitySample[];
  /** Each order's latest state (index id - 1) and the ids in the order their changes came: runUpdates' order changes. */
  readonly orders: Order[];
  readonly orderLog: number[];
  /** runUpdates' sequence numbers: a mark after each change of the run (run-marks.ts). */
  readonly marks: RunMark[];
  /** Settles once the outcome is stored and the end event published. */
  finished: Promise<void>;
}

export type RunTopics = { run: [runId: number, event: RunEvent] };

const POOL_ENTRY = new URL('../workers/pool-entry.mjs', import.meta.url).href;
/** How long to wait for a dead worker's port to drain before declaring the run's stream over. */
const PORT_DRAIN_MS = 1_000;

export class JobManager {
  readonly pubsub = createPubSub<RunTopics>({ eventTarget: pubsubEventTarget() });
  private readonly pool: Piscina;
  private readonly active = new Map<number, ActiveRun>();
  private accepting = true;

  constructor(private readonly opts: JobManagerOptions) {
    const threads = opts.workers ?? defaultWorkers();
    this.pool = new Piscina({ filename: POOL_ENTRY, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  }

  get threads(): number {
    return this.pool.options.maxThreads;
  }

  /** Runs a named task of the pool entry (e.g. `runSweepChunk`) on the shared pool. */
  runTask<T>(name: string, task: unknown): Promise<T> {
    if (!this.accepting) return Promise.reject(new Error('the server is shutting down'));
    return this.pool.run(task, { name }) as Promise<T>;
  }

  activeRun(id: number): ActiveRun | undefined {
    return this.active.get(id);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Stores the run as QUEUED and submits it; returns at once. */
  enqueue(validated: ValidatedRun): RunRecord {
    if (!this.accepting) throw new Error('the server is shutting down and accepts no new runs');
    const record = createRun(this.opts.app, validated.run);
    const job: ActiveRun = {
      runId: record.id,
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      state: { status: 'QUEUED', progress: 0, barsProcessed: 0, simTime: null },
      fills: [],
      equity: [],
      orders: [],
      orderLog: [],
      marks: [],
      finished: Promise.resolve(),
    };
    this.active.set(record.id, job);
    markRunEvent(job);

    const { port1, port2 } = new MessageChannel();
    let drained!: () => void;
    const portDone = new Promise<void>((resolve) => (drained = resolve));
    port1.on('message', (m: WorkerMessage) => {
      this.onWorkerMessage(job, m);
      // In the same tick as the message's publish, before any subscriber runs.
      markRunEvent(job);
      if (m.kind === 'done') drained();
    });
    port1.on('close', () => drained());
    const task: BacktestTask = {
      runId: record.id,
      run: validated.run,
      from: validated.from,
      to: validated.to,
      databasePath: this.opts.databasePath,
      strategiesDir: this.opts.strategiesDir,
      cancelFlag: job.cancelFlag,
      port: port2,
      progressIntervalMs: this.opts.progressIntervalMs ?? 200,
    };
    const outcome: Promise<BacktestTaskResult | Error> = this.pool.run(task, { transferList: [port2] }).then(
      (r: BacktestTaskResult) => r,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    job.finished = this.settle(job, outcome, portDone).finally(() => port1.close());
    return record;
  }

  /** Cancels a run: a queued one at once (it never runs), a running one at its next chunk. Null for an unknown id. */
  async cancel(id: number): Promise<RunRecord | null> {
    const job = this.active.get(id);
    if (!job) return getRun(this.opts.app, id);
    Atomics.store(job.cancelFlag, 0, 1);
    if (cancelQueuedRun(this.opts.app, id)) {
      // Never started: it ends now. Its task stays queued in the pool and finds the run CANCELLED.
      this.finalize(job, { ...job.state, status: 'CANCELLED' });
    } else {
      await job.finished;
    }
    return getRun(this.opts.app, id);
  }

  /** Deletes runs and everything stored for them, cancelling active ones first. */
  async delete(ids: readonly number[]): Promise<number> {
    await Promise.all(ids.filter((id) => this.active.has(id)).map((id) => this.cancel(id)));
    return deleteRuns(this.opts.app, ids);
  }

  /**
   * Stops accepting runs, lets active ones finish for up to `graceMs`, then cancels the rest
   * (they keep partial results and end CANCELLED), and closes the pool.
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.accepting = false;
    const all = () => Promise.all([...this.active.values()].map((j) => j.finished));
    const timedOut = await Promise.race([all().then(() => false), delay(graceMs).then(() => true)]);
    if (timedOut) {
      for (const job of this.active.values()) {
        Atomics.store(job.cancelFlag, 0, 1);
        if (cancelQueuedRun(this.opts.app, job.runId, 'server shut down')) this.finalize(job, { ...job.state, status: 'CANCELLED' });
      }
      await Promise.race([all(), delay(5_000)]);
    }
    await this.pool.destroy();
  }

  private onWorkerMessage(job: ActiveRun, m: WorkerMessage): void {
    switch (m.kind) {
      case 'started':
        this.publishStatus(job, { ...job.state, status: 'RUNNING' });
        return;
      case 'fills': {
        const fromSeq = job.fills.length;
        job.fills.push(...m.fills);
        this.pubsub.publish('run', job.runId, { kind: 'fills', fromSeq, fills: m.fills });
        return;
      }
      case 'orders': {
        const fromSeq = job.orderLog.length;
        recordOrderChanges(job, m.orders);
        this.pubsub.publish('run', job.runId, { kind: 'orders', fromSeq, count: m.orders.length });
        return;
      }
      case 'progress': {
        const fromSeq = job.equity.length;
        const points: EquitySample[] = [];
        for (let k = 0; k < m.equity.time.length; k++) {
          points.push({ time: m.equity.time[k], equity: m.equity.equity[k], cash: m.equity.cash[k], drawdown: m.equity.drawdown[k] });
        }
        job.equity.push(...points);
        if (points.length > 0) this.pubsub.publish('run', job.runId, { kind: 'equity', fromSeq, points });
        this.publishStatus(job, { status: 'RUNNING', progress: m.progress, barsProcessed: m.barsProcessed, simTime: m.simTime });
        return;
      }
      case 'done':
        return;
    }
  }

  private publishStatus(job: ActiveRun, state: StatusSnapshot): void {
    if (isTerminal(job.state.status)) return;
    job.state = state;
    markRunEvent(job);
    this.pubsub.publish('run', job.runId, { kind: 'status', ...state });
  }

  /** Waits for the task and its stream, makes sure the outcome is stored, publishes the end. */
  private async settle(job: ActiveRun, outcome: Promise<BacktestTaskResult | Error>, portDone: Promise<void>): Promise<void> {
    const result = await outcome;
    await Promise.race([portDone, delay(PORT_DRAIN_MS)]);
    if (this.active.get(job.runId) !== job) return; // already finalized (cancelled while queued)
    // A worker that died, or failed before it could store anything (e.g. the strategy is not loaded
    // there): the run must not stay QUEUED or RUNNING. Conditional, so a stored outcome stands.
    if (result instanceof Error) failUnfinishedRun(this.opts.app, job.runId, `worker failed: ${result.message}`);
    else if (result.status === 'FAILED') failUnfinishedRun(this.opts.app, job.runId, result.error ?? 'failed');
    const stored = getRun(this.opts.app, job.runId);
    this.finalize(
      job,
      stored
        ? { status: stored.status, progress: stored.progress, barsProcessed: stored.barsProcessed, simTime: job.state.simTime }
        : { ...job.state, status: 'CANCELLED' },
    );
  }

  /**
   * Removal and the end event in the same tick: a subscriber sees either the active run (and then
   * its end event) or the stored results, never neither.
   */
  private finalize(job: ActiveRun, final: StatusSnapshot): void {
    job.state = final;
    markRunEvent(job);
    this.active.delete(job.runId);
    this.pubsub.publish('run', job.runId, { kind: 'end', ...final });
  }
}

function defaultWorkers(): number {
  const fromEnv = process.env.WORKERS;
  if (fromEnv !== undefined) {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`WORKERS must be an integer from 1 to 256, got ${fromEnv}`);
    return n;
  }
  return availableParallelism();
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
