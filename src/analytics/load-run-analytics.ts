/**
 * The database side of the analytics: a stored run's curve, round trips, fills and bars handed to
 * RunAnalytics. Recently used runs are kept, bounded by
 * their total equity points, because a dashboard asks for the same finished run again and again and
 * a finished run's results never change.
 */
import { PERIODS_PER_YEAR, type BarSeries } from '../engine/bars.js';
import type { RoundTrip } from '../engine/results.js';
import { dayRange } from '../data/day-range.js';
import type { EquityColumns } from '../data/equity-codec.js';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import type { ExposureFill } from './exposure.js';
import { RunAnalytics } from './run-analytics.js';

/** Like metrics: analytics exist once a run has completed, or been cancelled with partial results. */
export function hasAnalytics(run: Pick<RunRecord, 'status'>): boolean {
  return run.status === 'COMPLETED' || run.status === 'CANCELLED';
}

/** What the analytics read from storage. */
export type AnalyticsSource = Pick<Storage, 'description' | 'getEquityColumns' | 'getFills' | 'getRoundTrips' | 'loadBarColumns' | 'getCoverage'>;

/** Null while the run has not ended (or failed, or stored no curve). */
export async function loadRunAnalytics(source: AnalyticsSource, run: RunRecord): Promise<RunAnalytics | null> {
  if (!hasAnalytics(run)) return null;
  const key = `${source.description}#${run.id}@${run.finishedAt ?? 0}`;
  const cached = cache.get(key);
  if (cached) {
    cache.delete(key); // re-insert: most recently used last
    cache.set(key, cached);
    return cached;
  }
  const analytics = await readRunAnalytics(source, run);
  if (analytics) remember(key, analytics);
  return analytics;
}

/**
 * The results of a run this process has just executed and stored, still in memory (`backtest run`):
 * what would be read back, bit for bit (the stored curve keeps every value exactly).
 */
export interface RunResultsInMemory {
  readonly equity: { readonly length: number; readonly time: Float64Array; readonly equity: Float64Array; readonly cash: Float64Array };
  readonly roundTrips: readonly RoundTrip[];
  readonly fills: readonly ExposureFill[];
  /** The bars the run read, one series per symbol: the ones the analytics would load (the run's day range). */
  readonly bars?: readonly BarSeries[];
}

/**
 * Like loadRunAnalytics, without the cache: reads the run's results afresh, or takes them (and the
 * bars the run read) from `inMemory`. Storage is asynchronous and the statistics are computed on demand, so everything a
 * statistic may read (round trips, fills, the bars of the run's symbols, the benchmark's) is read
 * here first.
 */
export async function readRunAnalytics(source: AnalyticsSource, run: RunRecord, inMemory?: RunResultsInMemory): Promise<RunAnalytics | null> {
  if (!hasAnalytics(run)) return null;
  const curve = inMemory ? exactColumns(inMemory.equity) : await source.getEquityColumns(run.id);
  if (!curve) return null;
  const { from, to } = dayRange(run.start, run.end);
  const bars: BarSeries[] = [];
  if (inMemory?.bars && inMemory.bars.length === run.symbols.length) bars.push(...inMemory.bars);
  else for (const symbol of run.symbols) bars.push(await source.loadBarColumns({ dataset: run.dataset, symbol, period: run.period, from, to }));
  const roundTrips = inMemory ? inMemory.roundTrips : (await source.getRoundTrips(run.id)).items;
  const fills = inMemory ? inMemory.fills : (await source.getFills(run.id)).items;
  const benchmark = run.benchmark;
  // A benchmark that is one of the run's own symbols, with a bar at the run's first timestamp, is
  // the series already loaded for the run (the as-of rule needs nothing earlier).
  const ownSeries = (b: { dataset: string; symbol: string }): BarSeries | null => {
    const i = b.dataset === run.dataset ? run.symbols.indexOf(b.symbol) : -1;
    const series = i >= 0 ? bars[i] : undefined;
    return series && series.length > 0 && curve.length > 0 && series.time[0] === curve.time[0] ? series : null;
  };
  const benchmarkSeries = benchmark ? (ownSeries(benchmark) ?? (await benchmarkBars(source, run, benchmark, curve.time, curve.length))) : null;
  return new RunAnalytics({
    curve,
    initialCash: run.initialCash,
    periodsPerYear: run.periodsPerYear ?? PERIODS_PER_YEAR[run.period],
    riskFreeRate: run.riskFreeRate,
    roundTrips: () => roundTrips,
    fills: () => fills,
    bars: () => bars,
    benchmark: benchmark && benchmarkSeries ? { dataset: benchmark.dataset, symbol: benchmark.symbol, bars: () => benchmarkSeries } : null,
  });
}

/** Views of exactly `length` points (the engine's columns may have room for more). */
function exactColumns(c: RunResultsInMemory['equity']): EquityColumns {
  const n = c.length;
  return { length: n, time: c.time.subarray(0, n), equity: c.equity.subarray(0, n), cash: c.cash.subarray(0, n) };
}

/**
 * The benchmark's bars from its last bar at or before the run's first timestamp through the run's
 * last: the as-of rule needs that one earlier bar, and nothing after the run is read.
 */
async function benchmarkBars(source: AnalyticsSource, run: RunRecord, b: { dataset: string; symbol: string }, time: Float64Array, points: number): Promise<BarSeries> {
  const key = { dataset: b.dataset, symbol: b.symbol, period: run.period };
  if (points === 0) return source.loadBarColumns({ ...key, from: 0, to: 0 });
  const first = time[0];
  const to = time[points - 1] + 1;
  let inside = await source.loadBarColumns({ ...key, from: first, to });
  if (inside.length > 0 && inside.time[0] === first) return inside;
  const coverage = await source.getCoverage(key);
  if (coverage === null || coverage.first > first) return inside; // nothing before the run
  // Look back in widening windows for the last bar before the run (a gap, a weekend, a holiday).
  for (let span = 7 * 86_400_000; span < 1e14; span *= 8) {
    const before = await source.loadBarColumns({ ...key, from: first - span, to: first });
    if (before.length > 0) {
      inside = await source.loadBarColumns({ ...key, from: before.time[before.length - 1], to });
      return inside;
    }
  }
  return inside;
}

/** Equity points kept in the cache at most (about 50 MB of columns). */
const CACHE_POINTS = 2_000_000;
const CACHE_RUNS = 8;
const cache = new Map<string, RunAnalytics>();

function remember(key: string, a: RunAnalytics): void {
  cache.set(key, a);
  let total = 0;
  for (const v of cache.values()) total += v.points;
  for (const [k, v] of cache) {
    if (cache.size <= 1 || (total <= CACHE_POINTS && cache.size <= CACHE_RUNS)) break;
    cache.delete(k);
    total -= v.points;
  }
}

/**
 * The points with `benchmark` set: the run's benchmark curve as of each point's time (null before
 * the benchmark's first bar). Unchanged when the run has no benchmark or has not ended.
 */
export async function withBenchmark<P extends { readonly time: number }>(source: AnalyticsSource, run: RunRecord, points: readonly P[]): Promise<readonly (P & { readonly benchmark?: number | null })[]> {
  if (!run.benchmark || points.length === 0) return points;
  const analytics = await loadRunAnalytics(source, run);
  const values = analytics?.benchmarkAt(Float64Array.from(points, (p) => p.time));
  if (!values) return points;
  return points.map((p, i) => ({ ...p, benchmark: Number.isFinite(values[i]) ? values[i] : null }));
}
