/**
 * One unit convention for every table the CLI prints: fractions (returns, drawdown, volatility,
 * win rate, exposure) as percent with a `%` sign, durations in bars, everything else as a number.
 * `--json` output keeps the raw fractions, like the GraphQL API.
 */
import type { RunMetrics } from '../engine/results.js';
import { formatNumber } from './table.js';

const PERCENT: ReadonlySet<keyof RunMetrics> = new Set(['totalReturn', 'cagr', 'volatility', 'maxDrawdown', 'winRate', 'exposure']);

export function formatPercent(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(2)}%`;
}

export function formatMetric(name: keyof RunMetrics, v: number | null): string {
  if (PERCENT.has(name)) return formatPercent(v);
  if (name === 'maxDrawdownDuration') return v === null ? '-' : `${v} bars`;
  return formatNumber(v);
}
