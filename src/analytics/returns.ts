/**
 * The per-period returns every return statistic shares, and the calendar helpers. Returns are
 * r[t] = E[t] / E[t-1] - 1 for t = 1..N-1 (CONVENTIONS.md "Equity curve and metrics"), kept in one
 * Float64Array so each statistic is a plain loop over it.
 */

export const DAY_MS = 86_400_000;
export const YEAR_DAYS = 365.25;

/** r[j] = equity[j + 1] / equity[j] - 1 for the first `points` equity values: points - 1 returns. */
export function periodReturns(equity: Float64Array, points: number = equity.length): Float64Array {
  const n = Math.max(0, points - 1);
  const r = new Float64Array(n);
  let prev = equity[0];
  for (let j = 0; j < n; j++) {
    const e = equity[j + 1];
    r[j] = e / prev - 1;
    prev = e;
  }
  return r;
}

/** The engine's conversion of the annual risk-free rate, so metrics and analytics agree. */
export { perPeriodRate } from '../engine/metrics.js';

/** Arithmetic mean; NaN for no values. */
export function mean(a: Float64Array, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
}

/** A number, or null when it is NaN or infinite (GraphQL Float cannot carry those). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}
