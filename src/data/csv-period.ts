/**
 * Does a bar's timestamp fit the period it is imported as? DAY bars: at most one per UTC day
 * (any time of day, so exchange-local midnights converted to UTC pass). HOUR, MINUTE and SECOND
 * bars: on a whole UTC hour, minute or second. Catches, e.g., hourly bars imported as DAY.
 */
import { PERIOD_MS, type BarPeriod } from '../engine/bars.js';

export type PeriodMismatch = 'same-day' | 'off-grid';

/** Why `time` cannot be a `period` bar after a bar at `prev` (NaN for the first bar); null when it can. */
export function periodMismatch(period: BarPeriod, time: number, prev: number): PeriodMismatch | null {
  const step = PERIOD_MS[period];
  if (period === 'DAY') return Math.floor(time / step) === Math.floor(prev / step) ? 'same-day' : null;
  return time - Math.floor(time / step) * step === 0 ? null : 'off-grid';
}

/** 'hour' for HOUR bars, and so on: the unit their timestamps must be whole in. */
export const PERIOD_UNIT: Record<BarPeriod, string> = { DAY: 'day', HOUR: 'hour', MINUTE: 'minute', SECOND: 'second' };
