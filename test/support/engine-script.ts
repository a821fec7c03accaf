/**
 * Hand-made bars and a strategy that plays a script keyed by bar index, for the engine's
 * hand-computed tests (account, risk, sizing, order types).
 */
import {
  barSeriesFromRows,
  defineStrategy,
  runBacktest,
  type AccountSettings,
  type BacktestResult,
  type BarSeries,
  type BarView,
  type CommissionSettings,
  type EngineListener,
  type RiskLimits,
  type StrategyContext,
} from '../../src/engine/index.js';

export const DAY = 86_400_000;
export const day = (i: number): number => Date.UTC(2024, 0, 1) + i * DAY;

/** Daily bars from [open, high, low, close] tuples, one calendar day apart from 2024-01-01. */
export function daily(symbol: string, ohlc: ReadonlyArray<readonly [number, number, number, number]>, firstDay = 0): BarSeries {
  return barSeriesFromRows(symbol, ohlc.map(([open, high, low, close], i) => ({ time: day(firstDay + i), open, high, low, close })));
}

export type Action = (ctx: StrategyContext, bar: BarView) => void;
/** Actions by bar index; with several symbols, by `SYMBOL:index`. */
export type Script = Readonly<Record<string | number, Action>>;

export interface ScriptOptions {
  initialCash?: number;
  commission?: CommissionSettings;
  slippage?: number;
  account?: AccountSettings;
  risk?: RiskLimits;
  listener?: EngineListener;
}

export function runScript(series: BarSeries[], script: Script, opts: ScriptOptions = {}): BacktestResult {
  const strategy = defineStrategy({
    id: 'scripted',
    title: 'Scripted',
    description: 'Plays a fixed script of order actions, keyed by bar index.',
    params: {},
    create(ctx) {
      return {
        onBar(bar) {
          const action = series.length === 1 ? script[bar.index] : script[`${bar.symbol}:${bar.index}`];
          action?.(ctx, bar);
        },
      };
    },
  });
  return runBacktest({
    series,
    strategy,
    params: {},
    initialCash: opts.initialCash ?? 100_000,
    commission: opts.commission,
    slippage: opts.slippage ?? 0,
    periodsPerYear: 252,
    account: opts.account,
    risk: opts.risk,
    listener: opts.listener,
  });
}

/** Orders as [id, status, filledQuantity] for compact assertions. */
export const statuses = (r: BacktestResult) => r.orders.map((o) => [o.id, o.status, o.filledQuantity] as const);
/** Fills as [orderId, barIndex, side, quantity, price]. */
export const fillsOf = (r: BacktestResult) => r.fills.map((f) => [f.orderId, f.barIndex, f.side, f.quantity, f.price] as const);
