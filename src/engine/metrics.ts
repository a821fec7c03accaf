import type { RunMetrics } from './results.js';

const DAY_MS = 86_400_000;

/**
 * Return and drawdown statistics updated once per equity point, O(1) each, so a run never
 * needs a second pass over its curve. Return mean and variance use Welford's update.
 */
export class MetricsAccumulator {
  private points = 0;
  private firstTime = 0;
  private lastTime = 0;
  private prevEquity = 0;
  private lastEquity = 0;
  // Welford over returns r[t], t >= 1.
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private downsideSquares = 0;
  // Drawdown.
  private peak = -Infinity;
  private maxDd = 0;
  private underwater = 0;
  private maxUnderwater = 0;
  private exposedPoints = 0;

  constructor(readonly initialCash: number, readonly periodsPerYear: number) {}

  /** Adds equity point t and returns its drawdown (1 - equity / running peak). */
  add(time: number, equity: number, exposed: boolean): number {
    if (this.points === 0) this.firstTime = time;
    else {
      const r = equity / this.prevEquity - 1;
      const n = ++this.n;
      const delta = r - this.mean;
      this.mean += delta / n;
      this.m2 += delta * (r - this.mean);
      if (r < 0) this.downsideSquares += r * r;
    }
    this.points++;
    this.lastTime = time;
    this.prevEquity = equity;
    this.lastEquity = equity;
    if (exposed) this.exposedPoints++;

    if (equity > this.peak) this.peak = equity;
    const dd = 1 - equity / this.peak;
    if (dd > this.maxDd) this.maxDd = dd;
    if (equity < this.peak) {
      if (++this.underwater > this.maxUnderwater) this.maxUnderwater = this.underwater;
    } else this.underwater = 0;
    return dd;
  }

  get count(): number {
    return this.points;
  }

  finish(trades: { count: number; wins: number; grossProfit: number; grossLoss: number }, totalCommission: number): RunMetrics {
    const finalEquity = this.points > 0 ? this.lastEquity : this.initialCash;
    const annual = Math.sqrt(this.periodsPerYear);
    const stdev = this.n >= 2 ? Math.sqrt(this.m2 / (this.n - 1)) : null;
    const downside = this.n >= 1 ? Math.sqrt(this.downsideSquares / this.n) : 0;
    const calendarDays = (this.lastTime - this.firstTime) / DAY_MS;
    return {
      finalEquity,
      totalReturn: finalEquity / this.initialCash - 1,
      cagr: this.points > 1 && calendarDays > 0 ? Math.pow(finalEquity / this.initialCash, 365.25 / calendarDays) - 1 : null,
      volatility: stdev === null ? null : stdev * annual,
      sharpe: stdev === null || stdev === 0 ? null : (this.mean / stdev) * annual,
      sortino: downside === 0 ? null : (this.mean / downside) * annual,
      maxDrawdown: this.maxDd,
      maxDrawdownDuration: this.maxUnderwater,
      trades: trades.count,
      winRate: trades.count === 0 ? null : trades.wins / trades.count,
      profitFactor: trades.grossLoss === 0 ? null : trades.grossProfit / trades.grossLoss,
      totalCommission,
      exposure: this.points === 0 ? 0 : this.exposedPoints / this.points,
    };
  }
}
