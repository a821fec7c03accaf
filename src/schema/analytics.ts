/**
 * BacktestRun.analytics (CONVENTIONS.md "Analytics") and BacktestRun.exportUrls. Every figure is
 * computed from the stored results on first use (src/analytics); a query pays only for what it
 * selects. Fields whose statistic is undefined for the run are null, never NaN.
 */
import type { Excursion } from '../analytics/excursions.js';
import { hasAnalytics, loadRunAnalytics } from '../analytics/load-run-analytics.js';
import type { RunAnalytics, BenchmarkComparison } from '../analytics/run-analytics.js';
import { finiteOrNull } from '../analytics/returns.js';
import type { TradeStats } from '../analytics/trade-stats.js';
import type { DrawdownEpisode } from '../analytics/drawdown-episodes.js';
import type { HistogramBin } from '../analytics/histogram.js';
import type { PeriodReturn } from '../analytics/calendar-returns.js';
import type { RoundTrip } from '../engine/results.js';
import { checkRange, type NumberRange } from '../jobs/number-range.js';
import { EXPORT_FORMATS, EXPORT_KINDS, exportPath } from '../http/export-paths.js';
import { UNIT_RULE } from './analytics-inputs.js';
import { builder } from './builder.js';
import { badField } from './errors.js';
import { BacktestRunRef } from './run.js';

const ARG_RANGES = {
  top: { min: 1, max: 1000, integer: true },
  window: { min: 2, max: 10_000_000, integer: true },
  maxPoints: { min: 2, max: 10_000_000, integer: true },
  bins: { min: 1, max: 1000, integer: true },
} as const satisfies Record<string, NumberRange>;

function checkArg(name: keyof typeof ARG_RANGES, value: number): number {
  const problem = checkRange(value, ARG_RANGES[name]);
  if (problem !== null) throw badField(name, problem);
  return value;
}

const MonthlyReturnRef = builder.objectRef<PeriodReturn>('MonthlyReturn').implement({
  description: "A UTC calendar month's return: its last equity over the previous month's last (the first month's over the initial cash).",
  fields: (t) => ({
    year: t.exposeInt('year'),
    month: t.int({ description: '1..12', resolve: (p) => p.month ?? 0 }),
    return: t.exposeFloat('return', { description: 'A fraction.' }),
    partial: t.exposeBoolean('partial', { description: "The run covers only part of the month's calendar days (first or last month)." }),
  }),
});

const YearlyReturnRef = builder.objectRef<PeriodReturn>('YearlyReturn').implement({
  description: "A UTC calendar year's return, defined like MonthlyReturn.",
  fields: (t) => ({
    year: t.exposeInt('year'),
    return: t.exposeFloat('return', { description: 'A fraction.' }),
    partial: t.exposeBoolean('partial', { description: "The run covers only part of the year's calendar days (first or last year)." }),
  }),
});

const DrawdownEpisodeRef = builder.objectRef<DrawdownEpisode>('DrawdownEpisode').implement({
  description: 'From a peak through the lowest point to the first point back at the peak.',
  fields: (t) => ({
    peakTime: t.field({ type: 'DateTime', resolve: (e) => e.peakTime }),
    troughTime: t.field({ type: 'DateTime', resolve: (e) => e.troughTime }),
    recoveryTime: t.field({ type: 'DateTime', nullable: true, description: 'Null while unrecovered at the end.', resolve: (e) => e.recoveryTime }),
    depth: t.exposeFloat('depth', { description: '1 - trough / peak equity, a positive fraction.' }),
    lengthBars: t.exposeInt('lengthBars', { description: 'Underwater points.' }),
    recoveryBars: t.exposeInt('recoveryBars', { nullable: true, description: 'Points from the trough to the recovery; null while unrecovered.' }),
  }),
});

interface SeriesPoint {
  readonly time: number;
  readonly value: number | null;
}

const SeriesPointRef = builder.objectRef<SeriesPoint>('SeriesPoint').implement({
  fields: (t) => ({
    time: t.field({ type: 'DateTime', resolve: (p) => p.time }),
    value: t.float({ nullable: true, description: 'Null where undefined.', resolve: (p) => p.value }),
  }),
});

const HistogramBinRef = builder.objectRef<HistogramBin>('HistogramBin').implement({
  description: 'Returns in [lower, upper); the last bin also holds upper.',
  fields: (t) => ({
    lower: t.exposeFloat('lower'),
    upper: t.exposeFloat('upper'),
    count: t.exposeInt('count'),
  }),
});

const TradeStatisticsRef = builder.objectRef<TradeStats>('TradeStatistics').implement({
  description: `Over the round trips in close order; a win has pnl > 0, a loss pnl < 0. ${UNIT_RULE} Null where undefined (no trades, no wins, no losses).`,
  fields: (t) => {
    const nullableFloat = (key: keyof TradeStats, description: string) =>
      t.float({ nullable: true, description, resolve: (s) => finiteOrNull(s[key]) });
    return {
      trades: t.exposeInt('trades'),
      wins: t.exposeInt('wins'),
      losses: t.exposeInt('losses'),
      averagePnl: nullableFloat('averagePnl', 'Currency.'),
      bestPnl: nullableFloat('bestPnl', 'Currency.'),
      worstPnl: nullableFloat('worstPnl', 'Currency.'),
      averageReturn: nullableFloat('averageReturn', 'Mean of RoundTrip.return, a fraction.'),
      bestReturn: nullableFloat('bestReturn', 'A fraction; ranked by return, so it may be another trade than bestPnl.'),
      worstReturn: nullableFloat('worstReturn', 'A fraction.'),
      averageWin: nullableFloat('averageWin', 'Mean pnl of the wins, currency.'),
      averageLoss: nullableFloat('averageLoss', 'Mean pnl of the losses (negative), currency.'),
      averageWinReturn: nullableFloat('averageWinReturn', 'A fraction.'),
      averageLossReturn: nullableFloat('averageLossReturn', 'A fraction (negative).'),
      expectancy: nullableFloat('expectancy', 'winRate × averageWin + lossRate × averageLoss, currency per trade (equals averagePnl).'),
      sqn: nullableFloat('sqn', "Van Tharp's System Quality Number: sqrt(min(trades, 100)) × mean pnl / stdev pnl."),
      averageBars: nullableFloat('averageBars', 'Mean bars held.'),
      averageBarsWinners: nullableFloat('averageBarsWinners', 'Mean bars held by wins.'),
      averageBarsLosers: nullableFloat('averageBarsLosers', 'Mean bars held by losses.'),
      longestWinStreak: t.exposeInt('longestWinStreak'),
      longestLossStreak: t.exposeInt('longestLossStreak'),
    };
  },
});

interface ExcursionRow extends Excursion {
  readonly trip: RoundTrip;
}

const TradeExcursionRef = builder.objectRef<ExcursionRow>('TradeExcursion').implement({
  description: "Maximum adverse and favourable excursion of one round trip, from the highs and lows of its bars (entry bar to the bar before the exit) and its entry and exit prices.",
  fields: (t) => ({
    symbol: t.string({ resolve: (x) => x.trip.symbol }),
    entryTime: t.field({ type: 'DateTime', resolve: (x) => x.trip.entryTime }),
    exitTime: t.field({ type: 'DateTime', resolve: (x) => x.trip.exitTime }),
    mae: t.exposeFloat('mae', { description: 'Adverse move in price per unit, >= 0.' }),
    mfe: t.exposeFloat('mfe', { description: 'Favourable move in price per unit, >= 0.' }),
    maeReturn: t.exposeFloat('maeReturn', { description: 'mae / entryPrice, a fraction.' }),
    mfeReturn: t.exposeFloat('mfeReturn', { description: 'mfe / entryPrice, a fraction.' }),
  }),
});

const BenchmarkComparisonRef = builder.objectRef<BenchmarkComparison>('BenchmarkComparison').implement({
  description: `The run against buy-and-hold of the benchmark over its own timestamps (as-of closes), on paired per-period simple returns. ${UNIT_RULE}`,
  fields: (t) => {
    const nullableFloat = (key: keyof BenchmarkComparison, description: string) =>
      t.float({ nullable: true, description, resolve: (b) => finiteOrNull(b[key] as number) });
    return {
      dataset: t.id({ resolve: (b) => b.dataset }),
      symbol: t.exposeString('symbol'),
      totalReturn: nullableFloat('totalReturn', "The benchmark's return over the run."),
      cagr: nullableFloat('cagr', "The benchmark's compound annual growth rate over the run."),
      alpha: nullableFloat('alpha', "Jensen's alpha per period × periodsPerYear (annualised arithmetically), on excess returns over the risk-free rate."),
      beta: nullableFloat('beta', 'Least-squares slope of the run returns on the benchmark returns.'),
      correlation: nullableFloat('correlation', 'Pearson correlation of the paired returns.'),
      trackingError: nullableFloat('trackingError', 'Sample stdev of (run - benchmark) returns × sqrt(periodsPerYear).'),
      informationRatio: nullableFloat('informationRatio', 'mean / stdev of (run - benchmark) returns × sqrt(periodsPerYear).'),
    };
  },
});

const RunAnalyticsRef = builder.objectRef<RunAnalytics>('RunAnalytics').implement({
  description: `What a quant reads after a backtest, defined in CONVENTIONS.md "Analytics". ${UNIT_RULE} Per-period figures (VaR, ES, Omega) are per bar, not annualised. Null where a statistic is undefined for the run.`,
  fields: (t) => ({
    riskFreeRate: t.float({ description: 'The annual rate the run was given.', resolve: (a) => a.input.riskFreeRate }),
    monthlyReturns: t.field({ type: [MonthlyReturnRef], resolve: (a) => a.monthlyReturns }),
    yearlyReturns: t.field({ type: [YearlyReturnRef], resolve: (a) => a.yearlyReturns }),
    drawdowns: t.field({
      type: [DrawdownEpisodeRef],
      description: 'The deepest episodes, deepest first (ties: earlier peak). Episode 1 is metrics.maxDrawdown.',
      args: { top: t.arg.int({ defaultValue: 5, description: 'From 1 to 1000.' }) },
      resolve: (a, args) => a.drawdowns(checkArg('top', args.top ?? 5)),
    }),
    rollingSharpe: t.field({
      type: [SeriesPointRef],
      description: 'Sharpe ratio over each window of `window` returns (excess over the risk-free rate), one value per point from the window-th on; null where the window is constant. Empty when the run is shorter than the window.',
      args: {
        window: t.arg.int({ required: true, description: 'Returns per window, 2 or more.' }),
        maxPoints: t.arg.int({ description: 'Keep every k-th value counted back from the last, at most this many (>= 2).' }),
      },
      resolve: (a, args) => {
        const s = a.rollingSharpe(checkArg('window', args.window), args.maxPoints == null ? undefined : checkArg('maxPoints', args.maxPoints));
        return Array.from(s.time, (time, i) => ({ time, value: finiteOrNull(s.value[i]) }));
      },
    }),
    returnsHistogram: t.field({
      type: [HistogramBinRef],
      description: 'Equal-width bins from the lowest to the highest per-period return.',
      args: { bins: t.arg.int({ defaultValue: 20, description: 'From 1 to 1000.' }) },
      resolve: (a, args) => a.histogram(checkArg('bins', args.bins ?? 20)),
    }),
    calmar: t.float({ nullable: true, description: 'cagr / maxDrawdown over the whole run.', resolve: (a) => finiteOrNull(a.calmar) }),
    omega: t.float({ nullable: true, description: 'Omega(0): Σ gains / Σ losses of the per-period returns.', resolve: (a) => finiteOrNull(a.omega) }),
    tailRatio: t.float({ nullable: true, description: '|95th percentile| / |5th percentile| of the returns (linear interpolation).', resolve: (a) => finiteOrNull(a.tail.tailRatio) }),
    valueAtRisk: t.float({ nullable: true, description: 'Historical 95 % VaR per period, a positive fraction is a loss (lower empirical quantile).', resolve: (a) => finiteOrNull(a.tail.valueAtRisk) }),
    expectedShortfall: t.float({ nullable: true, description: 'Historical 95 % expected shortfall per period: the mean loss of the worst ceil(n/20) periods.', resolve: (a) => finiteOrNull(a.tail.expectedShortfall) }),
    skew: t.float({ nullable: true, description: 'Bias-adjusted sample skewness G1 of the returns.', resolve: (a) => finiteOrNull(a.moments.skew) }),
    kurtosis: t.float({ nullable: true, description: 'Bias-adjusted excess kurtosis G2 of the returns (0 for a normal distribution).', resolve: (a) => finiteOrNull(a.moments.kurtosis) }),
    stabilityRSquared: t.float({ nullable: true, description: 'R² of the least-squares line of ln(equity) against time.', resolve: (a) => finiteOrNull(a.stability.rSquared) }),
    stabilitySlope: t.float({ nullable: true, description: 'Slope of that line: log growth per year.', resolve: (a) => finiteOrNull(a.stability.slope) }),
    averageLeverage: t.float({ nullable: true, description: 'Mean of gross exposure / equity over all points (flat points count 0).', resolve: (a) => finiteOrNull(a.exposure.averageLeverage) }),
    maxLeverage: t.float({ nullable: true, description: 'Largest gross exposure / equity.', resolve: (a) => finiteOrNull(a.exposure.maxLeverage) }),
    turnover: t.float({ nullable: true, description: 'Traded notional (buys and sells) / mean equity, per year.', resolve: (a) => finiteOrNull(a.exposure.turnover) }),
    trades: t.field({ type: TradeStatisticsRef, resolve: (a) => a.trades }),
    excursions: t.field({
      type: [TradeExcursionRef],
      description: 'MAE and MFE of each round trip, in the order of BacktestRun.roundTrips.',
      resolve: (a) => {
        const trips = a.input.roundTrips();
        return a.excursions.map((x, i) => ({ ...x, trip: trips[i] }));
      },
    }),
    benchmark: t.field({ type: BenchmarkComparisonRef, nullable: true, description: 'Null when the run has no benchmark.', resolve: (a) => a.benchmark }),
  }),
});

builder.objectField(BacktestRunRef, 'analytics', (t) =>
  t.field({
    type: RunAnalyticsRef,
    nullable: true,
    description: 'Null until the run has ended; like metrics, over the partial results of a cancelled run and null for a failed one.',
    resolve: (r, _a, ctx) => (hasAnalytics(r) ? loadRunAnalytics(ctx.storage, r) : null),
  }),
);

interface ExportLinks {
  readonly runId: number;
}

const RunExportUrlsRef = builder.objectRef<ExportLinks>('RunExportUrls').implement({
  description: 'Downloads of the stored results, as paths on this service: CSV (RFC 4180, with a header row) or a JSON array shaped like the GraphQL types; streamed.',
  fields: (t) =>
    Object.fromEntries(
      EXPORT_KINDS.flatMap((kind) =>
        EXPORT_FORMATS.map((format) => [
          `${camel(kind)}${format === 'csv' ? 'Csv' : 'Json'}`,
          t.string({ resolve: (l: ExportLinks) => exportPath(l.runId, kind, format) }),
        ]),
      ),
    ),
});

function camel(kind: string): string {
  return kind.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

builder.objectField(BacktestRunRef, 'exportUrls', (t) =>
  t.field({
    type: RunExportUrlsRef,
    description: 'Where to download the results; the files exist once the run has ended.',
    resolve: (r) => ({ runId: r.id }),
  }),
);

