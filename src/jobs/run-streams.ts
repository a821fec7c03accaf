/**
 * The subscriptions' streams: replay what a run already produced, then follow it live, then end.
 * Each stream starts listening to the run's topic BEFORE it reads the replay buffer, in the same
 * tick, and drops live items it already replayed (by sequence number): no gap, no duplicate,
 * however fast the run. A run that has already ended is replayed from storage.
 */
import type { Fill } from '../engine/orders.js';
import type { AppDatabase } from '../data/db.js';
import { getEquityCurve, getFills, getRun, type RunRecord } from '../data/run-store.js';
import type { ActiveRun, JobManager } from './job-manager.js';
import type { EquitySample, RunEvent, StatusSnapshot } from './run-events.js';
import type { SweepManager, SweepSnapshot } from './sweep-manager.js';

/** Points replayed for a run that has already ended: the curve downsampled, its last point the final equity. */
const STORED_EQUITY_REPLAY_POINTS = 500;
const STORED_FILLS_PAGE = 10_000;

export class RunNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no run with id ${id}`);
  }
}

interface StreamContext {
  readonly app: AppDatabase;
  readonly jobs: JobManager;
}

/** Starts listening to the run's topic now; returns the iterator and its first pending result. */
function listen(jobs: JobManager, runId: number) {
  const iterator = jobs.pubsub.subscribe('run', runId)[Symbol.asyncIterator]();
  // The first next() registers the listener synchronously (Repeater executes on first pull).
  const first = iterator.next();
  return { iterator, first };
}

function requireRun(app: AppDatabase, runId: number, id: string): RunRecord {
  const run = Number.isSafeInteger(runId) ? getRun(app, runId) : null;
  if (!run) throw new RunNotFoundError(id);
  return run;
}

export function parseRunId(id: string): number {
  return /^\d{1,15}$/.test(id) ? Number(id) : NaN;
}

/** runStatus: the current state first, then every change, completing after a final status. */
export async function* statusStream({ app, jobs }: StreamContext, id: string): AsyncGenerator<StatusSnapshot> {
  const runId = parseRunId(id);
  const run = requireRun(app, runId, id);
  const { iterator, first } = listen(jobs, runId);
  try {
    const job = jobs.activeRun(runId);
    if (!job) {
      yield { status: run.status, progress: run.progress, barsProcessed: run.barsProcessed, simTime: null };
      return;
    }
    yield job.state;
    for (let r = await first; !r.done; r = await iterator.next()) {
      const e = r.value;
      if (e.kind === 'status' || e.kind === 'end') yield { status: e.status, progress: e.progress, barsProcessed: e.barsProcessed, simTime: e.simTime };
      if (e.kind === 'end') return;
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Replays a run's sequence (fills or equity samples) from the active run's buffer, then follows the
 * live events of the same sequence, skipping what was replayed; for an ended run, `stored` is used.
 */
async function* replayThenLive<T>(
  { app, jobs }: StreamContext,
  id: string,
  sequence: {
    readonly buffer: (job: ActiveRun) => readonly T[];
    readonly live: (e: RunEvent) => { readonly fromSeq: number; readonly items: readonly T[] } | null;
    readonly stored: (runId: number) => Iterable<T>;
  },
): AsyncGenerator<T> {
  const runId = parseRunId(id);
  requireRun(app, runId, id);
  const { iterator, first } = listen(jobs, runId);
  try {
    const job = jobs.activeRun(runId);
    if (!job) {
      yield* sequence.stored(runId);
      return;
    }
    const replay = sequence.buffer(job).slice();
    let next = replay.length;
    yield* replay;
    for (let r = await first; !r.done; r = await iterator.next()) {
      if (r.value.kind === 'end') return;
      const batch = sequence.live(r.value);
      if (batch === null) continue;
      for (let k = Math.max(0, next - batch.fromSeq); k < batch.items.length; k++) yield batch.items[k];
      next = Math.max(next, batch.fromSeq + batch.items.length);
    }
  } finally {
    await iterator.return?.();
  }
}

/** runFills: every fill exactly once, in execution order, completing when the run ends. */
export function fillStream(ctx: StreamContext, id: string): AsyncGenerator<Fill> {
  return replayThenLive(ctx, id, {
    buffer: (job) => job.fills,
    live: (e) => (e.kind === 'fills' ? { fromSeq: e.fromSeq, items: e.fills } : null),
    stored: function* (runId) {
      for (let offset = 0; ; offset += STORED_FILLS_PAGE) {
        const page = getFills(ctx.app, runId, { offset, limit: STORED_FILLS_PAGE });
        yield* page.items;
        if (offset + page.items.length >= page.totalCount) return;
      }
    },
  });
}

/** runEquity: equity samples from the start, then live ones; the last is the final equity. */
export function equityStream(ctx: StreamContext, id: string): AsyncGenerator<EquitySample> {
  return replayThenLive(ctx, id, {
    buffer: (job) => job.equity,
    live: (e) => (e.kind === 'equity' ? { fromSeq: e.fromSeq, items: e.points } : null),
    stored: function* (runId) {
      const curve = getEquityCurve(ctx.app, runId, STORED_EQUITY_REPLAY_POINTS);
      if (!curve) return;
      for (let k = 0; k < curve.length; k++) {
        yield { time: curve.time[k], equity: curve.equity[k], cash: curve.cash[k], drawdown: curve.drawdown[k] };
      }
    },
  });
}

/** sweepProgress: the current state first, then throttled progress, completing when the sweep ends. */
export async function* sweepStream(sweeps: SweepManager, id: number): AsyncGenerator<SweepSnapshot> {
  const iterator = sweeps.pubsub.subscribe('sweep', id)[Symbol.asyncIterator]();
  const first = iterator.next(); // listening from here on (see listen)
  try {
    const current = sweeps.snapshot(id);
    if (current === null) throw new SweepNotFoundError(String(id));
    yield current;
    if (!sweeps.activeSweep(id)) return;
    for (let r = await first; !r.done; r = await iterator.next()) {
      yield r.value.snapshot;
      if (r.value.kind === 'end') return;
    }
  } finally {
    await iterator.return?.();
  }
}

export class SweepNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no sweep with id ${id}`);
  }
}
