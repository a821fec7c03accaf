/** Sweeps and their per-combination results in Postgres, the counterpart of ../sweep-store.ts. */
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { RunMetrics } from '../../engine/results.js';
import type { PgDatabase } from '../postgres-db.js';
import type { Page, PageOptions, RunStatus } from '../run-types.js';
import { sweepResults, sweeps } from '../schema-pg/index.js';
import type { CombinationOutcome, NewSweep, SweepPage, SweepRecord, SweepResultOrder, SweepResultRecord } from '../sweep-store.js';
import { newSweepRow, sweepResultRow, toResultRecord, toSweepRecord } from '../sweep-rows.js';
import { eqId, idBelow, pgText, readSnapshot } from './executor.js';

/** Result rows per INSERT: 6 parameters each, well under Postgres's 65,535 per statement. */
const INSERT_ROWS = 1_000;

export async function createSweep(pg: PgDatabase, s: NewSweep): Promise<SweepRecord> {
  const [row] = await pg.db.insert(sweeps).values(newSweepRow(s, Date.now())).returning();
  return toSweepRecord(row!);
}

export async function getSweep(pg: PgDatabase, id: number): Promise<SweepRecord | null> {
  const [row] = await pg.db.select().from(sweeps).where(eqId(sweeps.id, id));
  return row ? toSweepRecord(row) : null;
}

/** QUEUED -> RUNNING; false when it is no longer queued (or gone). */
export async function markSweepStarted(pg: PgDatabase, id: number): Promise<boolean> {
  const r = await pg.db
    .update(sweeps)
    .set({ status: 'RUNNING', startedAt: Date.now() })
    .where(and(eqId(sweeps.id, id), eq(sweeps.status, 'QUEUED')));
  return (r.rowCount ?? 0) > 0;
}

/** Stores a finished chunk of combinations and bumps the counters, in one transaction. */
export async function recordSweepResults(pg: PgDatabase, sweepId: number, objective: keyof RunMetrics, outcomes: readonly CombinationOutcome[]): Promise<void> {
  const rows: ReturnType<typeof sweepResultRow>[] = [];
  for (const o of outcomes) if (o.metrics !== null) rows.push(sweepResultRow(sweepId, o.seq, o.params, o.metrics, objective));
  const completed = rows.length;
  const failed = outcomes.length - completed;
  await pg.db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += INSERT_ROWS) await tx.insert(sweepResults).values(rows.slice(i, i + INSERT_ROWS));
    await tx
      .update(sweeps)
      .set({ completed: sql`${sweeps.completed} + ${completed}`, failed: sql`${sweeps.failed} + ${failed}` })
      .where(eqId(sweeps.id, sweepId));
  });
}

/** The sweep's final status, unless it has one already; the sweep as it is then (null when gone). */
export async function finishSweep(
  pg: PgDatabase,
  id: number,
  status: Extract<RunStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>,
  error: string | null = null,
): Promise<SweepRecord | null> {
  const [row] = await pg.db
    .update(sweeps)
    .set({ status, error: pgText(error), finishedAt: Date.now() })
    .where(and(eqId(sweeps.id, id), inArray(sweeps.status, ['QUEUED', 'RUNNING'])))
    .returning();
  return row ? toSweepRecord(row) : getSweep(pg, id);
}

export async function linkSweepRun(pg: PgDatabase, sweepId: number, seq: number, runId: number): Promise<void> {
  await pg.db
    .update(sweepResults)
    .set({ runId })
    .where(and(eqId(sweepResults.sweepId, sweepId), eqId(sweepResults.seq, seq)));
}

/** Orders results best first for the sweep's direction, nulls last, grid order breaking ties. */
function objectiveOrder(maximize: boolean) {
  return [
    sql`${sweepResults.objectiveValue} IS NULL`,
    maximize ? desc(sweepResults.objectiveValue) : asc(sweepResults.objectiveValue),
    asc(sweepResults.seq),
  ];
}

export function getSweepResults(pg: PgDatabase, sweep: SweepRecord, order: SweepResultOrder, page: PageOptions = {}): Promise<Page<SweepResultRecord>> {
  const where = eqId(sweepResults.sweepId, sweep.id);
  return readSnapshot(pg, async (tx): Promise<Page<SweepResultRecord>> => {
    const [counted] = await tx.select({ n: count() }).from(sweepResults).where(where);
    const rows = await tx
      .select()
      .from(sweepResults)
      .where(where)
      .orderBy(...(order === 'OBJECTIVE' ? objectiveOrder(sweep.maximize) : [asc(sweepResults.seq)]))
      .limit(page.limit === undefined ? Number.MAX_SAFE_INTEGER : Math.max(0, page.limit))
      .offset(Math.max(0, page.offset ?? 0));
    return { items: rows.map(toResultRecord), totalCount: counted?.n ?? 0 };
  });
}

export async function getBestSweepResults(pg: PgDatabase, sweep: SweepRecord, n: number): Promise<SweepResultRecord[]> {
  return (await getSweepResults(pg, sweep, 'OBJECTIVE', { limit: n })).items;
}

/** Newest first, paged by id cursor; the page and the count from one snapshot. */
export function listSweeps(pg: PgDatabase, o: { first?: number; after?: number | null; ownerKeyId?: number } = {}): Promise<SweepPage> {
  const first = Math.max(0, o.first ?? 20);
  const owner = o.ownerKeyId === undefined ? undefined : eqId(sweeps.ownerKeyId, o.ownerKeyId);
  return readSnapshot(pg, async (tx): Promise<SweepPage> => {
    const rows = await tx
      .select()
      .from(sweeps)
      .where(and(owner, o.after == null ? undefined : idBelow(sweeps.id, o.after)))
      .orderBy(desc(sweeps.id))
      .limit(first + 1);
    const [counted] = await tx.select({ n: count() }).from(sweeps).where(owner);
    return { sweeps: rows.slice(0, first).map(toSweepRecord), totalCount: counted?.n ?? 0, hasNextPage: rows.length > first };
  });
}

/** Sweeps left QUEUED or RUNNING by a process that died: FAILED 'interrupted'. */
export async function markInterruptedSweeps(pg: PgDatabase): Promise<number> {
  const r = await pg.db
    .update(sweeps)
    .set({ status: 'FAILED', error: 'interrupted', finishedAt: Date.now() })
    .where(inArray(sweeps.status, ['QUEUED', 'RUNNING']));
  return r.rowCount ?? 0;
}
