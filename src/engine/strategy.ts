import type { BarSeries } from './bars.js';
import type { IndicatorFactory } from './indicators/factory.js';
import type { Fill, Order, OrderModification, OrderRequest } from './orders.js';
import { validateParams, type ParamIssue, type ParamSpecs, type ParamValidation, type ParamValues } from './params.js';

/** The bar a strategy is shown. One object reused for every bar: read it, don't keep it. */
export interface BarView {
  readonly symbolIndex: number;
  readonly symbol: string;
  /** Index of the bar in its symbol's series. */
  readonly index: number;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A symbol by index in the run (fast) or by name. */
export type SymbolRef = number | string;

/** What a strategy can see and do. Orders submitted now work from the next bar on. */
export interface StrategyContext {
  readonly symbols: readonly string[];
  readonly series: readonly BarSeries[];
  /** Indicators updated by the engine before each `onBar`; create them in `create`, not later. */
  readonly indicators: IndicatorFactory;
  readonly cash: number;
  /** Equity at the last mark to market. */
  readonly equity: number;
  /** Time of the bar being processed, epoch ms. */
  readonly time: number;
  symbolIndex(symbol: SymbolRef): number;
  position(symbol: SymbolRef): number;
  averagePrice(symbol: SymbolRef): number;
  /** Submits an order. A bad order comes back REJECTED with a reason; the run goes on. */
  submit(order: OrderRequest): Readonly<Order>;
  /** Market-order shortcuts. */
  buy(symbol: SymbolRef, quantity: number): Readonly<Order>;
  sell(symbol: SymbolRef, quantity: number): Readonly<Order>;
  /** Cancels a working order at once; false if it is not working. */
  cancel(orderId: number): boolean;
  /** Changes a working order at once; returns the reason when refused, null when applied. */
  modify(orderId: number, changes: OrderModification): string | null;
  order(orderId: number): Readonly<Order> | undefined;
  workingOrders(symbol?: SymbolRef): readonly Readonly<Order>[];
}

/** The per-run object a strategy's factory returns. */
export interface StrategyInstance {
  onBar(bar: BarView): void;
  onFill?(fill: Fill): void;
  onOrderUpdate?(order: Readonly<Order>): void;
}

export interface StrategyDefinition<S extends ParamSpecs = ParamSpecs> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly params: S;
  /** Cross-parameter rules, checked once every value is valid on its own. */
  readonly validate?: (params: ParamValues<S>) => readonly ParamIssue[];
  readonly create: (ctx: StrategyContext, params: ParamValues<S>) => StrategyInstance;
}

/**
 * Any strategy, with its param types erased; what registries, workers and the schema hold.
 * `any` is deliberate: a strategy's `create` and `validate` are contravariant in their params, so no
 * concrete spec type is assignable to the erased one. Values reach them only through validateParams.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStrategy = StrategyDefinition<any>;

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Declares a strategy. Checks the definition itself (id format, defaults valid against their own
 * specs and rules) so a broken definition fails when loaded, not in the middle of a run.
 */
export function defineStrategy<const S extends ParamSpecs>(def: StrategyDefinition<S>): StrategyDefinition<S> {
  if (typeof def.id !== 'string' || !ID_PATTERN.test(def.id)) {
    throw new TypeError(`strategy id must match ${ID_PATTERN} (lowercase letters, digits, dashes), got ${JSON.stringify(def.id)}`);
  }
  if (typeof def.create !== 'function') throw new TypeError(`strategy ${def.id}: create must be a function`);
  const defaults = validateParams(def.params, {}, def.validate);
  if (!defaults.ok) {
    const detail = defaults.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new TypeError(`strategy ${def.id}: its defaults are invalid: ${detail}`);
  }
  return def;
}

/** Validates overrides for a strategy: its specs, then its cross-parameter rules. */
export function validateStrategyParams<S extends ParamSpecs>(strategy: StrategyDefinition<S>, input: unknown): ParamValidation<S> {
  return validateParams(strategy.params, input, strategy.validate);
}
