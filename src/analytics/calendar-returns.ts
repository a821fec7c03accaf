/**
 * Returns by UTC calendar month and year (CONVENTIONS.md "Monthly and yearly returns"): each
 * period's last equity over the previous period's last (the first period's over the initial cash),
 * so the periods compound exactly to the run's total return. A Date is built only per period.
 */
import { lowerBound } from './search.js';

export interface PeriodReturn {
  readonly year: number;
  /** 1..12; absent for yearly returns. */
  readonly month?: number;
  readonly return: number;
  /** The run covers only part of this period's calendar days (the first or last period). */
  readonly partial: boolean;
  /** Equity points in the period. */
  readonly points: number;
}

type Unit = 'month' | 'year';

/** [start, end) of the calendar period holding `ms`, epoch ms UTC. */
function periodBounds(ms: number, unit: Unit): { start: number; end: number; year: number; month: number } {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  if (unit === 'year') return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1), year, month: 0 };
  return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1), year, month };
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

function calendarReturns(time: Float64Array, equity: Float64Array, points: number, initialCash: number, unit: Unit): PeriodReturn[] {
  const out: PeriodReturn[] = [];
  if (points === 0) return out;
  let base = initialCash;
  let bounds = periodBounds(time[0], unit);
  let count = 0;
  const push = (lastIndex: number, isFirst: boolean, isLast: boolean) => {
    const last = equity[lastIndex];
    const partial =
      (isFirst && utcDay(time[0]) > utcDay(bounds.start)) || (isLast && utcDay(time[lastIndex]) < utcDay(bounds.end) - 1);
    const entry = unit === 'month'
      ? { year: bounds.year, month: bounds.month + 1, return: last / base - 1, partial, points: count }
      : { year: bounds.year, return: last / base - 1, partial, points: count };
    out.push(entry);
    base = last;
  };
  // Times ascend: each period ends where a binary search finds its end, so the cost is per
  // period, not per point (a million minute bars span a few dozen months).
  let start = 0;
  for (;;) {
    const next = lowerBound(time, bounds.end, start, points);
    count = next - start;
    if (next === points) break;
    push(next - 1, out.length === 0, false);
    bounds = periodBounds(time[next], unit);
    start = next;
  }
  push(points - 1, out.length === 0, true);
  return out;
}

export function monthlyReturns(time: Float64Array, equity: Float64Array, initialCash: number, points = time.length): PeriodReturn[] {
  return calendarReturns(time, equity, points, initialCash, 'month');
}

export function yearlyReturns(time: Float64Array, equity: Float64Array, initialCash: number, points = time.length): PeriodReturn[] {
  return calendarReturns(time, equity, points, initialCash, 'year');
}
