import { floatParam } from '../params.js';
import { defineStrategy } from '../strategy.js';
import { entryQuantity, equityPctParam } from './entry-size.js';

/** Buys `quantity` of every symbol at market on its first bar and holds to the end: the benchmark other strategies are compared to. */
export const buyAndHold = defineStrategy({
  id: 'buy-and-hold',
  title: 'Buy and hold',
  description: 'Buys a fixed quantity of each symbol on its first bar and holds it.',
  params: {
    quantity: floatParam({ default: 1, min: 0, minExclusive: true, description: 'Units bought of each symbol' }),
    equityPct: equityPctParam,
  },
  create(ctx, p) {
    const bought = new Uint8Array(ctx.symbols.length);
    return {
      onBar(bar) {
        if (bought[bar.symbolIndex] === 1) return;
        bought[bar.symbolIndex] = 1;
        const quantity = entryQuantity(ctx, p.quantity, p.equityPct, bar.close);
        if (quantity > 0) ctx.buy(bar.symbolIndex, quantity);
      },
    };
  },
});
