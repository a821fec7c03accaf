import type { BarHistory } from './bar-history.js';
import type { IndicatorFactory } from './indicators/factory.js';
import type { BracketOrders, BracketRequest, Fill, Order, OrderModification, OrderRequest, OrderStatus } from './orders.js';
import type { SizingOptions } from './sizing.js';
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

/**
 * One timestamp of the run, as `onStep` sees it: the symbols with a bar there (docs/CONVENTIONS.md,
 * "Portfolio strategies"). One object reused for every step: read it, don't keep it.
 */
export interface StepView {
  /** The step's timestamp, epoch ms. */
  readonly time: number;
  /** Index of the step in the run's timeline (= of its equity point). */
  readonly index: number;
  /** How many symbols have a bar at this step. */
  readonly count: number;
  /** The k-th of them (0 <= k < count), in the run's symbol order. */
  symbolIndex(k: number): number;
}

/** What a strategy can see and do. Orders submitted now work from the next bar on. */
export interface StrategyContext {
  readonly symbols: readonly string[];
  /** Indicators updated by the engine before each `onBar`; create them in `create`, not later. */
  readonly indicators: IndicatorFactory;
  readonly cash: number;
  /** Equity at the last mark to market (in `onStep`: this step's). */
  readonly equity: number;
  /** cash + Σ position × latest price, now: what the sizing helpers size against. */
  readonly portfolioValue: number;
  /** Time of the bar being processed, epoch ms. */
  readonly time: number;
  /** True once the drawdown limit halted trading (the strategy is then no longer called). */
  readonly halted: boolean;
  symbolIndex(symbol: SymbolRef): number;
  /** The symbol's bars up to the latest one shown: no look-ahead (docs/CONVENTIONS.md). */
  history(symbol: SymbolRef): BarHistory;
  /** The symbol's latest price (its latest shown close); NaN before its first bar. */
  price(symbol: SymbolRef): number;
  position(symbol: SymbolRef): number;
  averagePrice(symbol: SymbolRef): number;
  /** Submits an order. A bad order comes back REJECTED with a reason; the run goes on. */
  submit(order: OrderRequest): Readonly<Order>;
  /** Market-order shortcuts. */
  buy(symbol: SymbolRef, quantity: number): Readonly<Order>;
  sell(symbol: SymbolRef, quantity: number): Readonly<Order>;
  /** An entry with a take-profit and/or stop-loss that work once it fills, as an OCO pair. */
  bracket(request: BracketRequest): BracketOrders<Readonly<Order>>;
  /** Market order to bring the position to `target` units (rounded to lots); null when nothing is to trade. Working orders are not counted. */
  orderTargetQuantity(symbol: SymbolRef, target: number, options?: SizingOptions): Readonly<Order> | null;
  /** Market order to bring the position to `percent` % of portfolioValue (negative: short), at the latest price. */
  orderTargetPercent(symbol: SymbolRef, percent: number, options?: SizingOptions): Readonly<Order> | null;
  /** Market order for `value` of currency at the latest price (negative: sell). */
  orderValue(symbol: SymbolRef, value: number, options?: SizingOptions): Readonly<Order> | null;
  /** Fixed-risk size: the quantity losing `riskPct` % of portfolioValue over `stopDistance` (a price distance), in lots. */
  riskQuantity(riskPct: number, stopDistance: number, options?: SizingOptions): number;
  /** Cancels a working order at once; false if it is not working. */
  cancel(orderId: number): boolean;
  /** Changes a working order at once; returns the reason when refused, null when applied. */
  modify(orderId: number, changes: OrderModification): string | null;
  /** The order: the live object while it works, a snapshot once finished (docs/CONVENTIONS.md, "Records"); undefined for an unknown id. */
  order(orderId: number): Readonly<Order> | undefined;
  /** Just the status of an order (no snapshot is made); undefined for an unknown id. */
  orderStatus(orderId: number): OrderStatus | undefined;
  workingOrders(symbol?: SymbolRef): readonly Readonly<Order>[];
}

/** The per-run object a strategy's factory returns. */
export interface StrategyInstance {
  /** Each bar of each symbol, after its indicators (give onBar, onStep or both). */
  onBar?(bar: BarView): void;
  /** Once per timestamp, after every symbol with a bar there and the mark to market: for portfolio decisions. */
  onStep?(step: StepView): void;
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
