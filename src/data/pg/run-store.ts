/**
 * Runs in Postgres, the counterpart of ../run-store.ts and ../run-outcome-store.ts: the same
 * lifecycle (QUEUED -> RUNNING -> COMPLETED | FAILED | CANCELLED, transitions as conditional
 * updates), records and pages. A run's end is one transaction: Postgres keeps other readers and
 * writers going meanwhile, so it need not be split into short ones as on SQLite.
 */
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { PgDatabase } from '../postgres-db.js';
import type { RunOutcome } from '../run-outcome-store.js';
import { finalRunFields, newRunRow } from '../run-rows.js';
import { toRunRecord, type ListRunsOptions, type NewRun, type RunPage, type RunRecord } from '../run-types.js';
import { runs } from '../schema-pg/index.js';
import { eqId, idBelow, isPgInteger, pgText, readSnapshot, withDriverErrors } from './executor.js';
import { deleteResults, insertEquity, insertResultBlocks } from './run-results.js';

export { getEquityColumns, getEquityCurve, getFills, getOrders, getRoundTrips } from './run-results.js';

/** Runs per DELETE statement (one parameter each). */
const DELETE_BATCH = 1_000;

export async function createRun(pg: PgDatabase, run: NewRun): Promise<RunRecord> {
  const [row] = await pg.db.insert(runs).values(newRunRow(run, Date.now())).returning();
  return toRunRecord(row!);
}

export async function getRun(pg: PgDatabase, id: number): Promise<RunRecord | null> {
  const [row] = await pg.db.select().from(runs).where(eqId(runs.id, id));
  return row ? toRunRecord(row) : null;
}

/** QUEUED -> RUNNING. False when the run is gone or no longer queued (e.g. cancelled). */
export async function markRunStarted(pg: PgDatabase, id: number): Promise<boolean> {
  const r = await pg.db
    .update(runs)
    .set({ status: 'RUNNING', startedAt: Date.now() })
    .where(and(eqId(runs.id, id), eq(runs.status, 'QUEUED')));
  return (r.rowCount ?? 0) > 0;
}

/** QUEUED -> CANCELLED (`error`: why); false when the run already started (or ended). */
export async function cancelQueuedRun(pg: PgDatabase, id: number, error: string | null = null): Promise<boolean> {
  const r = await pg.db
    .update(runs)
    .set({ status: 'CANCELLED', error: pgText(error), finishedAt: Date.now() })
    .where(and(eqId(runs.id, id), eq(runs.status, 'QUEUED')));
  return (r.rowCount ?? 0) > 0;
}

/** Newest first, paged by id cursor; the count and the page from one snapshot. */
export function listRuns(pg: PgDatabase, o: ListRunsOptions = {}): Promise<RunPage> {
  const first = Math.max(0, o.first ?? 50);
  const filters: (SQL | undefined)[] = [
    o.status ? eq(runs.status, o.status) : undefined,
    o.strategy ? eq(runs.strategy, o.strategy) : undefined,
    o.ownerKeyId !== undefined ? eqId(runs.ownerKeyId, o.ownerKeyId) : undefined,
  ];
  return readSnapshot(pg, async (tx): Promise<RunPage> => {
    const [counted] = await tx.select({ n: count() }).from(runs).where(and(...filters));
    const cursor = o.after != null ? idBelow(runs.id, o.after) : undefined;
    const rows = await tx
      .select()
      .from(runs)
      .where(and(...filters, cursor))
      .orderBy(desc(runs.id))
      .limit(first + 1); // one extra row answers hasNextPage
    return { runs: rows.slice(0, first).map(toRunRecord), totalCount: counted?.n ?? 0, hasNextPage: rows.length > first };
  });
}

/** Deletes runs and (by cascade) their results, in one transaction; returns how many runs existed. */
export async function deleteRuns(pg: PgDatabase, ids: readonly number[]): Promise<number> {
  // An id no run can have (past 2^31, a fraction) deletes nothing, as on SQLite.
  const valid = ids.filter(isPgInteger);
  if (valid.length === 0) return 0;
  return pg.db.transaction(async (tx) => {
    let n = 0;
    for (let i = 0; i < valid.length; i += DELETE_BATCH) {
      n += (await tx.delete(runs).where(inArray(runs.id, valid.slice(i, i + DELETE_BATCH)))).rowCount ?? 0;
    }
    return n;
  });
}

/** At startup: runs left QUEUED or RUNNING by a previous process will never finish; fail them. */
export async function markInterruptedRuns(pg: PgDatabase): Promise<number> {
  const r = await pg.db
    .update(runs)
    .set({ status: 'FAILED', error: 'interrupted', finishedAt: Date.now() })
    .where(inArray(runs.status, ['QUEUED', 'RUNNING']));
  return r.rowCount ?? 0;
}

/**
 * The run's final status, metrics, result blocks and equity curve, replacing any results it had,
 * all in one transaction (readers never see a finished run without its results, and a failure
 * leaves the run as it was). Null when the run no longer exists: the update that ends it also locks
 * it, so a delete under way waits for the commit, or has committed and the run is not found.
 * Throws (the driver's error) when it cannot be stored.
 */
export async function storeOutcome(pg: PgDatabase, runId: number, o: RunOutcome): Promise<RunRecord | null> {
  if (!isPgInteger(runId)) return null;
  return withDriverErrors(
    pg.db.transaction(async (tx): Promise<RunRecord | null> => {
      const fields = finalRunFields({ status: o.status, error: pgText(o.error), progress: o.progress, metrics: o.metrics, barsProcessed: o.barsProcessed }, Date.now());
      const [row] = await tx.update(runs).set(fields).where(eq(runs.id, runId)).returning();
      if (!row) return null;
      await deleteResults(tx, runId);
      await insertResultBlocks(tx, runId, o.blocks);
      if (o.equity) await insertEquity(tx, runId, o.equity);
      return toRunRecord(row);
    }),
  );
}

/** Ends a run FAILED with `error`, dropping any results stored so far; null when the run no longer exists. */
export async function storeFailure(pg: PgDatabase, runId: number, error: string, progress?: number): Promise<RunRecord | null> {
  if (!isPgInteger(runId)) return null;
  return withDriverErrors(
    pg.db.transaction(async (tx): Promise<RunRecord | null> => {
      const [row] = await tx
        .update(runs)
        .set(finalRunFields({ status: 'FAILED', error: pgText(error), progress }, Date.now()))
        .where(eq(runs.id, runId))
        .returning();
      if (!row) return null;
      await deleteResults(tx, runId);
      return toRunRecord(row);
    }),
  );
}
