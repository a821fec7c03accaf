import { enumParam, floatParam, intParam } from '../params.js';
import { defineStrategy } from '../strategy.js';
import { entryQuantity, equityPctParam } from './entry-size.js';

/**
 * Long-only moving-average crossover, exactly as docs/CONVENTIONS.md specifies (acceptance tests use it).
 * At the close of bar t, once both SMAs exist at t-1 and t: a cross up while flat with no working
 * entry buys `quantity` (market, or a GTC limit below the close); a cross down cancels a working
 * entry and sells any long position at market.
 */
export const smaCrossover = defineStrategy({
  id: 'sma-crossover',
  title: 'SMA crossover',
  description: 'Long-only: buy when the fast SMA crosses above the slow SMA, sell when it crosses below.',
  params: {
    fastPeriod: intParam({ default: 20, min: 2, max: 500, step: 1, description: 'Bars in the fast moving average' }),
    slowPeriod: intParam({ default: 100, min: 3, max: 2000, step: 1, description: 'Bars in the slow moving average; must exceed fastPeriod' }),
    quantity: floatParam({ default: 1, min: 0, minExclusive: true, description: 'Units bought on each entry' }),
    entry: enumParam(['MARKET', 'LIMIT'], { default: 'MARKET', description: 'Entry order type' }),
    limitOffsetPct: floatParam({ default: 1, min: 0, max: 50, description: 'LIMIT entries: percent below the signal close' }),
    equityPct: equityPctParam,
  },
  validate: (p) => (p.fastPeriod < p.slowPeriod ? [] : [{ param: 'slowPeriod', message: `must be greater than fastPeriod (${p.fastPeriod})` }]),
  create(ctx, p) {
    const fast = ctx.indicators.sma(p.fastPeriod, 2);
    const slow = ctx.indicators.sma(p.slowPeriod, 2);
    // Working entry order id per symbol (0 = none).
    const entryOrder = new Int32Array(ctx.symbols.length);
    /** The entry order of s if it is still working, else 0 (and forget it). */
    const workingEntry = (s: number): number => {
      if (entryOrder[s] !== 0 && ctx.orderStatus(entryOrder[s]) !== 'PENDING') entryOrder[s] = 0;
      return entryOrder[s];
    };
    const onCrossUp = (s: number, close: number): void => {
      if (ctx.position(s) !== 0 || workingEntry(s) !== 0) return;
      const quantity = entryQuantity(ctx, p.quantity, p.equityPct, close);
      if (quantity === 0) return;
      const order =
        p.entry === 'MARKET'
          ? ctx.buy(s, quantity)
          : ctx.submit({ type: 'LIMIT', symbol: s, side: 'BUY', quantity, limitPrice: close * (1 - p.limitOffsetPct / 100), tag: 'entry' });
      entryOrder[s] = order.id;
    };
    const onCrossDown = (s: number): void => {
      if (workingEntry(s) !== 0) {
        ctx.cancel(entryOrder[s]);
        entryOrder[s] = 0;
      }
      const position = ctx.position(s);
      if (position > 0) ctx.sell(s, position);
    };
    // onBar is the per-bar path: four indicator reads and two comparisons. Order handling lives in
    // the helpers above, so onBar stays small enough for V8 to inline the reads into it.
    return {
      onBar(bar) {
        const s = bar.symbolIndex;
        const slowPrev = slow.ago(s, 1);
        if (slowPrev !== slowPrev) return; // slow (and so fast) not defined at t-1 yet
        const fastPrev = fast.ago(s, 1);
        const fastNow = fast.value(s);
        const slowNow = slow.value(s);
        if (fastPrev <= slowPrev && fastNow > slowNow) onCrossUp(s, bar.close);
        else if (fastPrev >= slowPrev && fastNow < slowNow) onCrossDown(s);
      },
    };
  },
});
