/** Status changes the main thread makes itself; each is conditional so it can never overwrite a final status. */
import { and, eq, inArray } from 'drizzle-orm';
import type { AppDatabase } from '../data/db.js';
import { runs } from '../data/schema/index.js';

/** QUEUED -> CANCELLED; false when the run already started (or ended). */
export function cancelQueuedRun(app: AppDatabase, id: number, error: string | null = null): boolean {
  const r = app.db
    .update(runs)
    .set({ status: 'CANCELLED', error, finishedAt: Date.now() })
    .where(and(eq(runs.id, id), eq(runs.status, 'QUEUED')))
    .run();
  return r.changes > 0;
}

/** QUEUED or RUNNING -> FAILED with `error`; for a worker that died without storing its outcome. */
export function failUnfinishedRun(app: AppDatabase, id: number, error: string): boolean {
  const r = app.db
    .update(runs)
    .set({ status: 'FAILED', error, finishedAt: Date.now() })
    .where(and(eq(runs.id, id), inArray(runs.status, ['QUEUED', 'RUNNING'])))
    .run();
  return r.changes > 0;
}
