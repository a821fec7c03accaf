/**
 * The subscriptions' streams: replay what a run already produced, then follow it live, then end.
 *
 * Fills and equity samples are read by position from the active run's own buffers (the job
 * manager appends to them before it publishes), so a subscriber holds a cursor and nothing else:
 * however far it falls behind, it costs no memory of its own, and every item goes out exactly
 * once, in order. The run's topic only wakes the stream; the stream starts listening BEFORE it
 * looks the run up, in the same tick, so nothing published in between is missed. A run that has
 * already ended is replayed from storage, a page at a time.
 *
 * Status and sweep streams keep at most a handful of pending snapshots (progress steps of the same
 * status collapse into the latest), so a consumer that reads slowly never queues events either.
 * Every stream delivers through the shared pacer, which hands the event loop back between slices.
 */
import type { Fill } from '../engine/orders.js';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import { deliveryPacer, PacedSlot } from './delivery-pacer.js';
import type { RunJobs } from './run-jobs.js';
import type { ActiveRun } from './run-feed.js';
import { isTerminal, type EquitySample, type RunEvent, type StatusSnapshot } from './run-events.js';
import type { SweepEvent, SweepManager, SweepSnapshot } from './sweep-manager.js';

/** Points replayed for a run that has already ended: the curve downsampled, its last point the final equity. */
const STORED_EQUITY_REPLAY_POINTS = 500;
/** Fills read from storage at a time for a replay: what a paused subscriber of an ended run holds. */
const STORED_FILLS_PAGE = 2_048;
/** How often a sweep that another API instance runs is looked up in storage while its stream is quiet. */
const REMOTE_SWEEP_CHECK_MS = 2_000;

export class RunNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no run with id ${id}`);
  }
}

export class SweepNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no sweep with id ${id}`);
  }
}

interface StreamContext {
  readonly storage: Storage;
  readonly jobs: RunJobs;
}

/** A topic followed eagerly: each event is handed to `onEvent` as it arrives; nothing queues up. */
export interface TopicWatch {
  /** Resolves once something was published since the last call (at once if something already was). */
  changed(): Promise<void>;
  close(): void;
}

/**
 * Listens from now on (the first pull registers the pubsub listener synchronously: Repeater runs
 * its executor on the first next()), and keeps pulling so the Repeater's own queue stays empty.
 */
export function watchTopic<E>(source: AsyncIterable<E>, onEvent: (e: E) => void = () => {}): TopicWatch {
  const iterator = source[Symbol.asyncIterator]();
  const first = iterator.next();
  let fresh = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    fresh = true;
    const w = wake;
    wake = null;
    w?.();
  };
  void (async () => {
    try {
      for (let r = await first; !r.done; r = await iterator.next()) {
        onEvent(r.value);
        notify();
      }
    } finally {
      notify(); // a closed topic wakes its stream rather than leave it waiting
    }
  })().catch(() => {});
  return {
    changed() {
      if (fresh) {
        fresh = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        wake = () => {
          fresh = false;
          resolve();
        };
      });
    },
    close() {
      Promise.resolve(iterator.return?.()).catch(() => {});
    },
  };
}

/**
 * An active run of another API instance (REDIS_URL) becomes active here too; its events meanwhile
 * reach the caller's watch and its buffers, which the stream reads by position.
 */
export async function followRun(jobs: RunJobs, runId: number): Promise<void> {
  if (Number.isSafeInteger(runId) && !jobs.activeRun(runId)) await jobs.follow(runId);
}

const watchRun = (jobs: RunJobs, runId: number, onEvent?: (e: RunEvent) => void) => watchTopic(jobs.pubsub.subscribe('run', runId), onEvent);

async function requireRun(storage: Storage, runId: number, id: string): Promise<RunRecord> {
  const run = Number.isSafeInteger(runId) ? await storage.getRun(runId) : null;
  if (!run) throw new RunNotFoundError(id);
  return run;
}

export function parseRunId(id: string): number {
  return /^\d{1,15}$/.test(id) ? Number(id) : NaN;
}

/** Appends a snapshot, replacing a pending one of the same (non-final) status: at most one per status. */
function coalesce<S extends { readonly status: string }>(pending: S[], next: S, isFinal: (s: S) => boolean): void {
  const last = pending[pending.length - 1];
  if (last !== undefined && last.status === next.status && !isFinal(last)) pending[pending.length - 1] = next;
  else pending.push(next);
}

const snapshotOf = (e: RunEvent & StatusSnapshot): StatusSnapshot => ({ status: e.status, progress: e.progress, barsProcessed: e.barsProcessed, simTime: e.simTime });

/**
 * runStatus: the current state first, then every status change and the latest progress step,
 * completing after a final status. A reader slower than the progress events skips intermediate
 * steps; it never misses a change of status.
 */
export async function* statusStream({ storage, jobs }: StreamContext, id: string): AsyncGenerator<StatusSnapshot> {
  const runId = parseRunId(id);
  const pending: StatusSnapshot[] = [];
  const watch = watchRun(jobs, runId, (e) => {
    if (e.kind === 'status' || e.kind === 'end') coalesce(pending, snapshotOf(e), (s) => isTerminal(s.status));
  });
  const slot = new PacedSlot(deliveryPacer);
  try {
    await followRun(jobs, runId);
    pending.length = 0; // older than the state read next
    const job = jobs.activeRun(runId);
    if (!job) {
      const run = await requireRun(storage, runId, id);
      yield { status: run.status, progress: run.progress, barsProcessed: run.barsProcessed, simTime: null };
      return;
    }
    await slot.pace();
    yield job.state;
    for (;;) {
      for (let s = pending.shift(); s !== undefined; s = pending.shift()) {
        await slot.pace();
        yield s;
        if (isTerminal(s.status)) return;
      }
      await watch.changed();
    }
  } finally {
    watch.close();
  }
}

/**
 * Replays a run's sequence (fills or equity samples) from the active run's buffer by position,
 * then waits for more, until the run has ended and everything is delivered; for a run that has
 * already ended, `stored` is replayed.
 */
async function* replayThenLive<T>(
  { storage, jobs }: StreamContext,
  id: string,
  sequence: {
    readonly buffer: (job: ActiveRun) => readonly T[];
    readonly stored: (runId: number) => AsyncIterable<T>;
  },
): AsyncGenerator<T> {
  const runId = parseRunId(id);
  const watch = watchRun(jobs, runId);
  const slot = new PacedSlot(deliveryPacer);
  try {
    await followRun(jobs, runId);
    // An active run exists; only an ended one is looked up (one query less per subscriber).
    const job = jobs.activeRun(runId);
    if (!job) {
      watch.close();
      await requireRun(storage, runId, id);
      for await (const item of sequence.stored(runId)) {
        await slot.pace();
        yield item;
      }
      return;
    }
    const items = sequence.buffer(job);
    for (let next = 0; ; ) {
      while (next < items.length) {
        await slot.pace();
        yield items[next++]!;
      }
      // The job manager appends the last items before it marks the run ended, in one tick.
      if (isTerminal(job.state.status)) return;
      await watch.changed();
    }
  } finally {
    watch.close();
  }
}

/** runFills: every fill exactly once, in execution order, completing when the run ends. */
export function fillStream(ctx: StreamContext, id: string): AsyncGenerator<Fill> {
  return replayThenLive(ctx, id, {
    buffer: (job) => job.fills,
    stored: async function* (runId) {
      for (let offset = 0; ; offset += STORED_FILLS_PAGE) {
        const page = await ctx.storage.getFills(runId, { offset, limit: STORED_FILLS_PAGE });
        yield* page.items;
        if (page.items.length === 0 || offset + page.items.length >= page.totalCount) return;
      }
    },
  });
}

/** runEquity: equity samples from the start, then live ones; the last is the final equity. */
export function equityStream(ctx: StreamContext, id: string): AsyncGenerator<EquitySample> {
  return replayThenLive(ctx, id, {
    buffer: (job) => job.equity,
    stored: async function* (runId) {
      const curve = await ctx.storage.getEquityCurve(runId, STORED_EQUITY_REPLAY_POINTS);
      if (!curve) return;
      for (let k = 0; k < curve.length; k++) {
        yield { time: curve.time[k], equity: curve.equity[k], cash: curve.cash[k], drawdown: curve.drawdown[k] };
      }
    },
  });
}

/**
 * sweepProgress: the current state first, then progress (the latest snapshot when the reader is
 * behind), completing with the final snapshot when the sweep ends.
 */
export async function* sweepStream(sweeps: SweepManager, id: number): AsyncGenerator<SweepSnapshot> {
  const pending: SweepEvent[] = [];
  const watch = watchTopic(sweeps.pubsub.subscribe('sweep', id), (e) => {
    const last = pending[pending.length - 1];
    if (last?.kind === 'progress') pending[pending.length - 1] = e;
    else pending.push(e);
  });
  const slot = new PacedSlot(deliveryPacer);
  try {
    // An active sweep's live snapshot, checked in the same tick as the watch; else the stored (final) one.
    const job = sweeps.activeSweep(id);
    const first = job?.snapshot ?? (await sweeps.snapshot(id));
    if (first === null) throw new SweepNotFoundError(String(id));
    yield first;
    // Stored and not ended: another API instance runs it (REDIS_URL); its events come through Redis.
    if (!job && isTerminal(first.status)) return;
    for (;;) {
      for (let e = pending.shift(); e !== undefined; e = pending.shift()) {
        await slot.pace();
        yield e.snapshot;
        if (e.kind === 'end') return;
      }
      if (job) {
        await watch.changed();
        continue;
      }
      // Pub/sub through Redis may lose an event (see redis-event-target.ts): the stored end is checked too.
      const woke = await Promise.race([watch.changed().then(() => true), delay(REMOTE_SWEEP_CHECK_MS).then(() => false)]);
      if (woke) continue;
      const stored = await sweeps.snapshot(id);
      if (stored === null || isTerminal(stored.status)) {
        if (stored) yield stored;
        return;
      }
    }
  } finally {
    watch.close();
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
