import { floatParam, intParam } from '../params.js';
import { defineStrategy } from '../strategy.js';
import { entryQuantity, equityPctParam } from './entry-size.js';

/**
 * Bollinger band breakout, long and short. While flat with no working entry: a close above the upper
 * band buys `quantity` at market, a close below the lower band sells it short. Once a position is on,
 * a protective STOP (GTC) is placed `stopPct` percent beyond the average entry price. The position is
 * closed at market when the close crosses back to the middle band (close <= middle for a long,
 * >= middle for a short), cancelling the stop; if the stop fills first the strategy is flat again.
 */
export const bollingerBreakout = defineStrategy({
  id: 'bollinger-breakout',
  title: 'Bollinger breakout',
  description: 'Long above the upper band, short below the lower band, protective stop at stopPct, exit at the middle band.',
  params: {
    period: intParam({ default: 20, min: 2, max: 1000, step: 1, description: 'Bars in the moving average and deviation' }),
    k: floatParam({ default: 2, min: 0, minExclusive: true, max: 10, step: 0.25, description: 'Band width in standard deviations' }),
    stopPct: floatParam({ default: 2, min: 0, minExclusive: true, max: 50, step: 0.5, description: 'Protective stop distance from the entry price, percent' }),
    quantity: floatParam({ default: 1, min: 0, minExclusive: true, description: 'Units per entry' }),
    equityPct: equityPctParam,
    riskPct: floatParam({
      default: 0,
      min: 0,
      max: 100,
      description: 'Fixed-risk entry size: percent of the portfolio value lost if the stop (stopPct from the signal close) is hit, whole units (0: off)',
    }),
  },
  validate: (p) => (p.equityPct > 0 && p.riskPct > 0 ? [{ param: 'riskPct', message: 'give equityPct or riskPct, not both' }] : []),
  create(ctx, p) {
    const bands = ctx.indicators.bollinger(p.period, p.k, 1);
    const entryOrder = new Int32Array(ctx.symbols.length);
    const stopOrder = new Int32Array(ctx.symbols.length);
    const working = (id: number): boolean => id !== 0 && ctx.orderStatus(id) === 'PENDING';
    return {
      onBar(bar) {
        const s = bar.symbolIndex;
        const middle = bands.middle.value(s);
        if (middle !== middle) return;
        if (!working(entryOrder[s])) entryOrder[s] = 0;
        if (!working(stopOrder[s])) stopOrder[s] = 0;
        const position = ctx.position(s);
        if (position === 0) {
          if (stopOrder[s] !== 0) {
            ctx.cancel(stopOrder[s]);
            stopOrder[s] = 0;
          }
          if (entryOrder[s] !== 0) return;
          const up = bar.close > bands.upper.value(s);
          if (!up && !(bar.close < bands.lower.value(s))) return;
          const quantity =
            (p.riskPct as number) > 0 ? ctx.riskQuantity(p.riskPct, (bar.close * p.stopPct) / 100) : entryQuantity(ctx, p.quantity, p.equityPct, bar.close);
          if (quantity > 0) entryOrder[s] = (up ? ctx.buy(s, quantity) : ctx.sell(s, quantity)).id;
          return;
        }
        const long = position > 0;
        if (long ? bar.close <= middle : bar.close >= middle) {
          if (stopOrder[s] !== 0) ctx.cancel(stopOrder[s]);
          stopOrder[s] = 0;
          if (long) ctx.sell(s, position);
          else ctx.buy(s, -position);
          return;
        }
        if (stopOrder[s] === 0) {
          const entry = ctx.averagePrice(s);
          stopOrder[s] = ctx.submit({
            type: 'STOP',
            symbol: s,
            side: long ? 'SELL' : 'BUY',
            quantity: Math.abs(position),
            stopPrice: long ? entry * (1 - p.stopPct / 100) : entry * (1 + p.stopPct / 100),
            tag: 'stop',
          }).id;
        }
      },
    };
  },
});
