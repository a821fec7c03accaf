import type { RunMetrics } from './results.js';

const DAY_MS = 86_400_000;

/** The per-period rate that compounds to `annualRate` over `periodsPerYear` periods (CONVENTIONS.md "Risk-free rate"). */
export function perPeriodRate(annualRate: number, periodsPerYear: number): number {
  return annualRate === 0 ? 0 : Math.pow(1 + annualRate, 1 / periodsPerYear) - 1;
}

/** Points per pass of `addRange`: their returns stay in a small scratch buffer that fits the cache. */
const BLOCK = 2048;

/**
 * Return and drawdown statistics updated incrementally, so a run never needs a second pass over its
 * whole curve. Returns are summarised a block at a time (their sum, then squared deviations from
 * the block mean: the two-pass variance, with no division in a loop-carried chain, unlike Welford
 * per point) and blocks are merged with Chan et al.'s pairwise update, at least as accurate.
 * Fields are doubles from the start so V8 never has to change their representation mid-run.
 */
export class MetricsAccumulator {
  private points = 0;
  private firstTime = 0;
  private lastTime = 0;
  private prevEquity = 0.5;
  private lastEquity = 0.5;
  // Return statistics over r[t], t >= 1: count, mean, sum of squared deviations, Σ min(r, 0)².
  private n = 0;
  private mean = 0.5;
  private m2 = 0.5;
  private downsideSquares = 0.5;
  // Drawdown: the running peak, and the lowest equity since it (see addBlock).
  private peak = -Infinity;
  private trough = Infinity;
  private maxDd = 0.5;
  private underwater = 0;
  private maxUnderwater = 0;
  private exposedPoints = 0;
  private readonly returns = new Float64Array(BLOCK);

  /** Risk-free return per period: Sharpe and Sortino use r - rf (0 unless the run sets a rate). */
  private readonly rf: number;

  constructor(readonly initialCash: number, readonly periodsPerYear: number, annualRiskFreeRate = 0) {
    this.rf = perPeriodRate(annualRiskFreeRate, periodsPerYear);
    // Start the double fields as doubles (0.5 above), then reset: V8 then never migrates their representation.
    this.prevEquity = this.lastEquity = this.mean = this.m2 = this.downsideSquares = this.maxDd = 0;
  }

  /**
   * Adds the equity points [from, to). A range at a time, with the running state in locals, keeps
   * this out of the per-bar loop. `exposedPoints` is how many of these points had a non-zero position.
   */
  addRange(time: Float64Array, equity: Float64Array, from: number, to: number, exposedPoints: number): void {
    if (to <= from) return;
    const runStart = this.points === 0;
    if (runStart) {
      this.firstTime = time[from];
      this.prevEquity = equity[from];
    }
    for (let k = from; k < to; k += BLOCK) this.addBlock(equity, k, Math.min(to, k + BLOCK), runStart && k === from);
    this.lastEquity = equity[to - 1];
    this.points += to - from;
    this.lastTime = time[to - 1];
    this.exposedPoints += exposedPoints;
  }

  /**
   * One pass over points [from, to) for their returns (kept in a scratch buffer), Σ r, Σ min(r, 0)²
   * and the drawdown; then the block's squared deviations from its mean, merged into the totals.
   * `runStart`: `from` is the run's first point, which has no return.
   *
   * Max drawdown is the largest 1 - e / peak (drawdownsOf, docs/CONVENTIONS.md). While the peak
   * stands, that is largest at the lowest equity (dividing by the same positive peak and subtracting
   * from 1 are monotonic, also when rounded), so it is computed only at a new low since the peak:
   * the same value bit for bit, without a division per point. A peak <= 0 gives no drawdown above
   * 0 except 1 - e / 0 = Infinity, which the first lower point computes too.
   */
  private addBlock(equity: Float64Array, from: number, to: number, runStart: boolean): void {
    const returns = this.returns;
    const count = to - from;
    let prev = this.prevEquity;
    let sum = 0;
    const rf = this.rf;
    // The run's first point has no return (its 0 below is a placeholder): cancel its excess-loss term.
    const placeholderLoss = runStart ? 0.5 * (-rf - Math.abs(rf)) : 0;
    let downside = -(placeholderLoss * placeholderLoss);
    let peak = this.peak;
    let trough = this.trough;
    let maxDd = this.maxDd;
    let underwater = this.underwater;
    let maxUnderwater = this.maxUnderwater;
    for (let j = 0; j < count; j++) {
      const e = equity[from + j];
      const r = e / prev - 1;
      prev = e;
      returns[j] = r;
      sum += r;
      // min(r - rf, 0) without a branch (x - |x| = 2x exactly when x < 0, else 0): the sign of a
      // return is a coin flip, and a mispredicted branch here cost more than the rest of the loop.
      const excess = r - rf;
      const loss = 0.5 * (excess - Math.abs(excess));
      downside += loss * loss;
      if (e > peak) {
        peak = e;
        trough = e;
        underwater = 0;
      } else if (e < peak) {
        if (e < trough) {
          trough = e;
          const dd = 1 - e / peak;
          if (dd > maxDd) maxDd = dd;
        }
        if (++underwater > maxUnderwater) maxUnderwater = underwater;
      } else underwater = 0;
    }
    this.prevEquity = prev;
    this.peak = peak;
    this.trough = trough;
    this.maxDd = maxDd;
    this.underwater = underwater;
    this.maxUnderwater = maxUnderwater;
    this.downsideSquares += downside;

    // Returns exist from the run's second point on. The first point's, computed above against
    // itself, is exactly 0 (it is the initial cash, finite and > 0), so the sums are unaffected.
    const first = runStart ? 1 : 0;
    const n = count - first;
    if (n === 0) return;
    const blockMean = sum / n;
    let blockM2 = 0;
    for (let j = first; j < count; j++) {
      const d = returns[j] - blockMean;
      blockM2 += d * d;
    }
    // Chan et al.: merge (this.n, mean, m2) with the block's (n, blockMean, blockM2).
    const total = this.n + n;
    const delta = blockMean - this.mean;
    this.m2 += blockM2 + ((delta * delta * this.n) / total) * n;
    this.mean += (delta * n) / total;
    this.n = total;
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
      sharpe: stdev === null || stdev === 0 ? null : ((this.mean - this.rf) / stdev) * annual,
      sortino: downside === 0 ? null : ((this.mean - this.rf) / downside) * annual,
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
