/** Messages between the job manager (main thread) and a backtest worker. */
import type { MessagePort } from 'node:worker_threads';
import type { ResultBlock } from '../data/result-blocks.js';
import type { RunOutcome } from '../data/run-outcome-store.js';
import type { NewRun, RunStatus } from '../data/run-types.js';
import type { StorageConfig } from '../data/storage.js';

export type { RunOutcome };

export interface BacktestTask {
  readonly runId: number;
  readonly run: NewRun & { readonly periodsPerYear: number };
  readonly from?: number;
  readonly to?: number;
  /** Where the bars are: the thread opens its own read-only connection. */
  readonly storage: StorageConfig;
  readonly strategiesDir: string;
  /** Int32Array over a SharedArrayBuffer: non-zero asks the run to stop. */
  readonly cancelFlag: Int32Array;
  readonly port: MessagePort;
  /** Minimum wall-clock ms between progress messages. */
  readonly progressIntervalMs: number;
  /** MAX_BARS_PER_RUN and MAX_FILLS_PER_RUN: past either the run ends FAILED. */
  readonly maxBars: number;
  readonly maxFills: number;
  /** Bytes of bars the pool thread may keep between runs (BAR_CACHE_MB); 0: none. */
  readonly barCacheBytes: number;
}

/** Equity points as columns: one structured clone of four arrays per message. */
export interface EquityColumns {
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly drawdown: Float64Array;
}

export type WorkerMessage =
  /**
   * Fills and order changes travel as columnar blocks (bytes transferred): the main thread decodes
   * them ~20x faster than it deserializes as many cloned objects, which kept it busy for seconds per
   * heavy run. Fills of one engine chunk, in execution order:
   */
  | { readonly kind: 'fills'; readonly block: ResultBlock }
  /** Orders that changed during an engine chunk, each once in its state at the chunk's end (before that chunk's fills). */
  | { readonly kind: 'orders'; readonly block: ResultBlock }
  | { readonly kind: 'progress'; readonly progress: number; readonly barsProcessed: number; readonly simTime: number; readonly equity: EquityColumns }
  /** Last message of a run: every fill and progress message came before it; the outcome's bytes are transferred. */
  | { readonly kind: 'done'; readonly outcome: RunOutcome };

export interface BacktestTaskResult {
  readonly status: RunStatus;
  readonly error: string | null;
}
