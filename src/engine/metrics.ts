import type { RunMetrics } from './results.js';

const DAY_MS = 86_400_000;

/**
 * Return and drawdown statistics updated incrementally, O(1) per equity point, so a run never
 * needs a second pass over its curve. Return mean and variance use Welford's update. Fields are
 * doubles from the start so V8 never has to change their representation mid-run.
 */
export class MetricsAccumulator {
  private points = 0;
  private firstTime = 0;
  private lastTime = 0;
  private prevEquity = 0.5;
  private lastEquity = 0.5;
  // Welford over returns r[t], t >= 1.
  private n = 0;
  private mean = 0.5;
  private m2 = 0.5;
  private downsideSquares = 0.5;
  // Drawdown.
  private peak = -Infinity;
  private maxDd = 0.5;
  private underwater = 0;
  private maxUnderwater = 0;
  private exposedPoints = 0;

  constructor(readonly initialCash: number, readonly periodsPerYear: number) {
    // Start the double fields as doubles (0.5 above), then reset: V8 then never migrates their representation.
    this.prevEquity = this.lastEquity = this.mean = this.m2 = this.downsideSquares = this.maxDd = 0;
  }

  /**
   * Adds the equity points [from, to) and writes their drawdowns (1 - equity / running peak).
   * A range at a time, with the running state in locals, keeps this out of the per-bar loop.
   * `exposedPoints` is how many of these points had a non-zero position.
   */
  addRange(time: Float64Array, equity: Float64Array, drawdownOut: Float64Array, from: number, to: number, exposedPoints: number): void {
    if (to <= from) return;
    let n = this.n;
    let mean = this.mean;
    let m2 = this.m2;
    let downside = this.downsideSquares;
    let prev = this.prevEquity;
    let peak = this.peak;
    let maxDd = this.maxDd;
    let underwater = this.underwater;
    let maxUnderwater = this.maxUnderwater;
    let k = from;
    if (this.points === 0) {
      this.firstTime = time[from];
      prev = equity[from];
    }
    for (; k < to; k++) {
      const e = equity[k];
      if (k > 0) {
        const r = e / prev - 1;
        n++;
        const delta = r - mean;
        mean += delta / n;
        m2 += delta * (r - mean);
        if (r < 0) downside += r * r;
      }
      prev = e;
      if (e > peak) peak = e;
      const dd = 1 - e / peak;
      drawdownOut[k] = dd;
      if (dd > maxDd) maxDd = dd;
      if (e < peak) {
        if (++underwater > maxUnderwater) maxUnderwater = underwater;
      } else underwater = 0;
    }
    this.n = n;
    this.mean = mean;
    this.m2 = m2;
    this.downsideSquares = downside;
    this.prevEquity = prev;
    this.lastEquity = prev;
    this.peak = peak;
    this.maxDd = maxDd;
    this.underwater = underwater;
    this.maxUnderwater = maxUnderwater;
    this.points += to - from;
    this.lastTime = time[to - 1];
    this.exposedPoints += exposedPoints;
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
