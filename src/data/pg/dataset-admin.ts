/**
 * Deleting and renaming datasets in Postgres: the counterpart of ../dataset-admin.ts, with the same
 * rules, results and DatasetAdminError problems. Both are market-data writes (lockMarketWrites);
 * the delete also locks runs and sweeps against writes while it checks and deletes, as SQLite's
 * single writer does, so no run or sweep can be queued or started on the dataset in between.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { DatasetAdminError, type DeletedDataset, type RenamedDataset } from '../dataset-admin.js';
import { datasetNameProblem } from '../dataset-name.js';
import type { PgDatabase } from '../postgres-db.js';
import { barChunks, coverage, datasets, instruments, runs, sweeps } from '../schema-pg/index.js';
import { lockMarketWrites, textProblem } from './bar-store.js';

const ACTIVE = ['QUEUED', 'RUNNING'] as const;

/**
 * Deletes a dataset with its instruments, bar chunks and coverage, in one transaction that first
 * checks no run or sweep on it is QUEUED or RUNNING. Throws DatasetAdminError: not-found, in-use.
 */
export async function deleteDataset(pg: PgDatabase, id: string): Promise<DeletedDataset> {
  // Text Postgres cannot store: no such dataset exists.
  if (textProblem(id) !== null) throw new DatasetAdminError({ kind: 'not-found', id });
  return pg.db.transaction(async (tx): Promise<DeletedDataset> => {
    await lockMarketWrites(tx);
    // SHARE: others may read runs and sweeps but not insert or update them until this commits.
    await tx.execute(sql`lock table ${runs}, ${sweeps} in share mode`);
    const [ds] = await tx.select().from(datasets).where(eq(datasets.id, id));
    if (!ds) throw new DatasetAdminError({ kind: 'not-found', id });
    // SQLite reads these through the (status, id) indexes: QUEUED ones first, each by id.
    const activeRuns = (
      await tx
        .select({ id: runs.id })
        .from(runs)
        .where(and(eq(runs.dataset, id), inArray(runs.status, ACTIVE)))
        .orderBy(sql`${runs.status} collate "C"`, asc(runs.id))
    ).map((r) => r.id);
    const activeSweeps = (
      await tx
        .select({ id: sweeps.id })
        .from(sweeps)
        .where(and(eq(sweeps.dataset, id), inArray(sweeps.status, ACTIVE)))
        .orderBy(sql`${sweeps.status} collate "C"`, asc(sweeps.id))
    ).map((s) => s.id);
    if (activeRuns.length > 0 || activeSweeps.length > 0) {
      throw new DatasetAdminError({ kind: 'in-use', id, runs: activeRuns, sweeps: activeSweeps });
    }
    const ofDataset = tx.select({ id: instruments.id }).from(instruments).where(eq(instruments.datasetId, id));
    const instrumentCount = (await ofDataset).length;
    let bars = 0;
    if (instrumentCount > 0) {
      const held = await tx.select({ bars: coverage.bars }).from(coverage).where(inArray(coverage.instrumentId, ofDataset));
      bars = held.reduce((n, c) => n + c.bars, 0);
      // Explicit deletes, as on the SQLite side, rather than relying on ON DELETE CASCADE.
      await tx.delete(barChunks).where(inArray(barChunks.instrumentId, ofDataset));
      await tx.delete(coverage).where(inArray(coverage.instrumentId, ofDataset));
      await tx.delete(instruments).where(eq(instruments.datasetId, id));
    }
    await tx.delete(datasets).where(eq(datasets.id, id));
    return { id, name: ds.name, instruments: instrumentCount, bars };
  });
}

/**
 * Sets a dataset's display name: trimmed, 1..MAX_DATASET_NAME_CHARS characters, no control
 * characters, and not the name of another dataset (ignoring case, compared in JavaScript as on the
 * SQLite side). Throws DatasetAdminError: not-found, bad-name.
 */
export async function renameDataset(pg: PgDatabase, id: string, newName: string): Promise<RenamedDataset> {
  const name = typeof newName === 'string' ? newName.trim() : '';
  // The shared rule refuses NUL (a control character); a lone surrogate is refused here only.
  const reason = datasetNameProblem(name) ?? textProblem(name);
  if (reason !== null) throw new DatasetAdminError({ kind: 'bad-name', reason });
  if (textProblem(id) !== null) throw new DatasetAdminError({ kind: 'not-found', id });
  return pg.db.transaction(async (tx): Promise<RenamedDataset> => {
    // Also keeps two renames from taking the same name at once.
    await lockMarketWrites(tx);
    const [ds] = await tx.select().from(datasets).where(eq(datasets.id, id));
    if (!ds) throw new DatasetAdminError({ kind: 'not-found', id });
    const lower = name.toLowerCase();
    const all = await tx.select({ id: datasets.id, name: datasets.name }).from(datasets).orderBy(sql`${datasets.id} collate "C"`);
    const clash = all.find((d) => d.id !== id && d.name.toLowerCase() === lower);
    if (clash) throw new DatasetAdminError({ kind: 'bad-name', reason: `${JSON.stringify(name)} is already the name of dataset ${clash.id}` });
    await tx.update(datasets).set({ name }).where(eq(datasets.id, id));
    return { id, name, previousName: ds.name };
  });
}
