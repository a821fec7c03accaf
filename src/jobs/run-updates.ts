/**
 * runUpdates: one batched stream per run for dashboards. Each update carries the run's state and
 * the fills, order changes and equity samples since the previous update, so thirty watchers cost
 * thirty small messages a tenth of a second, not one message per fill each.
 *
 * Positions are the run's marks (run-marks.ts): update k ends at mark k, for every subscriber, and
 * `afterSeq` resumes after any of them with nothing lost and nothing repeated. A subscriber holds a
 * cursor into the active run's buffers and at most one update in flight: however far behind it
 * falls, it queues nothing (the transport closes a connection that stops reading; the client then
 * resumes with afterSeq). Live updates end at cuts common to all of a run's subscribers, at most one
 * per `intervalMs`, so those that keep up share each update (built and executed once); a backlog (a
 * replay, a slow reader) goes out in updates of up to `maxItemsPerUpdate` items as fast as it is read.
 *
 * A run that has ended is replayed from storage in pages with their own numbers, from
 * STORED_SEQ_BASE up: fills and orders a page at a time, then the equity curve (downsampled) with
 * the final state. A client that was following the run live and reconnects after its end resumes
 * from its mark into those pages, as long as the server still holds the run's marks (the last
 * `retainedRuns` runs watched); otherwise it is told to replay from the start.
 *
 * Order changes are each order's latest state: an update lists the orders that changed since the
 * previous one (once each); a resumed stream may repeat an order's state, never a fill.
 */
import type { Fill, Order } from '../engine/orders.js';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import { deliveryPacer, PacedSlot } from './delivery-pacer.js';
import type { RunJobs } from './run-jobs.js';
import type { ActiveRun } from './run-feed.js';
import { isTerminal, type EquitySample, type StatusSnapshot } from './run-events.js';
import type { RunMark } from './run-marks.js';
import { followRun, parseRunId, RunNotFoundError, watchTopic, type TopicWatch } from './run-streams.js';
import { shared } from './shared-event.js';

export interface RunUpdate {
  /** Mark number (live) or STORED_SEQ_BASE + page (replay of an ended run); increases along a stream. */
  readonly seq: number;
  readonly state: StatusSnapshot;
  readonly fills: readonly Fill[];
  /** Orders that changed since the previous update, each in its latest state, by id. */
  readonly orders: readonly Order[];
  readonly equity: readonly EquitySample[];
  /** The run's latest equity sample as of this update (null before the first). */
  readonly latestEquity: EquitySample | null;
}

export interface RunUpdateLimits {
  /** Least wall time between two cuts of a run's live tail (two live updates of a subscriber). */
  intervalMs: number;
  /** Fills + order changes + equity samples in one update (a single mark may exceed it). */
  maxItemsPerUpdate: number;
  /** Fills (and orders) per update when an ended run is replayed from storage. */
  storedPage: number;
  /** Points of the stored equity curve in a replay (downsampled, extremes kept). */
  storedEquityPoints: number;
  /** Ended runs whose marks are kept so that live positions stay resumable. */
  retainedRuns: number;
}

export const RUN_UPDATE_LIMITS: RunUpdateLimits = {
  intervalMs: 100,
  maxItemsPerUpdate: 5_000,
  storedPage: 2_048,
  storedEquityPoints: 1_000,
  retainedRuns: 256,
};

/** First sequence number of a stored replay: live marks never get near it (one per worker message). */
export const STORED_SEQ_BASE = 1_000_000_000;

/** An afterSeq that names no position of this run; the message says why and what to do. */
export class AfterSeqError extends Error {
  constructor(readonly reason: string) {
    super(`afterSeq: ${reason}`);
  }
}

interface StreamContext {
  readonly storage: Storage;
  readonly jobs: RunJobs;
}

/** Where a stream starts. */
type StartPoint =
  | { readonly kind: 'live'; readonly job: ActiveRun; readonly cursor: number }
  | { readonly kind: 'stored'; readonly run: RunRecord; readonly fromPage: number; readonly after: ResumePoint | null }
  | { readonly kind: 'done' };

/** What a client resuming into a stored replay already has. */
interface ResumePoint {
  readonly fills: number;
  readonly orderTime: number;
  readonly equityTime: number;
}

const NO_MARK: RunMark = {
  fills: 0,
  orderChanges: 0,
  equity: 0,
  state: { status: 'QUEUED', progress: 0, barsProcessed: 0, simTime: null },
  orderTime: -Infinity,
  equityTime: -Infinity,
};

/** Marks of runs watched through runUpdates, per job manager, kept after the run ends (oldest dropped first). */
const retainedMarks = new WeakMap<RunJobs, Map<number, readonly RunMark[]>>();

function retain(jobs: RunJobs, runId: number, marks: readonly RunMark[]): void {
  let runs = retainedMarks.get(jobs);
  if (!runs) retainedMarks.set(jobs, (runs = new Map()));
  runs.delete(runId);
  runs.set(runId, marks);
  while (runs.size > RUN_UPDATE_LIMITS.retainedRuns) runs.delete(runs.keys().next().value!);
}

/**
 * Where a stream of `runId` after `afterSeq` starts; AfterSeqError when afterSeq names no position
 * of the run. The schema awaits it to refuse a bad afterSeq before the stream starts. An active run
 * is read from its buffers, which hold everything its topic published to the caller's watch.
 */
export async function planRunUpdates({ storage, jobs }: StreamContext, runId: number, afterSeq: number | null): Promise<StartPoint> {
  await followRun(jobs, runId);
  const job = jobs.activeRun(runId);
  if (job) {
    retain(jobs, runId, job.marks);
    if (afterSeq === null) return { kind: 'live', job, cursor: 0 };
    if (afterSeq > job.marks.length) throw new AfterSeqError(`${afterSeq} is past the run's last update (${job.marks.length})`);
    return { kind: 'live', job, cursor: afterSeq };
  }
  const run = await storage.getRun(runId);
  if (!run) throw new RunNotFoundError(String(runId));
  if (afterSeq === null || afterSeq === 0) return { kind: 'stored', run, fromPage: 0, after: null };
  if (afterSeq >= STORED_SEQ_BASE) {
    const page = afterSeq - STORED_SEQ_BASE;
    const pages = await storedPages(storage, runId);
    if (page > pages + 1) throw new AfterSeqError(`${afterSeq} is past the replay's last update (${STORED_SEQ_BASE + pages + 1})`);
    return page === pages + 1 ? { kind: 'done' } : { kind: 'stored', run, fromPage: page, after: null };
  }
  let marks = retainedMarks.get(jobs)?.get(runId);
  if (!marks) {
    // Another API instance's run (REDIS_URL): its positions are rebuilt from its event log, if it is still kept.
    const replayed = await jobs.endedMarks(runId);
    if (replayed) retain(jobs, runId, (marks = replayed));
  }
  if (!marks) {
    throw new AfterSeqError(`run ${runId} has ended and the server no longer holds its live positions; subscribe without afterSeq to replay it from storage`);
  }
  if (afterSeq > marks.length) throw new AfterSeqError(`${afterSeq} is past the run's last update (${marks.length})`);
  if (afterSeq === marks.length) return { kind: 'done' };
  const mark = marks[afterSeq - 1]!;
  return {
    kind: 'stored',
    run,
    fromPage: Math.floor(mark.fills / RUN_UPDATE_LIMITS.storedPage),
    after: { fills: mark.fills, orderTime: mark.orderTime, equityTime: mark.equityTime },
  };
}

/** The run's updates after `afterSeq` (null: from the start), replayed, then live, completing after the final state. */
export async function* runUpdateStream(ctx: StreamContext, id: string, afterSeq: number | null): AsyncGenerator<RunUpdate> {
  const runId = parseRunId(id);
  if (!Number.isSafeInteger(runId)) throw new RunNotFoundError(id);
  // Listening starts before the run is looked up, so its end cannot slip in between.
  // Wakes the stream when the run publishes anything; events themselves are read from its buffers.
  const watch = watchTopic(ctx.jobs.pubsub.subscribe('run', runId));
  const slot = new PacedSlot(deliveryPacer);
  try {
    const start = await planRunUpdates(ctx, runId, afterSeq);
    if (start.kind === 'live') {
      yield* liveUpdates(start.job, start.cursor, watch, slot);
    } else if (start.kind === 'stored') {
      watch.close();
      yield* storedUpdates(ctx.storage, start.run, start.fromPage, start.after, slot);
    }
  } finally {
    watch.close();
  }
}

const itemsBetween = (a: RunMark, b: RunMark) => b.fills - a.fills + (b.orderChanges - a.orderChanges) + (b.equity - a.equity);

/**
 * The live tail of an active run, shared by its subscribers: updates end at common cuts (the run's
 * head, taken at most once per intervalMs), so subscribers that keep up receive the very same
 * update object, built once.
 */
interface LiveShare {
  /** Marks [0, cut) are out to subscribers that keep up. */
  cut: number;
  cutAt: number;
  /** Updates built lately, by `from:to` mark numbers. */
  readonly updates: Map<string, RunUpdate>;
}

const liveShares = new WeakMap<ActiveRun, LiveShare>();
/** Updates kept for subscribers that ask for the same range a moment later. */
const SHARED_UPDATES = 8;

function liveShareOf(job: ActiveRun): LiveShare {
  let share = liveShares.get(job);
  if (!share) liveShares.set(job, (share = { cut: 0, cutAt: -Infinity, updates: new Map() }));
  return share;
}

/** The mark count live updates end at now: a new cut once the interval has passed, or at once for the final state. */
function liveCut(job: ActiveRun, share: LiveShare, now: number): number {
  const head = job.marks.length;
  const final = head > 0 && isTerminal(job.marks[head - 1]!.state.status);
  if (head !== share.cut && (final || now - share.cutAt >= RUN_UPDATE_LIMITS.intervalMs)) {
    share.cut = head;
    share.cutAt = now;
  }
  return share.cut;
}

function sharedUpdate(job: ActiveRun, share: LiveShare, cursor: number, end: number): RunUpdate {
  const key = `${cursor}:${end}`;
  let update = share.updates.get(key);
  if (!update) {
    // Built once for every subscriber that asks for this range: executed once per query too.
    update = shared(liveUpdate(job, cursor === 0 ? NO_MARK : job.marks[cursor - 1]!, job.marks[end - 1]!, end));
    share.updates.set(key, update);
    if (share.updates.size > SHARED_UPDATES) share.updates.delete(share.updates.keys().next().value!);
  }
  return update;
}

async function* liveUpdates(job: ActiveRun, cursor: number, watch: TopicWatch, slot: PacedSlot): AsyncGenerator<RunUpdate> {
  const share = liveShareOf(job);
  for (;;) {
    const marks = job.marks;
    if (cursor < marks.length) {
      const from = cursor === 0 ? NO_MARK : marks[cursor - 1]!;
      let end = cursor + 1;
      while (end < marks.length && itemsBetween(from, marks[end]!) <= RUN_UPDATE_LIMITS.maxItemsPerUpdate) end++;
      // A backlog (replay, a slow reader) goes out at once in full updates; the live tail at the shared cuts.
      if (end === marks.length) {
        const cut = liveCut(job, share, performance.now());
        if (cut <= cursor) {
          await delay(Math.max(1, share.cutAt + RUN_UPDATE_LIMITS.intervalMs - performance.now()));
          continue;
        }
        end = cut;
      }
      const update = sharedUpdate(job, share, cursor, end);
      cursor = end;
      await slot.pace();
      yield update;
      // The end is the run's last mark: nothing follows a final state.
      if (isTerminal(update.state.status)) return;
      continue;
    }
    if (marks.length > 0 && isTerminal(marks[marks.length - 1]!.state.status)) return;
    await watch.changed();
  }
}

function liveUpdate(job: ActiveRun, from: RunMark, to: RunMark, seq: number): RunUpdate {
  const changed = new Set<number>();
  for (let i = from.orderChanges; i < to.orderChanges; i++) changed.add(job.orderLog[i]!);
  const orders: Order[] = [];
  for (const id of [...changed].sort((a, b) => a - b)) orders.push(job.orders[id - 1]!);
  return {
    seq,
    state: to.state,
    fills: job.fills.slice(from.fills, to.fills),
    orders,
    equity: job.equity.slice(from.equity, to.equity),
    latestEquity: to.equity > 0 ? job.equity[to.equity - 1]! : null,
  };
}

/** Pages of fills and orders a stored replay has before its final update. */
async function storedPages(storage: Storage, runId: number): Promise<number> {
  const fills = (await storage.getFills(runId, { offset: 0, limit: 1 })).totalCount;
  const orders = (await storage.getOrders(runId, { offset: 0, limit: 1 })).totalCount;
  const page = RUN_UPDATE_LIMITS.storedPage;
  return Math.max(Math.ceil(fills / page), Math.ceil(orders / page));
}

/**
 * An ended run from storage: update k (k = 1..pages) holds fills and orders [(k-1)P, kP), the
 * last one the equity curve and the final state. Resuming after page p starts with page p + 1;
 * resuming from a live mark skips what that mark had (and adds orders changed since, from earlier pages).
 */
async function* storedUpdates(storage: Storage, run: RunRecord, fromPage: number, after: ResumePoint | null, slot: PacedSlot): AsyncGenerator<RunUpdate> {
  const P = RUN_UPDATE_LIMITS.storedPage;
  const curve = await storage.getEquityCurve(run.id, RUN_UPDATE_LIMITS.storedEquityPoints);
  const points: EquitySample[] = [];
  for (let k = 0; k < (curve?.length ?? 0); k++) points.push({ time: curve!.time[k]!, equity: curve!.equity[k]!, cash: curve!.cash[k]!, drawdown: curve!.drawdown[k]! });
  const last = points.length > 0 ? points[points.length - 1]! : null;
  const state: StatusSnapshot = { status: run.status, progress: run.progress, barsProcessed: run.barsProcessed, simTime: last?.time ?? null };
  const changedSince = (o: Order) => after === null || o.updatedAt > after.orderTime;

  const pages = await storedPages(storage, run.id);
  // Resuming from a live mark: orders of the pages before the first one sent that changed since.
  let carried: Order[] = [];
  if (after !== null) {
    for (let e = 1; e <= fromPage; e++) for (const o of (await storage.getOrders(run.id, { offset: (e - 1) * P, limit: P })).items) if (changedSince(o)) carried.push(o);
  }
  for (let k = fromPage + 1; k <= pages; k++) {
    const fills = (await storage.getFills(run.id, { offset: (k - 1) * P, limit: P })).items;
    const skip = after === null ? 0 : Math.max(0, after.fills - (k - 1) * P);
    const orders = carried;
    carried = [];
    for (const o of (await storage.getOrders(run.id, { offset: (k - 1) * P, limit: P })).items) if (changedSince(o)) orders.push(o);
    const pageFills = skip > 0 ? fills.slice(skip) : fills;
    if (pageFills.length === 0 && orders.length === 0) continue;
    await slot.pace();
    yield { seq: STORED_SEQ_BASE + k, state, fills: pageFills, orders, equity: [], latestEquity: null };
  }
  const equity = after === null ? points : points.filter((p) => p.time > after.equityTime);
  await slot.pace();
  yield { seq: STORED_SEQ_BASE + pages + 1, state, fills: [], orders: carried, equity, latestEquity: last };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
