/**
 * Piscina task `runSweepChunk`: runs a chunk of a sweep's combinations over bars the main thread
 * loaded once and shares (SharedArrayBuffer-backed columns: no copy, no reload per combination).
 * Only metrics come back; the best combinations are re-run later as ordinary, fully stored runs.
 */
import type { BarSeries } from '../engine/bars.js';
import { Backtest, type CurveBuffers } from '../engine/engine.js';
import { storableMetrics } from '../engine/finite-results.js';
import type { Timeline } from '../engine/timeline.js';
import type { RunMetrics } from '../engine/results.js';
import type { CommissionSpec } from '../data/run-types.js';
import { loadStrategies, type LoadedStrategies } from '../jobs/strategy-loader.js';

export interface SweepChunkTask {
  readonly strategy: string;
  readonly strategiesDir: string;
  readonly series: readonly BarSeries[];
  /** Their merged timeline, built once for the whole sweep. */
  readonly timeline?: Timeline;
  readonly initialCash: number;
  readonly commission: CommissionSpec;
  readonly slippageBps: number;
  readonly periodsPerYear: number;
  readonly riskFreeRate?: number;
  readonly combinations: readonly { readonly seq: number; readonly params: Record<string, unknown> }[];
  /** Non-zero: stop before the next combination (and within a chunk of bars of the current one). */
  readonly cancelFlag: Int32Array;
}

export interface SweepChunkOutcome {
  readonly seq: number;
  readonly params: Record<string, unknown>;
  readonly metrics: RunMetrics | null;
  readonly error: string | null;
}

/** Timestamps between cancellation checks inside one combination. */
const CHECK_EVERY = 65_536;

const registries = new Map<string, Promise<LoadedStrategies>>();

/** One set of equity-curve arrays per thread, reused by every combination (see CurveBuffers). */
let buffers: CurveBuffers | undefined;
function curveBuffers(steps: number): CurveBuffers {
  if (!buffers || buffers.equity.length < steps) {
    buffers = { equity: new Float64Array(steps), cash: new Float64Array(steps), drawdown: new Float64Array(steps) };
  }
  return buffers;
}

export async function runSweepChunk(task: SweepChunkTask): Promise<SweepChunkOutcome[]> {
  let loaded = registries.get(task.strategiesDir);
  if (!loaded) registries.set(task.strategiesDir, (loaded = loadStrategies(task.strategiesDir)));
  const strategy = (await loaded).registry.get(task.strategy);
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
