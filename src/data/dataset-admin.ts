/**
 * Deleting and renaming datasets. A dataset is keyed by its id (what runs, sweeps and `--dataset`
 * refer to); its name is a display label. Renaming changes the label only, so stored runs keep
 * pointing at the same id. Deleting removes its instruments, bars and coverage, but not finished
 * runs that used it: runs copy the dataset id as text and keep their own results.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { datasetNameProblem } from './dataset-name.js';
import type { AppDatabase } from './db.js';
import { barChunks, coverage, datasets, instruments, runs, sweeps } from './schema/index.js';

export { MAX_DATASET_NAME_CHARS } from './dataset-name.js';

const ACTIVE = ['QUEUED', 'RUNNING'] as const;

export type DatasetAdminProblem =
  | { readonly kind: 'not-found'; readonly id: string }
  /** Runs and sweeps (ids) still QUEUED or RUNNING on the dataset. */
  | { readonly kind: 'in-use'; readonly id: string; readonly runs: readonly number[]; readonly sweeps: readonly number[] }
  /** `reason` completes "name ...", e.g. 'must not be empty'. */
  | { readonly kind: 'bad-name'; readonly reason: string };

/** A refused delete or rename; `field` is the argument at fault ('id' or 'name'). */
export class DatasetAdminError extends Error {
  override readonly name = 'DatasetAdminError';
  readonly field: 'id' | 'name';
  constructor(readonly problem: DatasetAdminProblem) {
    super(describe(problem));
    this.field = problem.kind === 'bad-name' ? 'name' : 'id';
  }
}

export interface DeletedDataset {
  readonly id: string;
  readonly name: string;
  readonly instruments: number;
  /** Bars removed, all periods together. */
  readonly bars: number;
}

export interface RenamedDataset {
  readonly id: string;
  readonly name: string;
  readonly previousName: string;
}

/**
 * Deletes a dataset with its instruments, bar chunks and coverage, in one write transaction that
 * first checks no run or sweep on it is QUEUED or RUNNING (so a run cannot start between the
 * check and the delete). Throws DatasetAdminError: not-found, in-use.
 */
export function deleteDataset(app: AppDatabase, id: string): DeletedDataset {
  const remove = app.sqlite.transaction((): DeletedDataset => {
    const ds = app.db.select().from(datasets).where(eq(datasets.id, id)).get();
    if (!ds) throw new DatasetAdminError({ kind: 'not-found', id });
    const activeRuns = app.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.dataset, id), inArray(runs.status, ACTIVE)))
      .all()
      .map((r) => r.id);
    const activeSweeps = app.db
      .select({ id: sweeps.id })
      .from(sweeps)
      .where(and(eq(sweeps.dataset, id), inArray(sweeps.status, ACTIVE)))
      .all()
      .map((s) => s.id);
    if (activeRuns.length > 0 || activeSweeps.length > 0) {
      throw new DatasetAdminError({ kind: 'in-use', id, runs: activeRuns, sweeps: activeSweeps });
    }
    const instrumentIds = app.db.select({ id: instruments.id }).from(instruments).where(eq(instruments.datasetId, id)).all().map((i) => i.id);
    let bars = 0;
    if (instrumentIds.length > 0) {
      const held = app.db.select({ bars: coverage.bars }).from(coverage).where(inArray(coverage.instrumentId, instrumentIds)).all();
      bars = held.reduce((n, c) => n + c.bars, 0);
      // Explicit deletes rather than relying on ON DELETE CASCADE: correct even on a connection without foreign_keys.
      app.db.delete(barChunks).where(inArray(barChunks.instrumentId, instrumentIds)).run();
      app.db.delete(coverage).where(inArray(coverage.instrumentId, instrumentIds)).run();
      app.db.delete(instruments).where(eq(instruments.datasetId, id)).run();
    }
    app.db.delete(datasets).where(eq(datasets.id, id)).run();
    return { id, name: ds.name, instruments: instrumentIds.length, bars };
  });
  return remove.immediate();
}

/**
 * Sets a dataset's display name: trimmed, 1..MAX_DATASET_NAME_CHARS characters, no control
 * characters, and not the name of another dataset (ignoring case). Throws DatasetAdminError:
 * not-found, bad-name.
 */
export function renameDataset(app: AppDatabase, id: string, newName: string): RenamedDataset {
  const name = typeof newName === 'string' ? newName.trim() : '';
  const reason = datasetNameProblem(name);
  if (reason !== null) throw new DatasetAdminError({ kind: 'bad-name', reason });
  const rename = app.sqlite.transaction((): RenamedDataset => {
    const ds = app.db.select().from(datasets).where(eq(datasets.id, id)).get();
    if (!ds) throw new DatasetAdminError({ kind: 'not-found', id });
    const lower = name.toLowerCase();
    const clash = app.db
      .select({ id: datasets.id, name: datasets.name })
      .from(datasets)
      .all()
      .find((d) => d.id !== id && d.name.toLowerCase() === lower);
    if (clash) throw new DatasetAdminError({ kind: 'bad-name', reason: `${JSON.stringify(name)} is already the name of dataset ${clash.id}` });
    app.db.update(datasets).set({ name }).where(eq(datasets.id, id)).run();
    return { id, name, previousName: ds.name };
  });
  return rename.immediate();
}

function describe(p: DatasetAdminProblem): string {
  switch (p.kind) {
    case 'not-found':
      return `no dataset with id ${JSON.stringify(p.id.length > 64 ? `${p.id.slice(0, 64)}…` : p.id)}`;
    case 'in-use': {
      const users = [
        p.runs.length > 0 ? `run${p.runs.length > 1 ? 's' : ''} ${list(p.runs)}` : '',
        p.sweeps.length > 0 ? `sweep${p.sweeps.length > 1 ? 's' : ''} ${list(p.sweeps)}` : '',
      ].filter(Boolean);
      return `dataset ${p.id} is in use by ${users.join(' and ')} (queued or running); wait for them to finish or cancel them first`;
    }
    case 'bad-name':
      return `name ${p.reason}`;
  }
}

function list(ids: readonly number[]): string {
  return ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
}
