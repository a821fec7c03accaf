/** Status changes the main thread makes itself; conditional so it can never overwrite a final status (ends are stored by the storage thread: data/run-outcome-store.ts). */
import { and, eq } from 'drizzle-orm';
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
