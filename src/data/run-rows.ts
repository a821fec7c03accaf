/**
 * The runs table's columns as the stores write them: a new run's row and a finished run's final
 * fields. Shared by the SQLite and Postgres stores (same columns, same JavaScript values).
 */
import type { FinishRunRecord } from './run-store.js';
import type { FinalRunStatus, NewRun } from './run-types.js';

/** A new run's row: QUEUED, nothing done yet, JSON columns serialised. */
export function newRunRow(run: NewRun, createdAt: number) {
  return {
    strategy: run.strategy,
    params: JSON.stringify(run.params),
    symbols: JSON.stringify(run.symbols),
    dataset: run.dataset,
    period: run.period,
    start: run.start ?? null,
    end: run.end ?? null,
    initialCash: run.initialCash,
    commission: JSON.stringify(run.commission),
    slippageBps: run.slippageBps,
    periodsPerYear: run.periodsPerYear ?? null,
    ownerKeyId: run.ownerKeyId ?? null,
    benchmark: run.benchmark ? JSON.stringify({ dataset: run.benchmark.dataset, symbol: run.benchmark.symbol }) : null,
    riskFreeRate: run.riskFreeRate ?? 0,
    status: 'QUEUED' as const,
    progress: 0,
    barsProcessed: 0,
    createdAt,
  };
}

export interface FinalRunFields {
  status: FinalRunStatus;
  error: string | null;
  finishedAt: number;
  progress?: number;
  metrics?: string;
  barsProcessed?: number;
}

/** The columns a run's end sets; progress, metrics and bars stay as they were when not given (COMPLETED: progress 1). */
export function finalRunFields(f: FinishRunRecord, finishedAt: number): FinalRunFields {
  const set: FinalRunFields = { status: f.status, error: f.error ?? null, finishedAt };
  if (f.status === 'COMPLETED') set.progress = 1;
  else if (f.progress !== undefined) set.progress = f.progress;
  if (f.metrics) set.metrics = JSON.stringify(f.metrics);
  if (f.barsProcessed !== undefined) set.barsProcessed = f.barsProcessed;
  return set;
}
