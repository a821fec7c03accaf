/**
 * A documented range for a numeric input: one object is both the check and the sentence in the
 * schema description, so the two cannot drift apart.
 */
import { brief } from '../engine/brief.js';

export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** When true, `min` itself is refused (e.g. initial cash > 0). */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

/** 1e12 rather than 1000000000000: ranges are read by people. */
export function formatBound(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1e6) {
    const exp = n.toExponential();
    if (/^-?\d(\.\d{1,2})?e\+\d+$/.test(exp)) return exp.replace('e+', 'e');
  }
  return String(n);
}

/** E.g. `> 0 and <= 1e12`, `an integer from 1 to 64`. */
export function describeRange(r: NumberRange): string {
  const lower = r.minExclusive ? `> ${formatBound(r.min)} and <= ${formatBound(r.max)}` : `from ${formatBound(r.min)} to ${formatBound(r.max)}`;
  return r.integer ? `an integer ${lower}` : lower;
}

/** Null when `value` is in the range; otherwise the reason, naming the range and (briefly) the value. */
export function checkRange(value: unknown, r: NumberRange): string | null {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (r.minExclusive ? value > r.min : value >= r.min) &&
    value <= r.max &&
    (!r.integer || Number.isInteger(value));
  return ok ? null : `must be ${r.integer ? '' : 'a number '}${describeRange(r)}, got ${brief(value)}`;
}
