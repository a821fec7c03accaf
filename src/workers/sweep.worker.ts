/**
 * Piscina tasks running a chunk of a sweep's combinations. `runSweepChunk` reads bars the main
 * thread loaded once and shares (SharedArrayBuffer-backed columns: no copy, no reload per
 * combination); `runStoredSweepChunk` (a worker node, REDIS_URL) loads them itself through the
 * thread's bar cache, so the chunks of one sweep on one node read the database once per thread.
 * Only metrics come back; the best combinations are re-run later as ordinary, fully stored runs.
 */
import type { BarPeriod, BarSeries } from '../engine/bars.js';
import { Backtest, type CurveBuffers } from '../engine/engine.js';
import { storableMetrics } from '../engine/finite-results.js';
import { buildTimeline, type Timeline } from '../engine/timeline.js';
import type { RunMetrics } from '../engine/results.js';
import type { CommissionSpec } from '../data/run-types.js';
import type { StorageConfig } from '../data/storage.js';
import { loadRunSeries } from './execute-run.js';
import { threadBarCache, threadBarReader, threadStrategies } from './thread-resources.js';

/** What every combination of a sweep shares besides its bars. */
export interface SweepSettings {
  readonly strategy: string;
  readonly initialCash: number;
  readonly commission: CommissionSpec;
  readonly slippageBps: number;
  readonly periodsPerYear: number;
  readonly riskFreeRate?: number;
}

/** Where a sweep's bars are in storage: what a worker node loads for `runStoredSweepChunk`. */
export interface SweepBars {
  readonly dataset: string;
  readonly symbols: readonly string[];
  readonly period: BarPeriod;
  readonly from?: number;
  readonly to?: number;
}

export interface SweepCombination {
  readonly seq: number;
  readonly params: Record<string, unknown>;
}

interface ChunkOf {
  readonly strategiesDir: string;
  readonly combinations: readonly SweepCombination[];
  /** Non-zero: stop before the next combination (and within a chunk of bars of the current one). */
  readonly cancelFlag: Int32Array;
}

export interface SweepChunkTask extends SweepSettings, ChunkOf {
  readonly series: readonly BarSeries[];
  /** Their merged timeline, built once for the whole sweep. */
  readonly timeline?: Timeline;
}

export interface StoredSweepChunkTask extends SweepSettings, ChunkOf {
  readonly bars: SweepBars;
  readonly storage: StorageConfig;
  /** BAR_CACHE_MB of the node, in bytes. */
  readonly barCacheBytes: number;
}

export interface SweepChunkOutcome {
  readonly seq: number;
  readonly params: Record<string, unknown>;
  readonly metrics: RunMetrics | null;
  readonly error: string | null;
}

/** Timestamps between cancellation checks inside one combination. */
const CHECK_EVERY = 65_536;


/** One equity column per thread, reused by every combination (see CurveBuffers). */
let buffers: CurveBuffers | undefined;
function curveBuffers(steps: number): CurveBuffers {
  if (!buffers || buffers.equity.length < steps) {
    buffers = { equity: new Float64Array(steps) };
  }
  return buffers;
}

/** The last stored sweep's timeline in this thread: its chunks come one after another. */
let lastTimeline: { readonly series: readonly BarSeries[]; readonly timeline: Timeline } | undefined;

export async function runStoredSweepChunk(task: StoredSweepChunkTask): Promise<SweepChunkOutcome[]> {
  const b = task.bars;
  const job = { run: { dataset: b.dataset, symbols: b.symbols, period: b.period }, from: b.from, to: b.to };
  const series = await loadRunSeries(await threadBarReader(task.storage), job, threadBarCache(task.barCacheBytes));
  // The cache hands back the same arrays for the same bars, so the timeline is reused with them.
  const same = lastTimeline && lastTimeline.series.length === series.length && lastTimeline.series.every((s, k) => sameColumn(s.time, series[k]!.time));
  if (!same) lastTimeline = { series, timeline: buildTimeline(series) };
  return runSweepChunk({ ...task, series, timeline: lastTimeline!.timeline });
}

function sameColumn(a: Float64Array, b: Float64Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

export async function runSweepChunk(task: SweepChunkTask): Promise<SweepChunkOutcome[]> {
  const strategy = (await threadStrategies(task.strategiesDir)).registry.get(task.strategy);
  const out: SweepChunkOutcome[] = [];
  const cancelled = () => Atomics.load(task.cancelFlag, 0) !== 0;
  for (const combo of task.combinations) {
    if (cancelled()) break;
    try {
      if (!strategy) throw new Error(`strategy ${task.strategy} is not loaded in the worker`);
      const bt = new Backtest({
        series: task.series,
        timeline: task.timeline,
        curveBuffers: task.timeline ? curveBuffers(task.timeline.steps) : undefined,
        records: 'metrics',
        strategy,
        params: combo.params,
        initialCash: task.initialCash,
        commission: task.commission,
        slippage: task.slippageBps,
        periodsPerYear: task.periodsPerYear,
        riskFreeRate: task.riskFreeRate,
      });
      while (!bt.advance(CHECK_EVERY)) if (cancelled()) break;
      if (!bt.done) break; // cancelled mid-combination: not a result
      // Only the metrics are kept: they must be storable (an overflow fails the combination, saying so).
      out.push({ seq: combo.seq, params: combo.params, metrics: storableMetrics(bt.result().metrics), error: null });
    } catch (e) {
      out.push({ seq: combo.seq, params: combo.params, metrics: null, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
