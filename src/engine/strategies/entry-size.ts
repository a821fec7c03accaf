import { floatParam } from '../params.js';
import { roundToLot } from '../sizing.js';
import type { StrategyContext } from '../strategy.js';

/** The optional sizing param of the built-in strategies (docs/CONVENTIONS.md, "Built-in strategies"). */
export const equityPctParam = floatParam({
  default: 0,
  min: 0,
  max: 100,
  description: 'Entry size in percent of the portfolio value at the signal close, whole units (0: use quantity)',
});

/**
 * Units for an entry of symbol s at the signal bar's `close`: `quantity` by default (the references),
 * or the whole units worth equityPct % of ctx.portfolioValue. 0 means "no entry".
 */
export function entryQuantity(ctx: StrategyContext, quantity: number, equityPct: number, close: number): number {
  if (!(equityPct > 0)) return quantity; // 0, or absent when a caller passes unvalidated params
  return roundToLot(((equityPct / 100) * ctx.portfolioValue) / close);
}
