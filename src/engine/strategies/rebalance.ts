import { enumParam, floatParam } from '../params.js';
import { roundToLot } from '../sizing.js';
import { defineStrategy } from '../strategy.js';

/** Target weights are given by position in the run's symbol list: weight1 for the first symbol, ... */
export const REBALANCE_WEIGHTS = 8;
const weightNames = ['weight1', 'weight2', 'weight3', 'weight4', 'weight5', 'weight6', 'weight7', 'weight8'] as const;

const DAY_MS = 86_400_000;
/** UTC month number since 1970 of an epoch-ms time. */
const monthOf = (t: number): number => {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
/** Monday-based UTC week number since 1970 (1970-01-01 was a Thursday, so Mondays are day 4 mod 7). */
const weekOf = (t: number): number => Math.floor((Math.floor(t / DAY_MS) - 4) / 7);

const weight = (k: number, fallback: number) =>
  floatParam({ default: fallback, min: 0, max: 1, step: 0.05, description: `Target weight of symbol ${k + 1} of the run (a fraction of the portfolio value)` });

/**
 * Fixed-weight portfolio rebalancing, the qstrader 60/40 example by default (docs/CONVENTIONS.md,
 * "`rebalance`"): at each rebalance step, in onStep after the mark to market, every symbol is brought
 * to floor(weight × value × (1 - cashBufferPct/100) / close / lotSize) lots with market orders that
 * fill at the next open (sales first, by the buying-power rule of the engine).
 */
export const rebalance = defineStrategy({
  id: 'rebalance',
  title: 'Rebalance to target weights',
  description: 'Holds each symbol at a target weight of the portfolio (weight1 = first symbol, ...), rebalanced monthly, weekly, daily or on drift.',
  params: {
    weight1: weight(0, 0.6),
    weight2: weight(1, 0.4),
    weight3: weight(2, 0),
    weight4: weight(3, 0),
    weight5: weight(4, 0),
    weight6: weight(5, 0),
    weight7: weight(6, 0),
    weight8: weight(7, 0),
    frequency: enumParam(['MONTHLY', 'WEEKLY', 'DAILY', 'DRIFT'], { default: 'MONTHLY', description: 'When to rebalance: the first step of each UTC month or week, every step, or on drift' }),
    driftPct: floatParam({ default: 5, min: 0, minExclusive: true, max: 100, description: 'DRIFT: rebalance when a weight is more than this many percentage points off its target' }),
    cashBufferPct: floatParam({ default: 1, min: 0, max: 50, description: 'Percent of the portfolio value kept in cash, so that gaps at the next open do not cut purchases' }),
    lotSize: floatParam({ default: 1, min: 0, minExclusive: true, max: 1e6, description: 'Quantities are whole multiples of this' }),
  },
  validate: (p) => {
    const sum = weightNames.reduce((a, name) => a + p[name], 0);
    return sum <= 1 + 1e-9 ? [] : [{ param: 'weight1', message: `the weights add up to ${Math.round(sum * 1e6) / 1e6}; at most 1` }];
  },
  create(ctx, p) {
    const n = ctx.symbols.length;
    const weights = new Float64Array(n);
    for (let s = 0; s < Math.min(n, REBALANCE_WEIGHTS); s++) weights[s] = p[weightNames[s]];
    const invest = 1 - p.cashBufferPct / 100;
    let lastPeriod = NaN;
    let pending = true; // the first rebalance: as soon as every weighted symbol has a price

    const period = (t: number): number => (p.frequency === 'MONTHLY' ? monthOf(t) : p.frequency === 'WEEKLY' ? weekOf(t) : t);
    const priced = (): boolean => {
      for (let s = 0; s < n; s++) if (weights[s] > 0 && !(ctx.price(s) > 0)) return false;
      return true;
    };
    const drifted = (): boolean => {
      const value = ctx.equity;
      for (let s = 0; s < n; s++) {
        const w = ctx.position(s) === 0 ? 0 : (ctx.position(s) * ctx.price(s)) / value;
        if (Math.abs(w - weights[s]) * 100 > p.driftPct) return true;
      }
      return false;
    };
    const rebalanceNow = (): void => {
      // Working orders of an earlier rebalance (a symbol without a bar since) are replaced.
      for (const o of ctx.workingOrders()) ctx.cancel(o.id);
      const value = ctx.equity;
      // Sales first: a purchase submitted after them is checked with their proceeds (docs/CONVENTIONS.md).
      for (const selling of [true, false]) {
        for (let s = 0; s < n; s++) {
          const price = ctx.price(s);
          if ((weights[s] === 0 && ctx.position(s) === 0) || !(price > 0)) continue;
          const target = roundToLot((weights[s] * value * invest) / price, p.lotSize);
          if (target < ctx.position(s) === selling) ctx.orderTargetQuantity(s, target, { lotSize: p.lotSize, tag: 'rebalance' });
        }
      }
    };

    return {
      onStep(step) {
        const now = period(step.time);
        if (p.frequency !== 'DRIFT' && p.frequency !== 'DAILY' && now !== lastPeriod) pending = true;
        lastPeriod = now;
        if (p.frequency === 'DAILY' || (p.frequency === 'DRIFT' && !pending && priced() && drifted())) pending = true;
        if (!pending || !priced() || !(ctx.equity > 0)) return;
        pending = false;
        rebalanceNow();
      },
    };
  },
});
