/** Position sizing arithmetic behind the strategy context's helpers (docs/CONVENTIONS.md, "Position sizing"). */

export const ROUNDINGS = ['DOWN', 'NEAREST'] as const;
export type Rounding = (typeof ROUNDINGS)[number];

export interface SizingOptions {
  /** Quantities are whole multiples of this (default 1: whole units). */
  readonly lotSize?: number;
  /** DOWN (default): toward zero, never more than asked; NEAREST: to the nearest lot. */
  readonly rounding?: Rounding;
  /** Tag of the order the helper submits. */
  readonly tag?: string;
}

/** `q` as a whole number of lots, rounded as asked (DOWN is toward zero). */
export function roundToLot(q: number, lotSize = 1, rounding: Rounding = 'DOWN'): number {
  if (!(Number.isFinite(lotSize) && lotSize > 0)) throw new RangeError(`lotSize must be a finite number > 0, got ${lotSize}`);
  if (!Number.isFinite(q)) throw new RangeError(`quantity to round must be finite, got ${q}`);
  // The 1e-9 lot keeps 0.3 / 0.1 = 2.9999999999999996 at 3 lots.
  const lots = rounding === 'NEAREST' ? Math.round(Math.abs(q) / lotSize) : Math.floor(Math.abs(q) / lotSize + 1e-9);
  const out = lots * lotSize;
  return q < 0 ? -out : out;
}

/**
 * Fixed-risk sizing: the quantity whose loss, if the price moves `stopDistance` against it, is
 * `riskPct` percent of `equity`; rounded to lots (DOWN by default, so the risk is at most that).
 */
export function fixedRiskQuantity(equity: number, riskPct: number, stopDistance: number, lotSize = 1, rounding: Rounding = 'DOWN'): number {
  if (!(Number.isFinite(riskPct) && riskPct > 0 && riskPct <= 100)) throw new RangeError(`riskPct must be > 0 and <= 100, got ${riskPct}`);
  if (!(Number.isFinite(stopDistance) && stopDistance > 0)) throw new RangeError(`stopDistance must be a finite price distance > 0, got ${stopDistance}`);
  if (!(equity > 0)) return 0;
  return roundToLot(((riskPct / 100) * equity) / stopDistance, lotSize, rounding);
}
