/**
 * One stored run from start to finish: load its bars, run the engine in chunks, report between
 * chunks, store the results. Synchronous on purpose: it runs inside a pool thread (or the CLI) and
 * the loop never awaits. Used by the Piscina worker and by `backtest run`.
 */
import type { BarSeries } from '../engine/bars.js';
import { Backtest } from '../engine/engine.js';
import { requireFiniteResult, storablePartial } from '../engine/finite-results.js';
import type { Fill, Order } from '../engine/orders.js';
import type { BacktestResult, EquityCurve } from '../engine/results.js';
import type { AnyStrategy } from '../engine/strategy.js';
import { loadBars } from '../data/bar-store.js';
import type { AppDatabase } from '../data/db.js';
import { finishRun, markRunStarted, updateRunProgress, type RunRecord } from '../data/run-store.js';
import type { NewRun } from '../data/run-types.js';

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
  /** Wall-clock ms between stored progress updates (default 250). */
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
}

export function executeRun(app: AppDatabase, job: RunToExecute, hooks: RunHooks = {}): ExecutedRun {
  const { runId, run } = job;
  if (!markRunStarted(app, runId)) return { record: null, result: null }; // cancelled or deleted while queued
  let bt: Backtest | undefined;
  try {
    const series = run.symbols.map((symbol) => loadSeries(app, job, symbol));
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
      account: run.account,
      risk: run.risk,
      listener: hooks.onFills || hooks.onOrders ? { onFill: (fill) => pending.push(fill), onOrder: hooks.onOrders && ((order) => void changedOrders.set(order.id, order)) } : undefined,
    });
    const totalBars = bt.timeline.totalBars;
    const storeEvery = hooks.progressStoreIntervalMs ?? 250;
    let lastStored = 0;
    let cancelled = false;
    for (;;) {
      const done = bt.advance(CHUNK_STEPS);
      if (changedOrders.size > 0) {
        hooks.onOrders?.([...changedOrders.values()]);
        changedOrders.clear();
      }
      if (pending.length > 0) {
        hooks.onFills?.(pending.splice(0));
      }
      const barsProcessed = bt.barsProcessed;
      const progress = totalBars === 0 ? 1 : barsProcessed / totalBars;
      const curve = bt.equityCurve();
      hooks.onProgress?.({ progress, barsProcessed, totalBars, simTime: bt.simTime, curve });
      if (done) break;
      if (hooks.isCancelled?.()) {
        cancelled = true;
        break;
      }
      const now = Date.now();
      if (now - lastStored >= storeEvery) {
        updateRunProgress(app, runId, progress, barsProcessed);
        lastStored = now;
      }
    }
    const result = requireFiniteResult(bt.result()); // NaN/Infinity would make the stored run unreadable
    const progress = fractionDone(bt);
    const record = finishRun(app, runId, cancelled ? { status: 'CANCELLED', result, progress } : { status: 'COMPLETED', result });
    return { record, result };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // A strategy that throws still leaves what it did so far, for diagnosis.
    const partial = storablePartial(bt?.result());
    const record = finishRun(app, runId, { status: 'FAILED', error: message, result: partial, progress: bt ? fractionDone(bt) : 0 });
    return { record, result: partial ?? null };
  }
}

function fractionDone(bt: Backtest): number {
  const total = bt.timeline.totalBars;
  return total === 0 ? 1 : bt.barsProcessed / total;
}

function loadSeries(app: AppDatabase, job: RunToExecute, symbol: string): BarSeries {
  const series = loadBars(app, { dataset: job.run.dataset, symbol, period: job.run.period, from: job.from, to: job.to });
  if (series.length === 0) throw new Error(`no ${job.run.period} bars for ${symbol} between ${job.run.start ?? 'the first bar'} and ${job.run.end ?? 'the last bar'}`);
  return series;
}
