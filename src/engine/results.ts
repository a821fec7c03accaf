import type { Fill, Order, Side } from './orders.js';
import type { RiskHalt } from './risk-limits.js';

/** A lot opened from flat (or by a reversal) and closed, FIFO, by a later fill. */
export interface RoundTrip {
  readonly symbol: string;
  /** Side of the entry: BUY for a long trade, SELL for a short one. */
  readonly side: Side;
  readonly quantity: number;
  readonly entryTime: number;
  readonly exitTime: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Net of the entry and exit commissions attributable to this quantity. */
  readonly pnl: number;
  /** 100 × pnl / (quantity × entryPrice). */
  readonly returnPct: number;
  /** Exit bar index minus entry bar index, in the symbol's series. */
  readonly bars: number;
}

/** The statistics of `RunMetrics` in CONTRACT.md; null where the statistic is undefined. */
export interface RunMetrics {
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownDuration: number;
  readonly trades: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly totalCommission: number;
  readonly exposure: number;
}

/** One point per timeline step, columnar. */
export interface EquityCurve {
  readonly length: number;
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly drawdown: Float64Array;
}

export interface BacktestResult {
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly roundTrips: readonly RoundTrip[];
  readonly equity: EquityCurve;
  readonly metrics: RunMetrics;
  /** Bars processed across all symbols. */
  readonly barsProcessed: number;
  /** True when the run stopped before the last bar (cancelled). */
  readonly partial: boolean;
  /** The drawdown halt (risk.maxDrawdownPct), when the run reached it; absent or null otherwise. */
  readonly halt?: RiskHalt | null;
}
