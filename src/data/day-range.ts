/** Run date bounds: 'YYYY-MM-DD' whole UTC days, both inclusive, as a [from, to) ms range for loadBars. */
import { PERIOD_MS } from '../engine/bars.js';
import { parseIsoDate } from './iso-time.js';

/** A start or end date that is malformed, not a real date, or out of order; `field` says which. */
export class DayRangeError extends Error {
  override readonly name = 'DayRangeError';
  constructor(
    readonly field: 'start' | 'end',
    message: string,
  ) {
    super(message);
  }
}

export function dayRange(start?: string | null, end?: string | null): { from?: number; to?: number } {
  const from = parseDay('start', start);
  const endDay = parseDay('end', end);
  if (from !== undefined && endDay !== undefined && endDay < from) {
    throw new DayRangeError('end', `end ${end} is before start ${start}`);
  }
  const range: { from?: number; to?: number } = {};
  if (from !== undefined) range.from = from;
  // Inclusive end day: everything before the following midnight.
  if (endDay !== undefined) range.to = endDay + PERIOD_MS.DAY;
  return range;
}

function parseDay(field: 'start' | 'end', s: string | null | undefined): number | undefined {
  if (s === undefined || s === null) return undefined;
  const ms = parseIsoDate(s);
  if (ms === undefined) throw new DayRangeError(field, `${field} '${s}' is not a valid YYYY-MM-DD date`);
  return ms;
}
