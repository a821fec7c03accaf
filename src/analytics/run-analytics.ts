/**
 * All analytics of one run, each computed on first use and kept: a query for the monthly returns
 * does not load bars for MAE/MFE. Pure: the caller hands in the stored results and loaders for
 * what is costly to read (see load-run-analytics.ts for the database side).
 */
import type { BarSeries } from '../engine/bars.js';
import type { RoundTrip } from '../engine/results.js';
import { benchmarkCurve, benchmarkStats, type BenchmarkStats } from './benchmark.js';
import { monthlyReturns, yearlyReturns, type PeriodReturn } from './calendar-returns.js';
import { DrawdownEpisodes, type DrawdownEpisode } from './drawdown-episodes.js';
import { excursions, type Excursion } from './excursions.js';
import { exposure, type Exposure, type ExposureFill } from './exposure.js';
import { returnsHistogram, type HistogramBin } from './histogram.js';
import { returnMoments, type Moments } from './moments.js';
import { calmar, omega } from './ratios.js';
import { DAY_MS, YEAR_DAYS, perPeriodRate, periodReturns } from './returns.js';
import { rollingSharpe, type RollingSeries } from './rolling-sharpe.js';
import { stability, type Stability } from './stability.js';
import { tailRisk, type TailRisk } from './tail-risk.js';
import { tradeStats, type TradeStats } from './trade-stats.js';

export interface AnalyticsInput {
  /** The stored equity curve (columns; only `length` points are read). */
  readonly curve: { readonly length: number; readonly time: Float64Array; readonly equity: Float64Array; readonly cash: Float64Array };
  readonly initialCash: number;
  readonly periodsPerYear: number;
  /** Annual, a fraction. */
  readonly riskFreeRate: number;
  /** Round trips in close order. */
  readonly roundTrips: () => readonly RoundTrip[];
  /** Fills in execution order. */
  readonly fills: () => readonly ExposureFill[];
  /** The bars of the run's symbols, in the run's symbol order (fills' symbolIndex). */
  readonly bars: () => readonly BarSeries[];
  /** The benchmark, when the run has one. */
  readonly benchmark: { readonly dataset: string; readonly symbol: string; readonly bars: () => BarSeries } | null;
}

export interface BenchmarkComparison extends BenchmarkStats {
  readonly dataset: string;
  readonly symbol: string;
}

/** Every scalar statistic at once (NaN where undefined): what the CLI and the bench read. */
export interface AnalyticsSummary extends TailRisk, Moments, Exposure {
  readonly calmar: number;
  readonly omega: number;
  readonly stabilityRSquared: number;
  readonly stabilitySlope: number;
  readonly trades: TradeStats;
  readonly benchmark: BenchmarkComparison | null;
}

export class RunAnalytics {
  private readonly memo = new Map<string, unknown>();
  readonly rfPerPeriod: number;

  constructor(readonly input: AnalyticsInput) {
    this.rfPerPeriod = perPeriodRate(input.riskFreeRate, input.periodsPerYear);
  }

  private once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  get points(): number {
    return this.input.curve.length;
  }

  get returns(): Float64Array {
    return this.once('returns', () => periodReturns(this.input.curve.equity, this.points));
  }

  get monthlyReturns(): PeriodReturn[] {
    const c = this.input.curve;
    return this.once('monthly', () => monthlyReturns(c.time, c.equity, this.input.initialCash, this.points));
  }

  get yearlyReturns(): PeriodReturn[] {
    const c = this.input.curve;
    return this.once('yearly', () => yearlyReturns(c.time, c.equity, this.input.initialCash, this.points));
  }

  get episodes(): DrawdownEpisodes {
    const c = this.input.curve;
    return this.once('episodes', () => DrawdownEpisodes.find(c.time, c.equity, this.points));
  }

  drawdowns(top: number): DrawdownEpisode[] {
    return this.episodes.top(top);
  }

  get maxDrawdown(): number {
    return this.episodes.top(1)[0]?.depth ?? 0;
  }

  /** As in the metrics: (final / initial cash) ^ (365.25 / days) - 1; NaN when undefined. */
  get cagr(): number {
    const c = this.input.curve;
    const n = this.points;
    const days = n > 1 ? (c.time[n - 1] - c.time[0]) / DAY_MS : 0;
    return days > 0 ? Math.pow(c.equity[n - 1] / this.input.initialCash, YEAR_DAYS / days) - 1 : NaN;
  }

  rollingSharpe(window: number, maxPoints?: number): RollingSeries {
    return rollingSharpe(this.input.curve.time, this.returns, window, this.input.periodsPerYear, this.rfPerPeriod, maxPoints);
  }

  histogram(bins: number): HistogramBin[] {
    return returnsHistogram(this.returns, bins);
  }

  get calmar(): number {
    const cagr = this.cagr;
    return calmar(Number.isNaN(cagr) ? null : cagr, this.maxDrawdown);
  }

  get omega(): number {
    return this.once('omega', () => omega(this.returns));
  }

  get tail(): TailRisk {
    return this.once('tail', () => tailRisk(this.returns));
  }

  get moments(): Moments {
    return this.once('moments', () => returnMoments(this.returns));
  }

  get stability(): Stability {
    const c = this.input.curve;
    return this.once('stability', () => stability(c.time, c.equity, this.points));
  }

  get exposure(): Exposure {
    const c = this.input.curve;
    return this.once('exposure', () => exposure(c, this.input.bars, this.input.fills(), this.points));
  }

  get trades(): TradeStats {
    return this.once('trades', () => tradeStats(this.input.roundTrips()));
  }

  /** One per round trip, in close order. */
  get excursions(): Excursion[] {
    return this.once('excursions', () => {
      const bySymbol = new Map<string, BarSeries>();
      for (const s of this.input.bars()) bySymbol.set(s.symbol, s);
      return excursions(this.input.roundTrips(), bySymbol);
    });
  }

  /** B[t] at every point of the run (NaN before the benchmark's first bar); null without a benchmark. */
  get benchmarkCurve(): Float64Array | null {
    const b = this.input.benchmark;
    if (!b) return null;
    return this.once('benchmarkCurve', () => benchmarkCurve(this.input.curve.time, b.bars(), this.input.initialCash, this.points));
  }

  /** The benchmark's value at arbitrary ascending times (e.g. a downsampled curve); null without a benchmark. */
  benchmarkAt(times: Float64Array): Float64Array | null {
    const b = this.input.benchmark;
    if (!b) return null;
    const full = this.benchmarkCurve!;
    // B depends only on time: look the times up in the full curve (as of, ascending merge).
    const out = new Float64Array(times.length);
    const t = this.input.curve.time;
    let k = 0;
    for (let i = 0; i < times.length; i++) {
      while (k + 1 < this.points && t[k + 1] <= times[i]) k++;
      out[i] = this.points > 0 && t[k] <= times[i] ? full[k] : NaN;
    }
    return out;
  }

  get benchmark(): BenchmarkComparison | null {
    const b = this.input.benchmark;
    if (!b) return null;
    return this.once('benchmark', () => ({
      dataset: b.dataset,
      symbol: b.symbol,
      ...benchmarkStats(this.input.curve.time, this.returns, this.benchmarkCurve!, this.input.periodsPerYear, this.rfPerPeriod, this.points),
    }));
  }

  summary(): AnalyticsSummary {
    const st = this.stability;
    return {
      calmar: this.calmar,
      omega: this.omega,
      ...this.tail,
      ...this.moments,
      stabilityRSquared: st.rSquared,
      stabilitySlope: st.slope,
      ...this.exposure,
      trades: this.trades,
      benchmark: this.benchmark,
    };
  }
}
