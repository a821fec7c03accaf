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
import type { Page, PageOptions, RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
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
export function readableFills(storage: Storage, run: RunRecord, page: PageOptions): Promise<Page<Fill>> {
  return guarded(run, () => storage.getFills(run.id, page), findNonFiniteFill);
}

export function readableOrders(storage: Storage, run: RunRecord, page: PageOptions): Promise<Page<Order>> {
  return guarded(run, () => storage.getOrders(run.id, page), findNonFiniteOrder);
}

export async function readableRoundTrips(storage: Storage, run: RunRecord): Promise<RoundTrip[]> {
  return (await guarded(run, () => storage.getRoundTrips(run.id), findNonFiniteRoundTrip)).items;
}

/**
 * The stored curve (null when none is stored yet), or an empty one when it cannot be shown.
 * `live` samples of an active run are cut before the first non-finite one (the run will end FAILED).
 */
export async function readableEquity(storage: Storage, run: RunRecord, maxPoints?: number): Promise<EquityCurve | null> {
  if (hasUnreadableResults(run)) return emptyCurve();
  const curve = await storage.getEquityCurve(run.id, maxPoints);
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

async function guarded<T>(run: RunRecord, read: () => Promise<Page<T>>, findBad: (items: readonly T[]) => unknown): Promise<Page<T>> {
  if (hasUnreadableResults(run)) return noPage();
  const page = await read();
  return findBad(page.items) === null ? page : noPage();
}

function emptyCurve(): EquityCurve {
  const none = new Float64Array(0);
  return { length: 0, time: none, equity: none, cash: none, drawdown: none };
}
