/**
 * Parameter sweeps. Combinations fan out in chunks (on this process's pool with the bars loaded once
 * into shared memory, or with REDIS_URL as jobs for the worker nodes: sweep-chunk-runner.ts); each
 * finished chunk stores its metrics and publishes progress with the best so far; at the end the
 * best `keepTop` combinations are re-run as ordinary runs, so they get full results.
 */
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { RunMetrics } from '../engine/results.js';
import type { Storage } from '../data/storage.js';
import type { SweepRecord, SweepResultRecord } from '../data/sweep-store.js';
import type { RunStatus } from '../data/run-types.js';
import { pubsubEventTarget } from './event-target.js';
import type { Owner } from './admission.js';
import { estimateBars } from './admit-run.js';
import type { RunJobs } from './run-jobs.js';
import type { ValidatedSweep } from './sweep-input.js';
import { sweepChunkSizes } from './sweep-chunks.js';
import { isTerminal } from './run-events.js';

export interface SweepSnapshot {
  readonly status: RunStatus;
  readonly progress: number;
  readonly total: number;
  readonly completed: number;
  readonly skipped: number;
  readonly failed: number;
  readonly best: SweepResultRecord | null;
}

export type SweepEvent = { readonly kind: 'progress' | 'end'; readonly snapshot: SweepSnapshot };

export interface SweepManagerOptions {
  readonly storage: Storage;
  readonly jobs: RunJobs;
  /** Where progress events travel: this process by default; Redis (REDIS_URL) reaches every API instance. */
  readonly eventTarget?: EventTarget;
  /** Called once a sweep is stored and started, before runSweep answers (REDIS_URL: its first heartbeat). Must not throw. */
  readonly onStart?: (sweepId: number) => Promise<void>;
}

interface ActiveSweep {
  readonly id: number;
  readonly owner: Owner;
  readonly cancelFlag: Int32Array;
  snapshot: SweepSnapshot;
  finished: Promise<void>;
}

/** Combinations per chunk at most (chunks shrink toward the end: sweep-chunks.ts). */
const MAX_CHUNK = 32;
/**
 * Bars one chunk simulates at most (combinations x bars, about a second of engine time): a run
 * queued behind a sweep waits for about one chunk (see fair-scheduler.ts), however large the sweep.
 */
const CHUNK_BARS = 4_000_000;
const PROGRESS_INTERVAL_MS = 200;
/** How long a cancel waits for a sweep that another API instance runs to store its end. */
const REMOTE_CANCEL_WAIT_MS = 30_000;

export class SweepManager {
  readonly pubsub: PubSub<{ sweep: [id: number, event: SweepEvent] }>;
  private readonly active = new Map<number, ActiveSweep>();

  constructor(private readonly opts: SweepManagerOptions) {
    this.pubsub = createPubSub({ eventTarget: opts.eventTarget ?? pubsubEventTarget() });
  }

  /**
   * Admits the sweep (it counts as one queued entry of its owner until it ends: QueueFullError when
   * full; RunInputError when one combination would exceed MAX_BARS_PER_RUN), stores it QUEUED and
   * starts it; returns at once.
   */
  async start(v: ValidatedSweep, options: { readonly owner?: Owner } = {}): Promise<SweepRecord> {
    const r = v.base.run;
    const { jobs } = this.opts;
    const owner = options.owner !== undefined ? options.owner : r.ownerKeyId == null ? null : String(r.ownerKeyId);
    // Bars one combination simulates: checked here, and the chunk sizes follow them.
    const bars = await estimateBars(this.opts.storage, v.base);
    jobs.admission.checkBars(bars);
    jobs.admission.admit(owner);
    let record: SweepRecord;
    try {
      record = await this.create(v);
    } catch (e) {
      jobs.admission.release(owner);
      throw e;
    }
    const job: ActiveSweep = {
      id: record.id,
      owner,
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      snapshot: { status: 'QUEUED', progress: 0, total: v.total, completed: 0, skipped: v.skipped, failed: 0, best: null },
      finished: Promise.resolve(),
    };
    this.active.set(record.id, job);
    job.finished = this.execute(record, v, job, bars);
    await this.opts.onStart?.(record.id);
    return record;
  }

  private create(v: ValidatedSweep): Promise<SweepRecord> {
    const r = v.base.run;
    return this.opts.storage.createSweep({
      strategy: r.strategy,
      baseParams: v.baseParams,
      grid: v.grid,
      symbols: r.symbols,
      dataset: r.dataset,
      period: r.period,
      start: r.start ?? null,
      end: r.end ?? null,
      initialCash: r.initialCash,
      commission: r.commission,
      slippageBps: r.slippageBps,
      periodsPerYear: r.periodsPerYear,
      objective: v.objective,
      maximize: v.maximize,
      keepTop: v.keepTop,
      total: v.total,
      skipped: v.skipped,
      ownerKeyId: r.ownerKeyId ?? null,
    });
  }

  activeSweep(id: number): ActiveSweep | undefined {
    return this.active.get(id);
  }

  /** The current state: live for an active sweep, stored otherwise; null for an unknown id. */
  async snapshot(id: number): Promise<SweepSnapshot | null> {
    const job = this.active.get(id);
    if (job) return job.snapshot;
    const s = await this.opts.storage.getSweep(id);
    return s ? storedSnapshot(this.opts.storage, s) : null;
  }

  /**
   * Stops a sweep: results of finished combinations are kept; it ends CANCELLED. A sweep another
   * API instance runs (REDIS_URL) is asked to stop through the chunk runner and awaited in storage.
   */
  async cancel(id: number): Promise<SweepRecord | null> {
    const job = this.active.get(id);
    if (job) {
      Atomics.store(job.cancelFlag, 0, 1);
      await this.opts.jobs.sweepChunks.cancel(id);
      await job.finished;
      return this.opts.storage.getSweep(id);
    }
    const stored = await this.opts.storage.getSweep(id);
    if (!stored || isTerminal(stored.status)) return stored;
    await this.opts.jobs.sweepChunks.cancel(id);
    return this.awaitStoredEnd(id, REMOTE_CANCEL_WAIT_MS);
  }

  /** Ids of the sweeps this process runs. */
  activeIds(): number[] {
    return [...this.active.keys()];
  }

  /**
   * Ends FAILED a sweep that no process runs any more (its API instance stopped: REDIS_URL), with
   * the end event for its subscribers; a sweep that ended meanwhile is left as it is.
   */
  async endOrphan(id: number, error: string): Promise<void> {
    if (this.active.has(id)) return;
    const before = await this.opts.storage.getSweep(id);
    if (!before || isTerminal(before.status)) return; // it ended as it should: its entry just aged
    const stored = await this.opts.storage.finishSweep(id, 'FAILED', error);
    if (stored) this.pubsub.publish('sweep', id, { kind: 'end', snapshot: await storedSnapshot(this.opts.storage, stored) });
  }

  /** Stops a sweep this instance runs, if it does (a cancel asked for on another instance). */
  cancelHere(id: number): void {
    const job = this.active.get(id);
    if (job) Atomics.store(job.cancelFlag, 0, 1);
  }

  private async awaitStoredEnd(id: number, waitMs: number): Promise<SweepRecord | null> {
    const until = Date.now() + waitMs;
    for (;;) {
      const stored = await this.opts.storage.getSweep(id);
      if (!stored || isTerminal(stored.status) || Date.now() > until) return stored;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.cancel(id)));
  }

  /** Runs the sweep to its end; never rejects (any error ends the sweep FAILED with its message). */
  private async execute(record: SweepRecord, v: ValidatedSweep, job: ActiveSweep, estimatedBars: number): Promise<void> {
    const { storage, jobs } = this.opts;
    // Let start() and the mutation's answer (its fields resolved in microtasks) show the QUEUED
    // sweep before any work happens.
    await new Promise((resolve) => setImmediate(resolve));
    let status: 'COMPLETED' | 'FAILED' | 'CANCELLED' = 'COMPLETED';
    let error: string | null = null;
    // The first chunk that fails (storing its results, a dead worker) fails the sweep and stops the others.
    let failure: unknown;
    try {
      if (Atomics.load(job.cancelFlag, 0) !== 0 || !(await storage.markSweepStarted(record.id))) {
        status = 'CANCELLED';
        return;
      }
      this.update(job, { status: 'RUNNING' }, true);
      const r = v.base.run;
      const runChunk = await jobs.sweepChunks.prepare(
        record.id,
        {
          strategy: r.strategy,
          initialCash: r.initialCash,
          commission: r.commission,
          slippageBps: r.slippageBps,
          periodsPerYear: r.periodsPerYear,
          riskFreeRate: r.riskFreeRate,
          bars: { dataset: r.dataset, symbols: r.symbols, period: r.period, from: v.base.from, to: v.base.to },
        },
        job.cancelFlag,
      );
      const bars = Math.max(1, estimatedBars);
      const chunks: ValidatedSweep['combinations'][] = [];
      let at = 0;
      for (const size of sweepChunkSizes(v.combinations.length, await jobs.sweepChunks.threads(), Math.min(MAX_CHUNK, CHUNK_BARS / bars))) {
        chunks.push(v.combinations.slice(at, at + size));
        at += size;
      }
      const toRun = v.combinations.length;
      let lastPublished = 0;
      await Promise.all(
        chunks.map(async (combinations) => {
          let outcomes;
          try {
            outcomes = (await runChunk(combinations)) ?? [];
            await storage.recordSweepResults(record.id, v.objective, outcomes);
          } catch (e) {
            failure ??= e;
            Atomics.store(job.cancelFlag, 0, 1);
            return;
          }
          const s = job.snapshot;
          let best = s.best;
          let completed = s.completed;
          let failed = s.failed;
          for (const o of outcomes) {
            if (o.metrics === null) {
              failed++;
              continue;
            }
            completed++;
            const candidate = { sweepId: record.id, seq: o.seq, params: o.params, metrics: o.metrics, objectiveValue: objectiveValue(o.metrics, v.objective), runId: null };
            if (isBetter(candidate, best, v.maximize)) best = candidate;
          }
          const now = Date.now();
          const publish = now - lastPublished >= PROGRESS_INTERVAL_MS;
          if (publish) lastPublished = now;
          this.update(job, { completed, failed, best, progress: toRun === 0 ? 1 : (completed + failed) / toRun }, publish);
        }),
      );
      if (failure !== undefined) throw failure;
      if (Atomics.load(job.cancelFlag, 0) !== 0) {
        status = 'CANCELLED';
        return;
      }
      // The best combinations become ordinary runs with fills, round trips and equity curves.
      const sweep = await storage.getSweep(record.id);
      if (sweep && v.keepTop > 0) {
        for (const top of await storage.getBestSweepResults(sweep, v.keepTop)) {
          const run = await jobs.enqueue({ ...v.base, run: { ...v.base.run, params: top.params } }, { owner: job.owner, forSweep: true });
          await storage.linkSweepRun(record.id, top.seq, run.id);
        }
      }
    } catch (e) {
      status = failure === undefined && Atomics.load(job.cancelFlag, 0) !== 0 ? 'CANCELLED' : 'FAILED';
      error = status === 'FAILED' ? (e instanceof Error ? e.message : String(e)) : null;
    } finally {
      await this.end(job, status, error);
    }
  }

  /** Stores the final status and publishes the end; never throws. */
  private async end(job: ActiveSweep, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: string | null): Promise<void> {
    const { storage, jobs } = this.opts;
    jobs.admission.release(job.owner);
    let final: SweepSnapshot;
    try {
      const stored = await storage.finishSweep(job.id, status, error);
      final = stored ? await storedSnapshot(storage, stored) : { ...job.snapshot, status };
    } catch (e) {
      // The database refused even the final status (locked by another process): end it in memory;
      // the next start marks the stored sweep interrupted.
      console.error(`sweep ${job.id}: could not store its final status ${status}: ${e instanceof Error ? e.message : String(e)}`);
      final = { ...job.snapshot, status: status === 'COMPLETED' ? 'FAILED' : status };
    }
    job.snapshot = final;
    this.active.delete(job.id);
    this.pubsub.publish('sweep', job.id, { kind: 'end', snapshot: final });
  }

  private update(job: ActiveSweep, patch: Partial<SweepSnapshot>, publish: boolean): void {
    if (isTerminal(job.snapshot.status)) return;
    job.snapshot = { ...job.snapshot, ...patch };
    if (publish) this.pubsub.publish('sweep', job.id, { kind: 'progress', snapshot: job.snapshot });
  }
}

async function storedSnapshot(storage: Storage, s: SweepRecord): Promise<SweepSnapshot> {
  const toRun = s.total - s.skipped;
  return {
    status: s.status,
    progress: s.status === 'COMPLETED' || toRun === 0 ? 1 : (s.completed + s.failed) / toRun,
    total: s.total,
    completed: s.completed,
    skipped: s.skipped,
    failed: s.failed,
    best: (await storage.getBestSweepResults(s, 1))[0] ?? null,
  };
}

function objectiveValue(m: RunMetrics, objective: keyof RunMetrics): number | null {
  const v = m[objective];
  return v === null || !Number.isFinite(v) ? null : v;
}

/** Better objective wins; null is worst; ties go to the earlier combination, like the stored order. */
function isBetter(a: SweepResultRecord, b: SweepResultRecord | null, maximize: boolean): boolean {
  if (b === null) return true;
  if (a.objectiveValue === null) return false;
  if (b.objectiveValue === null) return true;
  if (a.objectiveValue === b.objectiveValue) return a.seq < b.seq;
  return maximize ? a.objectiveValue > b.objectiveValue : a.objectiveValue < b.objectiveValue;
}
