import type { BarHistory } from './bar-history.js';
import type { SimulatedBroker } from './broker.js';
import type { IndicatorFactory } from './indicators/factory.js';
import type { Order, OrderRequest, Side } from './orders.js';
import type { Portfolio } from './portfolio.js';
import { fixedRiskQuantity, roundToLot, type SizingOptions } from './sizing.js';
import type { StrategyContext, SymbolRef } from './strategy.js';

/** What the context reads from the running backtest. */
export interface ContextHost {
  readonly symbols: readonly string[];
  readonly portfolio: Portfolio;
  readonly broker: SimulatedBroker;
  readonly histories: readonly BarHistory[];
  /** Step being processed (or done), for order submission. */
  readonly step: number;
  readonly time: number;
  readonly lastEquity: number;
  readonly halted: boolean;
}

/** The strategy's view of a run (docs/CONVENTIONS.md): bounded history, portfolio, orders and the sizing helpers. */
export function createStrategyContext(host: ContextHost, indicators: IndicatorFactory): StrategyContext {
  const { symbols, portfolio, broker } = host;
  const index = (ref: SymbolRef): number => {
    const s = typeof ref === 'number' ? ref : symbols.indexOf(ref);
    if (!(Number.isInteger(s) && s >= 0 && s < symbols.length)) throw new RangeError(`unknown symbol ${String(ref)}`);
    return s;
  };
  const submit = (order: OrderRequest): Order => broker.submit(order, host.step, host.time);
  const market = (symbol: SymbolRef, side: Side, quantity: number, tag?: string): Order =>
    submit(tag === undefined ? { type: 'MARKET', symbol, side, quantity } : { type: 'MARKET', symbol, side, quantity, tag });
  const value = (): number => {
    let v = portfolio.cash;
    for (let s = 0; s < portfolio.symbolCount; s++) if (portfolio.position[s] !== 0) v += portfolio.position[s] * portfolio.lastPrice[s];
    return v;
  };
  const priceOf = (s: number): number => {
    const p = portfolio.lastPrice[s];
    if (!(p > 0)) throw new RangeError(`no price for ${symbols[s]} yet: it has had no bar`);
    return p;
  };
  const finite = (name: string, x: number): number => {
    if (!Number.isFinite(x)) throw new RangeError(`${name} must be a finite number, got ${x}`);
    return x;
  };
  /** Market order from the position to `target` (already in lots); null when they are equal. */
  const toTarget = (s: number, target: number, o: SizingOptions | undefined): Order | null => {
    const delta = target - portfolio.position[s];
    const tiny = 1e-9 * Math.max(1, Math.abs(target));
    if (Math.abs(delta) <= tiny) return null;
    return market(s, delta > 0 ? 'BUY' : 'SELL', Math.abs(delta), o?.tag);
  };
  return {
    symbols,
    indicators,
    get cash() {
      return portfolio.cash;
    },
    get equity() {
      return host.lastEquity;
    },
    get portfolioValue() {
      return value();
    },
    get time() {
      return host.time;
    },
    get halted() {
      return host.halted;
    },
    symbolIndex: index,
    history: (ref) => host.histories[index(ref)],
    price: (ref) => {
      const p = portfolio.lastPrice[index(ref)];
      return p > 0 ? p : NaN;
    },
    position: (ref) => portfolio.position[index(ref)],
    averagePrice: (ref) => portfolio.averagePrice[index(ref)],
    submit,
    buy: (symbol, quantity) => market(symbol, 'BUY', quantity),
    sell: (symbol, quantity) => market(symbol, 'SELL', quantity),
    bracket: (request) => broker.bracket(request, host.step, host.time),
    orderTargetQuantity: (ref, target, o) => {
      const s = index(ref);
      return toTarget(s, roundToLot(finite('target', target), o?.lotSize, o?.rounding), o);
    },
    orderTargetPercent: (ref, percent, o) => {
      const s = index(ref);
      const q = ((finite('percent', percent) / 100) * value()) / priceOf(s);
      return toTarget(s, roundToLot(q, o?.lotSize, o?.rounding), o);
    },
    orderValue: (ref, amount, o) => {
      const s = index(ref);
      const q = roundToLot(finite('value', amount) / priceOf(s), o?.lotSize, o?.rounding);
      if (q === 0) return null;
      return market(s, q > 0 ? 'BUY' : 'SELL', Math.abs(q), o?.tag);
    },
    riskQuantity: (riskPct, stopDistance, o) => fixedRiskQuantity(value(), riskPct, stopDistance, o?.lotSize, o?.rounding),
    cancel: (id) => broker.cancel(id, host.time),
    modify: (id, changes) => broker.modify(id, changes, host.time),
    order: (id) => broker.order(id),
    orderStatus: (id) => broker.orderStatus(id),
    workingOrders: (ref) => broker.workingOrders(ref === undefined ? undefined : index(ref)),
  };
}
