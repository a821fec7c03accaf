/**
 * The results of a run may only hold finite numbers: JSON and GraphQL's Float cannot carry NaN or
 * Infinity, so a stored one would make the run unreadable. Input ranges keep the built-in strategies
 * and costs far from overflow; this check catches what still gets through (absurd imported prices,
 * a strategy in an account without buying-power limits) before anything is stored. Pure: the worker
 * calls it and fails the run with its message.
 */
import type { Fill, Order } from './orders.js';
import type { BacktestResult, RoundTrip, RunMetrics } from './results.js';
import { RunEquityCurve } from './run-equity-curve.js';

/** The first non-finite number found, in a form a message can name. */
export interface NonFiniteValue {
  /** What holds it, e.g. `equity`, `fill 3 commission`, `metric sharpe`. */
  readonly what: string;
  /** Epoch ms of the point, fill, order or round trip that holds it; null for a metric. */
  readonly time: number | null;
  readonly value: number;
}

const CURVE_COLUMNS = ['equity', 'cash', 'drawdown', 'time'] as const;
const FILL_NUMBERS = ['quantity', 'price', 'commission'] as const;
// expiresAt is left out on purpose: Infinity there means "good till cancelled" and is stored as NULL.
const ORDER_NUMBERS = ['quantity', 'limitPrice', 'stopPrice', 'trailAmount', 'trailPercent', 'bestPrice', 'filledQuantity', 'averageFillPrice', 'time', 'updatedAt'] as const;
const ROUND_TRIP_NUMBERS = ['quantity', 'entryPrice', 'exitPrice', 'pnl', 'returnPct', 'entryTime', 'exitTime'] as const;

type NullableMetric = { [K in keyof RunMetrics]: null extends RunMetrics[K] ? K : never }[keyof RunMetrics];
/**
 * Statistics that may be undefined (null). A non-finite one is undefined too, not an overflow: CAGR
 * of an account that went below zero is NaN, of a huge gain over two days Infinity. They become null.
 */
const NULLABLE_METRICS: readonly NullableMetric[] = ['cagr', 'volatility', 'sharpe', 'sortino', 'winRate', 'profitFactor'];

/**
 * The earliest non-finite number on the equity curve (by time), else the first in the fills, orders,
 * round trips and the metrics that cannot be null, else null. Nullable fields may be null; a present
 * value must be finite (except the nullable metrics: see NULLABLE_METRICS).
 */
export function findNonFinite(result: BacktestResult): NonFiniteValue | null {
  const curve = result.equity;
  // Column by column in a tight loop (a million points, four columns: a few ms; reading the
  // columns by name per point took as long as the simulation), then the earliest point.
  // An engine curve's cash and drawdown are not columns (RunEquityCurve): they are checked where
  // they are kept, without writing the columns.
  const engine = curve instanceof RunEquityCurve ? curve : null;
  let first = curve.length;
  first = firstNonFiniteIndex(curve.equity, first);
  first = engine ? Math.min(first, engine.firstNonFiniteCash()) : firstNonFiniteIndex(curve.cash, first);
  first = engine ? firstNonFiniteDrawdown(curve.equity, first) : firstNonFiniteIndex(curve.drawdown, first);
  first = firstNonFiniteIndex(curve.time, first);
  if (first < curve.length) {
    for (const column of CURVE_COLUMNS) {
      const v = column === 'cash' && engine ? engine.cashAt(first) : column === 'drawdown' && engine ? drawdownAt(curve.equity, first) : curve[column][first]!;
      if (!Number.isFinite(v)) return { what: column, time: curve.time[first]!, value: v };
    }
  }
  return findNonFiniteFill(result.fills) ?? findNonFiniteOrder(result.orders) ?? findNonFiniteRoundTrip(result.roundTrips) ?? inMetrics(result.metrics);
}

/** Index of the first NaN or ±Infinity in a[0, end), or end. */
function firstNonFiniteIndex(a: Float64Array, end: number): number {
  for (let i = 0; i < end; i++) {
    const v = a[i]!;
    if (v - v !== 0) return i; // NaN - NaN and Infinity - Infinity are NaN; finite - itself is 0
  }
  return end;
}

/** The first point in [0, end) whose drawdown (1 - e / running peak, as drawdownsOf) is not finite, or end. */
function firstNonFiniteDrawdown(equity: Float64Array, end: number): number {
  let peak = -Infinity;
  for (let i = 0; i < end; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    const dd = 1 - e / peak;
    if (dd - dd !== 0) return i;
  }
  return end;
}

function drawdownAt(equity: Float64Array, at: number): number {
  let peak = -Infinity;
  for (let i = 0; i <= at; i++) if (equity[i]! > peak) peak = equity[i]!;
  return 1 - equity[at]! / peak;
}

function firstIn<T>(
  items: readonly T[],
  kind: string,
  keys: readonly (keyof T & string)[],
  timeOf: (item: T) => number,
  hasNonFinite: (item: T) => boolean,
): NonFiniteValue | null {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!hasNonFinite(item)) continue;
    for (const key of keys) {
      const v = item[key] as unknown;
      if (typeof v === 'number' && !Number.isFinite(v)) return { what: `${kind} ${i + 1} ${key}`, time: timeOf(item), value: v };
    }
  }
  return null;
}

function inMetrics(metrics: RunMetrics): NonFiniteValue | null {
  for (const [name, v] of Object.entries(metrics)) {
    if (NULLABLE_METRICS.includes(name as NullableMetric)) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) return { what: `metric ${name}`, time: null, value: v };
  }
  return null;
}

/** The metrics with every non-finite nullable statistic as null (the same object when there is none). */
function undefinedAsNull(metrics: RunMetrics): RunMetrics {
  const bad = NULLABLE_METRICS.filter((name) => metrics[name] !== null && !Number.isFinite(metrics[name]));
  if (bad.length === 0) return metrics;
  const out: Record<string, unknown> = { ...metrics };
  for (const name of bad) out[name] = null;
  return out as unknown as RunMetrics;
}

/** The first non-finite number in these fills (e.g. read back from storage), or null. */
export function findNonFiniteFill(fills: readonly Fill[]): NonFiniteValue | null {
  return firstIn(fills, 'fill', FILL_NUMBERS, (f) => f.time, fillHasNonFinite);
}
export function findNonFiniteOrder(orders: readonly Order[]): NonFiniteValue | null {
  return firstIn(orders, 'order', ORDER_NUMBERS, (o) => o.time, orderHasNonFinite);
}
export function findNonFiniteRoundTrip(trips: readonly RoundTrip[]): NonFiniteValue | null {
  return firstIn(trips, 'round trip', ROUND_TRIP_NUMBERS, (t) => t.exitTime, roundTripHasNonFinite);
}

// The same fields as the lists above, read by name: a scan of tens of thousands of items then
// costs a few ms (reading them through a list of keys took as long as a fast simulation).
const bad = (v: number) => v - v !== 0; // NaN or ±Infinity
const badOrNull = (v: number | null) => typeof v === 'number' && v - v !== 0;
const fillHasNonFinite = (f: Fill) => bad(f.quantity) || bad(f.price) || bad(f.commission);
const orderHasNonFinite = (o: Order) =>
  bad(o.quantity) || badOrNull(o.limitPrice) || badOrNull(o.stopPrice) || badOrNull(o.trailAmount) || badOrNull(o.trailPercent) || bad(o.bestPrice) ||
  bad(o.filledQuantity) || badOrNull(o.averageFillPrice) || bad(o.time) || bad(o.updatedAt);
const roundTripHasNonFinite = (t: RoundTrip) =>
  bad(t.quantity) || bad(t.entryPrice) || bad(t.exitPrice) || bad(t.pnl) || bad(t.returnPct) || bad(t.entryTime) || bad(t.exitTime);

/**
 * Stored metrics whose statistics that cannot be null are not all finite numbers: JSON keeps NaN and
 * Infinity as null, so this is how metrics stored without the check above look when read back.
 */
export function metricsUnstorable(metrics: RunMetrics): boolean {
  for (const [name, v] of Object.entries(metrics)) {
    if (NULLABLE_METRICS.includes(name as NullableMetric)) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) return true;
  }
  return false;
}

/** E.g. `non-finite equity at 2020-01-02T00:00:00.000Z (Infinity): positions, costs or prices overflowed; results not stored`. */
export function nonFiniteMessage(found: NonFiniteValue): string {
  const at = found.time !== null && Number.isFinite(found.time) ? ` at ${new Date(found.time).toISOString()}` : '';
  return `non-finite ${found.what}${at} (${found.value}): positions, costs or prices overflowed; results not stored`;
}

/** A run whose results cannot be stored: it ends FAILED with this message. */
export class NonFiniteResultError extends Error {
  override readonly name = 'NonFiniteResultError';
  constructor(readonly found: NonFiniteValue) {
    super(nonFiniteMessage(found));
  }
}

/**
 * The result as it may be stored: non-finite nullable statistics as null; throws NonFiniteResultError
 * when any other number is not finite.
 */
export function requireFiniteResult(result: BacktestResult): BacktestResult {
  const found = findNonFinite(result);
  if (found !== null) throw new NonFiniteResultError(found);
  const metrics = undefinedAsNull(result.metrics);
  return metrics === result.metrics ? result : { ...result, metrics };
}

/**
 * Metrics as they may be stored when nothing else of the run is (a sweep's combinations): non-finite
 * nullable statistics as null; throws NonFiniteResultError naming the first other one that is not finite.
 */
export function storableMetrics(metrics: RunMetrics): RunMetrics {
  const found = inMetrics(metrics);
  if (found !== null) throw new NonFiniteResultError(found);
  return undefinedAsNull(metrics);
}

/** A partial result to keep for diagnosis (as requireFiniteResult stores it), or undefined when it holds a number that cannot be stored. */
export function storablePartial(result: BacktestResult | undefined): BacktestResult | undefined {
  return result !== undefined && findNonFinite(result) === null ? requireFiniteResult(result) : undefined;
}
