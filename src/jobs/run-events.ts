/**
 * What a run publishes while it advances. One topic per run carries every kind, so a subscriber
 * sees them in the order they happened (the last fills always before the end).
 */
import type { Fill } from '../engine/orders.js';
import type { RunStatus } from '../data/run-types.js';

export interface EquitySample {
  readonly time: number;
  readonly equity: number;
  readonly cash: number;
  readonly drawdown: number;
}

export interface StatusSnapshot {
  readonly status: RunStatus;
  readonly progress: number;
  readonly barsProcessed: number;
  /** Time of the last processed bar, epoch ms; null before the first. */
  readonly simTime: number | null;
}

export type RunEvent =
  | ({ readonly kind: 'status' } & StatusSnapshot)
  /** Fills `fromSeq .. fromSeq + fills.length - 1` of the run, 0-based execution order. */
  | { readonly kind: 'fills'; readonly fromSeq: number; readonly fills: readonly Fill[] }
  /** Equity samples `fromSeq ..` of the run's sampled stream. */
  | { readonly kind: 'equity'; readonly fromSeq: number; readonly points: readonly EquitySample[] }
  /** Order changes `fromSeq ..` of the run's change log (ActiveRun.orderLog; the states are in ActiveRun.orders). */
  | { readonly kind: 'orders'; readonly fromSeq: number; readonly count: number }
  | ({ readonly kind: 'end' } & StatusSnapshot);

export const TERMINAL_STATUSES: readonly RunStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const isTerminal = (s: RunStatus) => TERMINAL_STATUSES.includes(s);
