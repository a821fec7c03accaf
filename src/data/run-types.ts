/** Shapes of stored runs as the rest of the service sees them: JSON columns already parsed. */
import type { AccountSettings } from '../engine/account.js';
import type { BarPeriod } from '../engine/bars.js';
import type { RiskLimits } from '../engine/risk-limits.js';
import type { RunMetrics } from '../engine/results.js';
import type { RunStatus, runs } from './schema/runs.js';

export type { RunStatus } from './schema/runs.js';
export { RUN_STATUSES } from './schema/runs.js';

/** Same shape as the engine's CommissionSettings; kept here so storage does not depend on the cost models. */
export interface CommissionSpec {
  readonly perUnit: number;
  readonly minimumPerOrder: number;
  readonly percentOfNotional: number;
}

export interface NewRun {
  readonly strategy: string;
  /** The fully resolved parameter set (defaults filled in). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly dataset: string;
  readonly period: BarPeriod;
  /** YYYY-MM-DD inclusive, or null/absent for unbounded. */
  readonly start?: string | null;
  readonly end?: string | null;
  readonly initialCash: number;
  readonly commission: CommissionSpec;
  readonly slippageBps: number;
  readonly periodsPerYear?: number | null;
  /** The API key that started the run; null/absent when the service runs without keys. */
  readonly ownerKeyId?: number | null;
  /** Buy-and-hold of this symbol is the run's benchmark in its analytics; null/absent = none. */
  readonly benchmark?: BenchmarkSpec | null;
  /** Annual risk-free rate, a fraction (default 0). */
  readonly riskFreeRate?: number;
  /** The account traded in (absent: MARGIN with leverage 1). Passed to the engine, not stored. */
  readonly account?: AccountSettings;
  /** Risk limits checked before the broker (absent: none). Passed to the engine, not stored. */
  readonly risk?: RiskLimits;
}

export interface BenchmarkSpec {
  readonly dataset: string;
  readonly symbol: string;
}

type RunRow = typeof runs.$inferSelect;

export interface RunRecord extends Omit<RunRow, 'params' | 'symbols' | 'commission' | 'metrics' | 'benchmark'> {
  readonly benchmark: BenchmarkSpec | null;
  readonly params: Record<string, unknown>;
  readonly symbols: string[];
  readonly commission: CommissionSpec;
  readonly metrics: RunMetrics | null;
}

export type FinalRunStatus = Extract<RunStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>;

export interface ListRunsOptions {
  /** Page size; default 50. */
  readonly first?: number;
  /** Cursor: the id of the last run of the previous page; returns older runs. */
  readonly after?: number | null;
  readonly status?: RunStatus | null;
  readonly strategy?: string | null;
  /** Only the runs of this API key; undefined = every run. */
  readonly ownerKeyId?: number;
}

export interface RunPage {
  readonly runs: RunRecord[];
  /** Runs matching the filters, ignoring the cursor. */
  readonly totalCount: number;
  readonly hasNextPage: boolean;
}

export interface PageOptions {
  readonly offset?: number;
  /** Default: all remaining. */
  readonly limit?: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly totalCount: number;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    ...row,
    params: JSON.parse(row.params) as Record<string, unknown>,
    symbols: JSON.parse(row.symbols) as string[],
    commission: JSON.parse(row.commission) as CommissionSpec,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as RunMetrics),
    benchmark: row.benchmark === null ? null : (JSON.parse(row.benchmark) as BenchmarkSpec),
  };
}
