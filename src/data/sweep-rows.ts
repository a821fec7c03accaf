/**
 * The sweeps and sweep_results tables' rows as the stores write and read them. Shared by the SQLite
 * and Postgres stores (same columns, same JavaScript values).
 */
import type { RunMetrics } from '../engine/results.js';
import type { CommissionSpec } from './run-types.js';
import type { sweepResults, sweeps } from './schema/index.js';
import type { NewSweep, SweepRecord, SweepResultRecord } from './sweep-store.js';

export function toSweepRecord(row: typeof sweeps.$inferSelect): SweepRecord {
  return {
    ...row,
    baseParams: JSON.parse(row.baseParams) as Record<string, unknown>,
    grid: JSON.parse(row.grid) as Record<string, unknown[]>,
    symbols: JSON.parse(row.symbols) as string[],
    commission: JSON.parse(row.commission) as CommissionSpec,
    objective: row.objective as keyof RunMetrics,
  };
}

export function toResultRecord(row: typeof sweepResults.$inferSelect): SweepResultRecord {
  return {
    sweepId: row.sweepId,
    seq: row.seq,
    params: JSON.parse(row.params) as Record<string, unknown>,
    metrics: JSON.parse(row.metrics) as RunMetrics,
    objectiveValue: row.objectiveValue,
    runId: row.runId,
  };
}

/** A new sweep's row: QUEUED, JSON columns serialised. */
export function newSweepRow(s: NewSweep, createdAt: number) {
  return {
    ...s,
    baseParams: JSON.stringify(s.baseParams),
    grid: JSON.stringify(s.grid),
    symbols: JSON.stringify(s.symbols),
    commission: JSON.stringify(s.commission),
    status: 'QUEUED' as const,
    createdAt,
  };
}

/** A combination's result row (a combination that failed has none). */
export function sweepResultRow(sweepId: number, seq: number, params: Record<string, unknown>, metrics: RunMetrics, objective: keyof RunMetrics) {
  return { sweepId, seq, params: JSON.stringify(params), metrics: JSON.stringify(metrics), objectiveValue: objectiveValueOf(metrics, objective) };
}

/** The value results are ordered by; null (sorted last) when the metric is null or not finite. */
export function objectiveValueOf(metrics: RunMetrics, objective: keyof RunMetrics): number | null {
  const value = metrics[objective];
  return value === null || !Number.isFinite(value) ? null : value;
}
