/**
 * executeRun's asynchronous twin for `backtest run` on a Storage (Postgres): QUEUED -> RUNNING,
 * the run's bars from storage, the engine in this thread (simulateRun, unchanged), the outcome
 * encoded as a pool thread encodes it and stored as the service stores it. Progress goes to the
 * hooks only: the Storage interface keeps no progress of a running run.
 * The returned result's equity curve is the one the stored outcome was encoded from: a Storage that
 * takes the outcome's buffers (SqliteStorage hands them to its storage thread) leaves it unusable,
 * which is why the CLI runs SQLite through executeRun.
 */
import type { BarSeries } from '../engine/bars.js';
import type { MarketStorage, RunStorage } from '../data/storage.js';
import { encodeOutcome } from './encode-outcome.js';
import { barsInput, requireBars, simulateRun, type ExecutedRun, type RunHooks, type RunToExecute } from './execute-run.js';

export async function executeRunOnStorage(
  storage: Pick<RunStorage, 'markRunStarted' | 'storeOutcome' | 'storeFailure'> & Pick<MarketStorage, 'loadBars'>,
  job: RunToExecute,
  hooks: Omit<RunHooks, 'progressStoreIntervalMs'> = {},
): Promise<ExecutedRun> {
  const { runId } = job;
  if (!(await storage.markRunStarted(runId))) return { record: null, result: null }; // cancelled or deleted while queued
  const series: BarSeries[] = [];
  try {
    for (const symbol of job.run.symbols) series.push(requireBars(job, symbol, await storage.loadBars(barsInput(job, symbol))));
  } catch (e) {
    return { record: await storage.storeFailure(runId, e instanceof Error ? e.message : String(e), 0), result: null };
  }
  const simulated = simulateRun(series, job, hooks);
  const record = await storage.storeOutcome(runId, encodeOutcome(simulated));
  return { record, result: simulated.result ?? null, series };
}
