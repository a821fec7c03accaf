/** Storing sweeps and their per-combination results; the API reads them page by page. */
import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { BarPeriod } from '../engine/bars.js';
import type { RunMetrics } from '../engine/results.js';
import type { AppDatabase } from './db.js';
import type { CommissionSpec, Page, PageOptions, RunStatus } from './run-types.js';
import { sweepResults, sweeps } from './schema/index.js';
import { newSweepRow, sweepResultRow, toResultRecord, toSweepRecord } from './sweep-rows.js';

export interface NewSweep {
  readonly strategy: string;
  readonly baseParams: Readonly<Record<string, unknown>>;
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  readonly symbols: readonly string[];
  readonly dataset: string;
  readonly period: BarPeriod;
  readonly start: string | null;
  readonly end: string | null;
  readonly initialCash: number;
  readonly commission: CommissionSpec;
  readonly slippageBps: number;
  readonly periodsPerYear: number;
  readonly objective: keyof RunMetrics;
  readonly maximize: boolean;
  readonly keepTop: number;
  readonly total: number;
  readonly skipped: number;
  /** The API key that started the sweep; null/absent when the service runs without keys. */
  readonly ownerKeyId?: number | null;
}

type SweepRow = typeof sweeps.$inferSelect;

export interface SweepRecord extends Omit<SweepRow, 'baseParams' | 'grid' | 'symbols' | 'commission' | 'objective'> {
  readonly baseParams: Record<string, unknown>;
  readonly grid: Record<string, unknown[]>;
  readonly symbols: string[];
  readonly commission: CommissionSpec;
  readonly objective: keyof RunMetrics;
}

export interface SweepResultRecord {
  readonly sweepId: number;
  readonly seq: number;
  readonly params: Record<string, unknown>;
  readonly metrics: RunMetrics;
  readonly objectiveValue: number | null;
  readonly runId: number | null;
}

export type SweepResultOrder = 'OBJECTIVE' | 'GRID';

export function createSweep(app: AppDatabase, s: NewSweep): SweepRecord {
  const row = app.db
    .insert(sweeps)
    .values(newSweepRow(s, Date.now()))
    .returning()
    .get();
  return toSweepRecord(row);
}

export function getSweep(app: AppDatabase, id: number): SweepRecord | null {
  const row = app.db.select().from(sweeps).where(eq(sweeps.id, id)).get();
  return row ? toSweepRecord(row) : null;
}

export function markSweepStarted(app: AppDatabase, id: number): boolean {
  return app.db.update(sweeps).set({ status: 'RUNNING', startedAt: Date.now() }).where(and(eq(sweeps.id, id), eq(sweeps.status, 'QUEUED'))).run().changes > 0;
}

export interface CombinationOutcome {
  readonly seq: number;
  readonly params: Record<string, unknown>;
  /** Null when the combination failed. */
  readonly metrics: RunMetrics | null;
}

/** Stores a finished chunk of combinations and bumps the counters, in one transaction. */
export function recordSweepResults(app: AppDatabase, sweepId: number, objective: keyof RunMetrics, outcomes: readonly CombinationOutcome[]): void {
  app.sqlite.transaction(() => {
    let completed = 0;
    let failed = 0;
    for (const o of outcomes) {
      if (o.metrics === null) {
        failed++;
        continue;
      }
      completed++;
      app.db
        .insert(sweepResults)
        .values(sweepResultRow(sweepId, o.seq, o.params, o.metrics, objective))
        .run();
    }
    app.db
      .update(sweeps)
      .set({ completed: sql`${sweeps.completed} + ${completed}`, failed: sql`${sweeps.failed} + ${failed}` })
      .where(eq(sweeps.id, sweepId))
      .run();
  })();
}

export function finishSweep(app: AppDatabase, id: number, status: Extract<RunStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>, error: string | null = null): SweepRecord | null {
  const row = app.db
    .update(sweeps)
    .set({ status, error, finishedAt: Date.now() })
    .where(and(eq(sweeps.id, id), inArray(sweeps.status, ['QUEUED', 'RUNNING'])))
    .returning()
    .get();
  return row ? toSweepRecord(row) : getSweep(app, id);
}

export function linkSweepRun(app: AppDatabase, sweepId: number, seq: number, runId: number): void {
  app.db.update(sweepResults).set({ runId }).where(and(eq(sweepResults.sweepId, sweepId), eq(sweepResults.seq, seq))).run();
}

/** Orders results best first for the sweep's direction, nulls last, grid order breaking ties. */
function objectiveOrder(maximize: boolean) {
  return [
    sql`${sweepResults.objectiveValue} IS NULL`,
    maximize ? desc(sweepResults.objectiveValue) : asc(sweepResults.objectiveValue),
    asc(sweepResults.seq),
  ];
}

export function getSweepResults(app: AppDatabase, sweep: SweepRecord, order: SweepResultOrder, page: PageOptions = {}): Page<SweepResultRecord> {
  const where = eq(sweepResults.sweepId, sweep.id);
  return app.sqlite.transaction((): Page<SweepResultRecord> => {
    const totalCount = app.db.select({ n: count() }).from(sweepResults).where(where).get()?.n ?? 0;
    const rows = app.db
      .select()
      .from(sweepResults)
      .where(where)
      .orderBy(...(order === 'OBJECTIVE' ? objectiveOrder(sweep.maximize) : [asc(sweepResults.seq)]))
      .limit(page.limit === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, page.limit))
      .offset(Math.max(0, page.offset ?? 0))
      .all();
    return { items: rows.map(toResultRecord), totalCount };
  })();
}

export function getBestSweepResults(app: AppDatabase, sweep: SweepRecord, n: number): SweepResultRecord[] {
  return getSweepResults(app, sweep, 'OBJECTIVE', { limit: n }).items;
}

export interface SweepPage {
  readonly sweeps: SweepRecord[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
}

/** Newest first, paged by id cursor. */
export function listSweeps(app: AppDatabase, o: { first?: number; after?: number | null; ownerKeyId?: number } = {}): SweepPage {
  const first = Math.max(0, o.first ?? 20);
  const owner = o.ownerKeyId === undefined ? undefined : eq(sweeps.ownerKeyId, o.ownerKeyId);
  const rows = app.db
    .select()
    .from(sweeps)
    .where(and(owner, o.after == null ? undefined : lt(sweeps.id, o.after)))
    .orderBy(desc(sweeps.id))
    .limit(first + 1)
    .all();
  const totalCount = app.db.select({ n: count() }).from(sweeps).where(owner).get()?.n ?? 0;
  return { sweeps: rows.slice(0, first).map(toSweepRecord), totalCount, hasNextPage: rows.length > first };
}

/** Sweeps left QUEUED or RUNNING by a process that died: FAILED 'interrupted'. */
export function markInterruptedSweeps(app: AppDatabase): number {
  return app.db
    .update(sweeps)
    .set({ status: 'FAILED', error: 'interrupted', finishedAt: Date.now() })
    .where(inArray(sweeps.status, ['QUEUED', 'RUNNING']))
    .run().changes;
}

