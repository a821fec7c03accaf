import { floatParam, intParam } from '../params.js';
import { defineStrategy } from '../strategy.js';
import { entryQuantity, equityPctParam } from './entry-size.js';

/**
 * Mean reversion on Wilder's RSI, long only: buy at market when RSI crosses below `oversold`
 * (RSI[t-1] >= oversold > RSI[t]) while flat with no working entry; sell the whole position when
 * it crosses above `overbought` (RSI[t-1] <= overbought < RSI[t]).
 */
export const rsiReversion = defineStrategy({
  id: 'rsi-reversion',
  title: 'RSI reversion',
  description: 'Long-only: buy when RSI crosses below the oversold level, exit when it crosses above the overbought level.',
  params: {
    period: intParam({ default: 14, min: 2, max: 500, step: 1, description: 'RSI period (Wilder)' }),
    oversold: floatParam({ default: 30, min: 0, max: 100, step: 1, description: 'Entry level: RSI crossing below it' }),
    overbought: floatParam({ default: 70, min: 0, max: 100, step: 1, description: 'Exit level: RSI crossing above it; must exceed oversold' }),
    quantity: floatParam({ default: 1, min: 0, minExclusive: true, description: 'Units bought on each entry' }),
    equityPct: equityPctParam,
  },
  validate: (p) => (p.oversold < p.overbought ? [] : [{ param: 'overbought', message: `must be greater than oversold (${p.oversold})` }]),
  create(ctx, p) {
    const rsi = ctx.indicators.rsi(p.period, 2);
    const entryOrder = new Int32Array(ctx.symbols.length);
    return {
      onBar(bar) {
        const s = bar.symbolIndex;
        const prev = rsi.ago(s, 1);
        if (prev !== prev) return;
        const now = rsi.value(s);
        if (entryOrder[s] !== 0 && ctx.orderStatus(entryOrder[s]) !== 'PENDING') entryOrder[s] = 0;
        if (prev >= p.oversold && now < p.oversold) {
          if (ctx.position(s) === 0 && entryOrder[s] === 0) {
            const quantity = entryQuantity(ctx, p.quantity, p.equityPct, bar.close);
            if (quantity > 0) entryOrder[s] = ctx.buy(s, quantity).id;
          }
        } else if (prev <= p.overbought && now > p.overbought) {
          const position = ctx.position(s);
          if (position > 0) ctx.sell(s, position);
        }
      },
    };
  },
});
