/**
 * Run lifecycle in the runs table: QUEUED -> RUNNING -> COMPLETED | FAILED | CANCELLED.
 * Transitions are conditional updates so a run cancelled meanwhile is not resurrected.
 */
import { and, count, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { BacktestResult, RunMetrics } from '../engine/results.js';
import type { AppDatabase } from './db.js';
import { writeResults } from './run-results.js';
import { finalRunFields, newRunRow } from './run-rows.js';
import { toRunRecord, type FinalRunStatus, type ListRunsOptions, type NewRun, type RunPage, type RunRecord } from './run-types.js';
import { runs } from './schema/index.js';

export * from './run-types.js';
export { deleteResults, getEquityColumns, getEquityCurve, getFills, getOrders, getRoundTrips, insertEquity, insertResultBlocks } from './run-results.js';

export function createRun(app: AppDatabase, run: NewRun): RunRecord {
  const row = app.db
    .insert(runs)
    .values(newRunRow(run, Date.now()))
    .returning()
    .get();
  return toRunRecord(row);
}

export function getRun(app: AppDatabase, id: number): RunRecord | null {
  const row = app.db.select().from(runs).where(eq(runs.id, id)).get();
  return row ? toRunRecord(row) : null;
}

/** QUEUED -> RUNNING. False when the run is gone or no longer queued (e.g. cancelled). */
export function markRunStarted(app: AppDatabase, id: number): boolean {
  const r = app.db
    .update(runs)
    .set({ status: 'RUNNING', startedAt: Date.now() })
    .where(and(eq(runs.id, id), eq(runs.status, 'QUEUED')))
    .run();
  return r.changes > 0;
}

/** QUEUED -> CANCELLED (`error`: why); false when the run already started (or ended). */
export function cancelQueuedRun(app: AppDatabase, id: number, error: string | null = null): boolean {
  const r = app.db
    .update(runs)
    .set({ status: 'CANCELLED', error, finishedAt: Date.now() })
    .where(and(eq(runs.id, id), eq(runs.status, 'QUEUED')))
    .run();
  return r.changes > 0;
}

/** Progress in [0, 1]. False when the run is not RUNNING any more, a hint for the worker to stop. */
export function updateRunProgress(app: AppDatabase, id: number, progress: number, barsProcessed: number): boolean {
  const r = app.db
    .update(runs)
    .set({ progress, barsProcessed })
    .where(and(eq(runs.id, id), eq(runs.status, 'RUNNING')))
    .run();
  return r.changes > 0;
}

export interface FinishRun {
  readonly status: FinalRunStatus;
  readonly error?: string | null;
  /** Stored with the status when given (a cancelled run may carry a partial result). */
  readonly result?: BacktestResult;
  /** Fraction done when the run ended; COMPLETED always stores 1. */
  readonly progress?: number;
}

/**
 * Final status plus orders, fills, round trips, metrics and equity, all in one
 * transaction so readers never see a finished run without its results.
 * Null when the run no longer exists (deleted while running).
 */
export function finishRun(app: AppDatabase, id: number, f: FinishRun): RunRecord | null {
  const finish = app.sqlite.transaction((): RunRecord | null => {
    const record = finishRunRecord(app, id, {
      status: f.status,
      error: f.error,
      progress: f.progress,
      metrics: f.result?.metrics,
      barsProcessed: f.result?.barsProcessed,
    });
    if (record && f.result) writeResults(app, id, f.result);
    return record;
  });
  return finish.immediate();
}

export interface FinishRunRecord {
  readonly status: FinalRunStatus;
  readonly error?: string | null;
  /** Fraction done when the run ended; COMPLETED always stores 1. */
  readonly progress?: number;
  readonly metrics?: RunMetrics | null;
  readonly barsProcessed?: number;
}

/**
 * The runs row's final status (and metrics), nothing else; the caller owns the transaction and
 * stores the result blocks before it (see run-outcome-store.ts). Null when the run is gone.
 */
export function finishRunRecord(app: AppDatabase, id: number, f: FinishRunRecord): RunRecord | null {
  const row = app.db.update(runs).set(finalRunFields(f, Date.now())).where(eq(runs.id, id)).returning().get();
  return row ? toRunRecord(row) : null;
}

/** Newest first, paged by id cursor. */
export function listRuns(app: AppDatabase, o: ListRunsOptions = {}): RunPage {
  const first = Math.max(0, o.first ?? 50);
  const filters: (SQL | undefined)[] = [
    o.status ? eq(runs.status, o.status) : undefined,
    o.strategy ? eq(runs.strategy, o.strategy) : undefined,
    o.ownerKeyId !== undefined ? eq(runs.ownerKeyId, o.ownerKeyId) : undefined,
  ];
  return app.sqlite.transaction((): RunPage => {
    const totalCount = app.db.select({ n: count() }).from(runs).where(and(...filters)).get()!.n;
    const cursor = o.after != null ? lt(runs.id, o.after) : undefined;
    const rows = app.db
      .select()
      .from(runs)
      .where(and(...filters, cursor))
      .orderBy(desc(runs.id))
      .limit(first + 1) // one extra row answers hasNextPage
      .all();
    return { runs: rows.slice(0, first).map(toRunRecord), totalCount, hasNextPage: rows.length > first };
  })();
}

/** Deletes runs and (by cascade) their results; returns how many runs existed. */
export function deleteRuns(app: AppDatabase, ids: readonly number[]): number {
  return app.sqlite
    .transaction((): number => {
      let n = 0;
      for (let i = 0; i < ids.length; i += 500) {
        n += app.db.delete(runs).where(inArray(runs.id, ids.slice(i, i + 500))).run().changes;
      }
      return n;
    })
    .immediate();
}

/** At startup: runs left QUEUED or RUNNING by a previous process will never finish; fail them. */
export function markInterruptedRuns(app: AppDatabase): number {
  return app.db
    .update(runs)
    .set({ status: 'FAILED', error: 'interrupted', finishedAt: Date.now() })
    .where(inArray(runs.status, ['QUEUED', 'RUNNING']))
    .run().changes;
}
