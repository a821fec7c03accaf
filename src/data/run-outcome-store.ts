/**
 * Stores how a run ended: its result blocks in short transactions of about SLICE_BYTES each, then
 * the final status, metrics and equity curve in one last transaction (readers never see a finished
 * run without its results). Between transactions the writer yields, and `beforeWrite` may hold it
 * back (see write-gate.ts), so no one waits for more than one short transaction. A database locked
 * by another process is retried until `retryMs` has passed.
 */
import type { RunMetrics } from '../engine/results.js';
import { blockSlices as slices } from './block-slices.js';
import type { AppDatabase } from './db.js';
import type { EncodedEquity } from './equity-codec.js';
import type { ResultBlock } from './result-blocks.js';
import { deleteResults, insertEquity, insertResultBlocks } from './run-results.js';
import { deleteRuns, finishRunRecord, getRun } from './run-store.js';
import type { FinalRunStatus, RunRecord } from './run-types.js';

/** Bytes per write transaction: a few milliseconds each. */
export const SLICE_BYTES = 1024 * 1024;

/** How a run ended, ready to store (a pool thread encodes it; see workers/backtest.worker.ts). */
export interface RunOutcome {
  readonly status: FinalRunStatus;
  readonly error: string | null;
  readonly progress: number;
  readonly barsProcessed: number;
  readonly metrics: RunMetrics | null;
  /** Orders, fills and round trips as columnar blocks; empty when nothing is kept. */
  readonly blocks: readonly ResultBlock[];
  /** Encoded by the pool thread (equity-codec.ts). */
  readonly equity: EncodedEquity | null;
}

export interface WriteOptions {
  /** How long to retry a locked database (SQLITE_BUSY) before giving up with the error. */
  readonly retryMs: number;
  /** Called before each transaction (e.g. to let a waiting writer of another thread go first). */
  readonly beforeWrite?: () => void;
}

/** The run's stored record once the outcome is in; null when the run was deleted meanwhile. Throws when it cannot be stored. */
export async function storeOutcome(app: AppDatabase, runId: number, o: RunOutcome, opts: WriteOptions): Promise<RunRecord | null> {
  if (getRun(app, runId) === null) return null;
  try {
    await writeWithRetry(app, () => deleteResults(app, runId), opts);
    for (const slice of slices(o.blocks, SLICE_BYTES)) await writeWithRetry(app, () => insertResultBlocks(app, runId, slice), opts);
    return await writeWithRetry(
      app,
      () => {
        const record = finishRunRecord(app, runId, { status: o.status, error: o.error, progress: o.progress, metrics: o.metrics, barsProcessed: o.barsProcessed });
        if (record && o.equity) insertEquity(app, runId, o.equity);
        return record;
      },
      opts,
    );
  } catch (e) {
    // Deleted between two transactions: its blocks went with it (cascade), nothing to report.
    if (isForeignKeyError(e) && getRun(app, runId) === null) return null;
    throw e;
  }
}

/** Ends a run FAILED with `error`, dropping any results stored so far. Throws like storeOutcome. */
export function storeFailure(app: AppDatabase, runId: number, error: string, progress: number | undefined, opts: WriteOptions): Promise<RunRecord | null> {
  return writeWithRetry(
    app,
    () => {
      deleteResults(app, runId);
      return finishRunRecord(app, runId, { status: 'FAILED', error, progress });
    },
    opts,
  );
}

/** Deletes runs (their results by cascade) in transactions of 50 runs. */
export async function deleteRunsInSlices(app: AppDatabase, ids: readonly number[], opts: WriteOptions): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 50) {
    const slice = ids.slice(i, i + 50);
    n += await writeWithRetry(app, () => deleteRuns(app, slice), opts);
  }
  return n;
}

/** One write transaction, retried while another connection holds the write lock; yields to the event loop afterwards. */
export async function writeWithRetry<T>(app: AppDatabase, fn: () => T, opts: WriteOptions): Promise<T> {
  const deadline = Date.now() + opts.retryMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 500)) {
    try {
      opts.beforeWrite?.();
      const out = app.sqlite.transaction(fn).immediate();
      await new Promise((resolve) => setImmediate(resolve));
      return out;
    } catch (e) {
      if (!isBusyError(e) || Date.now() + wait > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** SQLITE_BUSY or SQLITE_LOCKED (any extended code): someone else holds the lock, try again later. */
export function isBusyError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function isForeignKeyError(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
