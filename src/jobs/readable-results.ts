/**
 * A run's stored results as the API may show them. Runs are checked for NaN and Infinity before
 * they are stored (engine/finite-results.ts), but a database written by an older version can hold
 * them, and GraphQL's Float cannot carry them: under the contract's non-null result fields, one such
 * number would turn `runs { ... }` into `data: null` for every client. So such a run reads as having
 * no results, and its `error` says why; every other run reads as usual.
 */
import { findNonFiniteFill, findNonFiniteOrder, findNonFiniteRoundTrip, metricsUnstorable } from '../engine/finite-results.js';
import type { Fill, Order } from '../engine/orders.js';
import type { EquityCurve, RoundTrip, RunMetrics } from '../engine/results.js';
import type { AppDatabase } from '../data/db.js';
import { getEquityCurve, getFills, getOrders, getRoundTrips, type Page, type PageOptions, type RunRecord } from '../data/run-store.js';
import type { EquitySample } from './run-events.js';

export const UNREADABLE_RESULTS =
  'its stored results hold a non-finite number (NaN or Infinity, stored by a version that did not check for them), so they are not shown';

const noPage = <T>(): Page<T> => ({ items: [], totalCount: 0 });

/** Cheap, from the run row: metrics stored without the check keep NaN/Infinity as null. */
export function hasUnreadableResults(run: RunRecord): boolean {
  return run.metrics !== null && metricsUnstorable(run.metrics);
}

/** The run's error, or why its results are not shown. */
export function runError(run: RunRecord): string | null {
  return run.error ?? (hasUnreadableResults(run) ? UNREADABLE_RESULTS : null);
}

export function readableMetrics(run: RunRecord): RunMetrics | null {
  return hasUnreadableResults(run) ? null : run.metrics;
}

/** Each page is checked too (it is read anyway): an unreadable run whose metrics happen to be finite. */
export function readableFills(app: AppDatabase, run: RunRecord, page: PageOptions): Page<Fill> {
  return guarded(run, () => getFills(app, run.id, page), findNonFiniteFill);
}

export function readableOrders(app: AppDatabase, run: RunRecord, page: PageOptions): Page<Order> {
  return guarded(run, () => getOrders(app, run.id, page), findNonFiniteOrder);
}

export function readableRoundTrips(app: AppDatabase, run: RunRecord): RoundTrip[] {
  return guarded(run, () => getRoundTrips(app, run.id), findNonFiniteRoundTrip).items;
}

/**
 * The stored curve (null when none is stored yet), or an empty one when it cannot be shown.
 * `live` samples of an active run are cut before the first non-finite one (the run will end FAILED).
 */
export function readableEquity(app: AppDatabase, run: RunRecord, maxPoints?: number): EquityCurve | null {
  if (hasUnreadableResults(run)) return emptyCurve();
  const curve = getEquityCurve(app, run.id, maxPoints);
  if (curve === null) return null;
  for (const column of [curve.equity, curve.cash, curve.drawdown, curve.time]) {
    for (let i = 0; i < curve.length; i++) if (!Number.isFinite(column[i]!)) return emptyCurve();
  }
  return curve;
}

export function finiteSamples(samples: readonly EquitySample[]): readonly EquitySample[] {
  const bad = samples.findIndex((p) => !Number.isFinite(p.equity) || !Number.isFinite(p.cash) || !Number.isFinite(p.drawdown));
  return bad < 0 ? samples : samples.slice(0, bad);
}

function guarded<T>(run: RunRecord, read: () => Page<T>, findBad: (items: readonly T[]) => unknown): Page<T> {
  if (hasUnreadableResults(run)) return noPage();
  const page = read();
  return findBad(page.items) === null ? page : noPage();
}

function emptyCurve(): EquityCurve {
  const none = new Float64Array(0);
  return { length: 0, time: none, equity: none, cash: none, drawdown: none };
}
