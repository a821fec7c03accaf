/** Messages between the job manager (main thread) and a backtest worker. */
import type { MessagePort } from 'node:worker_threads';
import type { Fill, Order } from '../engine/orders.js';
import type { NewRun, RunStatus } from '../data/run-types.js';

export interface BacktestTask {
  readonly runId: number;
  readonly run: NewRun & { readonly periodsPerYear: number };
  readonly from?: number;
  readonly to?: number;
  readonly databasePath: string;
  readonly strategiesDir: string;
  /** Int32Array over a SharedArrayBuffer: non-zero asks the run to stop. */
  readonly cancelFlag: Int32Array;
  readonly port: MessagePort;
  /** Minimum wall-clock ms between progress messages. */
  readonly progressIntervalMs: number;
}

/** Equity points as columns: one structured clone of four arrays per message. */
export interface EquityColumns {
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
  readonly drawdown: Float64Array;
}

export type WorkerMessage =
  | { readonly kind: 'started' }
  | { readonly kind: 'fills'; readonly fills: readonly Fill[] }
  /** Orders that changed during an engine chunk, each once in its state at the chunk's end (before that chunk's fills). */
  | { readonly kind: 'orders'; readonly orders: readonly Order[] }
  | { readonly kind: 'progress'; readonly progress: number; readonly barsProcessed: number; readonly simTime: number; readonly equity: EquityColumns }
  /** Last message of a run: everything before it has been sent, results are stored. */
  | { readonly kind: 'done'; readonly status: RunStatus; readonly error: string | null };

export interface BacktestTaskResult {
  readonly status: RunStatus;
  readonly error: string | null;
}
