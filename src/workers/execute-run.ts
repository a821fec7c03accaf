/**
 * One run from start to finish: load its bars, run the engine in chunks, report between chunks.
 * Synchronous on purpose: it runs inside a pool thread (or the CLI) and the loop never awaits.
 * `simulateRun` only reads (the pool threads); `executeRun` also stores (the CLI's `backtest run`).
 */
import type { BarSeries } from '../engine/bars.js';
import { Backtest } from '../engine/engine.js';
import { requireFiniteResult, storablePartial } from '../engine/finite-results.js';
import type { Fill, Order } from '../engine/orders.js';
import type { BacktestResult, EquityCurve } from '../engine/results.js';
import type { AnyStrategy } from '../engine/strategy.js';
import type { BarCache } from '../data/bar-cache.js';
import type { BarReader } from '../data/bar-reader.js';
import { loadBars, type LoadBarsInput } from '../data/bar-store.js';
import type { AppDatabase } from '../data/db.js';
import { finishRun, markRunStarted, updateRunProgress, type RunRecord } from '../data/run-store.js';
import type { FinalRunStatus, NewRun } from '../data/run-types.js';

/** Timestamps per engine chunk: small enough to check for cancellation often, large enough to be free. */
export const CHUNK_STEPS = 16_384;

export interface RunProgress {
  readonly progress: number;
  readonly barsProcessed: number;
  readonly totalBars: number;
  /** Time of the last processed bar, epoch ms. */
  readonly simTime: number;
  /** The whole curve so far (views into the engine's arrays: read now, don't keep). */
  readonly curve: EquityCurve;
}

export interface RunHooks {
  /** Fills since the last call, in execution order; called before the progress of the same chunk. */
  onFills?(fills: readonly Fill[]): void;
  /** Orders that changed since the last call, each once, as the engine's live objects (send or copy them now); called before onFills. */
  onOrders?(orders: readonly Readonly<Order>[]): void;
  onProgress?(progress: RunProgress): void;
  /** Polled between chunks; true stops the run, which then ends CANCELLED with its partial results. */
  isCancelled?(): boolean;
  /** executeRun: wall-clock ms between stored progress updates (default 250). */
  readonly progressStoreIntervalMs?: number;
}

export interface RunToExecute {
  readonly runId: number;
  readonly run: NewRun & { readonly periodsPerYear: number };
  readonly strategy: AnyStrategy;
  readonly from?: number;
  readonly to?: number;
}

export interface ExecutedRun {
  readonly record: RunRecord | null;
  readonly result: BacktestResult | null;
  /** The bars the run read, one series per symbol (when it got that far). */
  readonly series?: readonly BarSeries[];
}

/** Ceilings a run stops at (the service's MAX_BARS_PER_RUN and MAX_FILLS_PER_RUN); none by default. */
export interface RunCeilings {
  readonly maxBars?: number;
  readonly maxFills?: number;
}

/** How a simulation ended, before anything is stored. */
export interface SimulatedRun {
  readonly status: FinalRunStatus;
  readonly error: string | null;
  /** The whole result (COMPLETED), the partial one (CANCELLED; FAILED when storable), or none. */
  readonly result: BacktestResult | undefined;
  /** Fraction of the bars processed. */
  readonly progress: number;
  readonly barsProcessed: number;
}

/**
 * `backtest run`: QUEUED -> RUNNING, simulate, store the outcome (all in this thread). The service
 * instead simulates in a pool thread and stores on the main thread (see job-manager.ts).
 */
export function executeRun(app: AppDatabase, job: RunToExecute, hooks: RunHooks = {}): ExecutedRun {
  const { runId } = job;
  if (!markRunStarted(app, runId)) return { record: null, result: null }; // cancelled or deleted while queued
  const storeEvery = hooks.progressStoreIntervalMs ?? 250;
  let lastStored = 0;
  let series: BarSeries[];
  try {
    series = job.run.symbols.map((symbol) => requireBars(job, symbol, loadBars(app, barsInput(job, symbol))));
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { record: finishRun(app, runId, { status: 'FAILED', error, result: undefined, progress: 0 }), result: null };
  }
  const s = simulateRun(series, job, {
    ...hooks,
    onProgress: (p) => {
      hooks.onProgress?.(p);
      const now = Date.now();
      if (now - lastStored < storeEvery || p.progress >= 1) return;
      updateRunProgress(app, runId, p.progress, p.barsProcessed);
      lastStored = now;
    },
  });
  const record = finishRun(app, runId, { status: s.status, error: s.error, result: s.result, progress: s.progress });
  return { record, result: s.result ?? null, series };
}

/**
 * The run's bars, one series per symbol, through a pool thread's reader (and its cache, when it
 * keeps bars between runs). Throws when a symbol has no bars in the run's range.
 */
/** Which bars a run reads: its symbols' bars of one dataset and period, from..to. */
export interface RunBars {
  readonly run: Pick<NewRun, 'dataset' | 'symbols' | 'period'> & Partial<Pick<NewRun, 'start' | 'end'>>;
  readonly from?: number;
  readonly to?: number;
}

export async function loadRunSeries(reader: BarReader, job: RunBars, cache: BarCache | undefined): Promise<BarSeries[]> {
  const out: BarSeries[] = [];
  for (const symbol of job.run.symbols) {
    const input = barsInput(job, symbol);
    out.push(requireBars(job, symbol, cache ? await cache.load(reader, input) : await reader.loadBars(input)));
  }
  return out;
}

/**
 * Runs the engine over the run's bars in chunks, reporting between chunks; touches no database, so
 * it can run in any thread. Never throws: a failure is a FAILED outcome.
 */
export function simulateRun(series: readonly BarSeries[], job: RunToExecute, hooks: RunHooks & RunCeilings = {}): SimulatedRun {
  const { run } = job;
  let bt: Backtest | undefined;
  try {
    const pending: Fill[] = [];
    const changedOrders = new Map<number, Readonly<Order>>();
    bt = new Backtest({
      series,
      strategy: job.strategy,
      params: run.params,
      initialCash: run.initialCash,
      commission: run.commission,
      slippage: run.slippageBps,
      periodsPerYear: run.periodsPerYear,
      riskFreeRate: run.riskFreeRate,
      account: run.account,
      risk: run.risk,
      listener: { onFill: (fill) => pending.push(fill), onOrder: hooks.onOrders && ((order) => void changedOrders.set(order.id, order)) },
    });
    const totalBars = bt.timeline.totalBars;
    if (hooks.maxBars !== undefined && totalBars > hooks.maxBars) {
      throw new Error(`${totalBars} bars exceed the limit of ${hooks.maxBars} per run (MAX_BARS_PER_RUN)`);
    }
    let fills = 0;
    let cancelled = false;
    for (;;) {
      const done = bt.advance(CHUNK_STEPS);
      if (changedOrders.size > 0) {
        hooks.onOrders?.([...changedOrders.values()]);
        changedOrders.clear();
      }
      fills += pending.length;
      if (pending.length > 0) hooks.onFills?.(pending.splice(0));
      const barsProcessed = bt.barsProcessed;
      const progress = totalBars === 0 ? 1 : barsProcessed / totalBars;
      hooks.onProgress?.({ progress, barsProcessed, totalBars, simTime: bt.simTime, curve: bt.equityCurve() });
      if (hooks.maxFills !== undefined && fills > hooks.maxFills) {
        // Keeping millions of fills would cost every reader; the run is refused as a whole.
        return {
          status: 'FAILED',
          error: `more than ${hooks.maxFills} fills (MAX_FILLS_PER_RUN): stopped after ${fills} fills at ${new Date(bt.simTime).toISOString()}; no fills or orders are kept`,
          result: undefined,
          progress: fractionDone(bt),
          barsProcessed: bt.barsProcessed,
        };
      }
      if (done) break;
      if (hooks.isCancelled?.()) {
        cancelled = true;
        break;
      }
    }
    const result = requireFiniteResult(bt.result()); // NaN/Infinity would make the stored run unreadable
    return { status: cancelled ? 'CANCELLED' : 'COMPLETED', error: null, result, progress: cancelled ? fractionDone(bt) : 1, barsProcessed: result.barsProcessed };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // A strategy that throws still leaves what it did so far, for diagnosis.
    let partial: BacktestResult | undefined;
    try {
      partial = storablePartial(bt?.result());
    } catch {
      partial = undefined; // the engine's state is broken; the message says enough
    }
    return { status: 'FAILED', error: message, result: partial, progress: bt ? fractionDone(bt) : 0, barsProcessed: bt?.barsProcessed ?? 0 };
  }
}

function fractionDone(bt: Backtest): number {
  const total = bt.timeline.totalBars;
  return total === 0 ? 1 : bt.barsProcessed / total;
}

export function barsInput(job: RunBars, symbol: string): LoadBarsInput {
  return { dataset: job.run.dataset, symbol, period: job.run.period, from: job.from, to: job.to };
}

export function requireBars(job: Pick<RunBars, 'run'>, symbol: string, series: BarSeries): BarSeries {
  if (series.length === 0) throw new Error(`no ${job.run.period} bars for ${symbol} between ${job.run.start ?? 'the first bar'} and ${job.run.end ?? 'the last bar'}`);
  return series;
}
