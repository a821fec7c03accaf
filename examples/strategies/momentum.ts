/** An example user strategy: run the server with STRATEGIES_DIR=examples/strategies to load it. */
import { defineStrategy, intParam, floatParam } from '../../src/engine/index.js';

export const momentum = defineStrategy({
  id: 'momentum',
  title: 'Momentum',
  description: 'Long while the rate of change over `lookback` bars is above `threshold` percent.',
  params: {
    lookback: intParam({ default: 20, min: 1, max: 500 }),
    threshold: floatParam({ default: 0, min: -100, max: 100 }),
    quantity: floatParam({ default: 1, min: 0, minExclusive: true }),
  },
  create(ctx, p) {
    const roc = ctx.indicators.roc(p.lookback);   // p.lookback is typed number, from the spec
    return {
      onBar(bar) {
        const s = bar.symbolIndex;
        const up = roc.value(s) > p.threshold;
        const held = ctx.position(s);
        if (up && held === 0 && ctx.workingOrders(s).length === 0) ctx.buy(s, p.quantity);
        else if (!up && held > 0) ctx.sell(s, held);
      },
    };
  },
});
