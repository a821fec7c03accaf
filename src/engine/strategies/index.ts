import { StrategyRegistry } from '../strategy-registry.js';
import { bollingerBreakout } from './bollinger-breakout.js';
import { buyAndHold } from './buy-and-hold.js';
import { rebalance } from './rebalance.js';
import { rsiReversion } from './rsi-reversion.js';
import { smaCrossover } from './sma-crossover.js';

export { bollingerBreakout, buyAndHold, rebalance, rsiReversion, smaCrossover };

/** A registry holding the built-in strategies. */
export function builtinStrategies(): StrategyRegistry {
  const registry = new StrategyRegistry();
  registry.register(smaCrossover);
  registry.register(rsiReversion);
  registry.register(bollingerBreakout);
  registry.register(buyAndHold);
  registry.register(rebalance);
  return registry;
}
