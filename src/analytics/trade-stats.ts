/**
 * Statistics of the round trips in the order they closed (CONVENTIONS.md "Trade statistics").
 * One pass for the sums and extremes, a second for the pnl's standard deviation (SQN).
 */
import type { RoundTrip } from '../engine/results.js';

/** A round trip's return as a fraction, net of commissions: pnl / (quantity × entryPrice). */
export function tradeReturn(t: Pick<RoundTrip, 'pnl' | 'quantity' | 'entryPrice'>): number {
  return t.pnl / (t.quantity * t.entryPrice);
}

/** SQN counts at most this many trades (Van Tharp), so the score does not grow with the trade count alone. */
export const SQN_TRADE_CAP = 100;

export type TradeFields = Pick<RoundTrip, 'pnl' | 'quantity' | 'entryPrice' | 'bars'>;

/** NaN where the statistic is undefined (see CONVENTIONS.md). */
export interface TradeStats {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly averagePnl: number;
  readonly bestPnl: number;
  readonly worstPnl: number;
  readonly averageReturn: number;
  readonly bestReturn: number;
  readonly worstReturn: number;
  readonly averageWin: number;
  readonly averageLoss: number;
  readonly averageWinReturn: number;
  readonly averageLossReturn: number;
  readonly expectancy: number;
  readonly sqn: number;
  readonly averageBars: number;
  readonly averageBarsWinners: number;
  readonly averageBarsLosers: number;
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
}

export function tradeStats(trips: readonly TradeFields[]): TradeStats {
  const n = trips.length;
  let pnlSum = 0;
  let bestPnl = -Infinity;
  let worstPnl = Infinity;
  let returnSum = 0;
  let bestReturn = -Infinity;
  let worstReturn = Infinity;
  let wins = 0;
  let losses = 0;
  let winPnl = 0;
  let lossPnl = 0;
  let winReturn = 0;
  let lossReturn = 0;
  let barsSum = 0;
  let winBars = 0;
  let lossBars = 0;
  let winStreak = 0;
  let lossStreak = 0;
  let longestWin = 0;
  let longestLoss = 0;
  for (const t of trips) {
    const ret = tradeReturn(t);
    pnlSum += t.pnl;
    returnSum += ret;
    barsSum += t.bars;
    if (t.pnl > bestPnl) bestPnl = t.pnl;
    if (t.pnl < worstPnl) worstPnl = t.pnl;
    if (ret > bestReturn) bestReturn = ret;
    if (ret < worstReturn) worstReturn = ret;
    if (t.pnl > 0) {
      wins++;
      winPnl += t.pnl;
      winReturn += ret;
      winBars += t.bars;
      lossStreak = 0;
      if (++winStreak > longestWin) longestWin = winStreak;
    } else if (t.pnl < 0) {
      losses++;
      lossPnl += t.pnl;
      lossReturn += ret;
      lossBars += t.bars;
      winStreak = 0;
      if (++lossStreak > longestLoss) longestLoss = lossStreak;
    } else {
      winStreak = 0;
      lossStreak = 0;
    }
  }
  const averagePnl = pnlSum / n;
  let m2 = 0;
  for (const t of trips) {
    const d = t.pnl - averagePnl;
    m2 += d * d;
  }
  const stdev = n >= 2 ? Math.sqrt(m2 / (n - 1)) : 0;
  const averageWin = winPnl / wins;
  const averageLoss = lossPnl / losses;
  return {
    trades: n,
    wins,
    losses,
    averagePnl,
    bestPnl: n === 0 ? NaN : bestPnl,
    worstPnl: n === 0 ? NaN : worstPnl,
    averageReturn: returnSum / n,
    bestReturn: n === 0 ? NaN : bestReturn,
    worstReturn: n === 0 ? NaN : worstReturn,
    averageWin,
    averageLoss,
    averageWinReturn: winReturn / wins,
    averageLossReturn: lossReturn / losses,
    // Classic win/loss form; an absent side contributes 0.
    expectancy: n === 0 ? NaN : (wins / n) * (wins > 0 ? averageWin : 0) + (losses / n) * (losses > 0 ? averageLoss : 0),
    sqn: stdev === 0 ? NaN : (Math.sqrt(Math.min(n, SQN_TRADE_CAP)) * averagePnl) / stdev,
    averageBars: barsSum / n,
    averageBarsWinners: winBars / wins,
    averageBarsLosers: lossBars / losses,
    longestWinStreak: longestWin,
    longestLossStreak: longestLoss,
  };
}
