/**
 * The sequence numbers of runUpdates. A run's history is three append-only buffers (fills, order
 * changes, equity samples) and its state; after every worker message the job manager records a
 * mark: how long each buffer was then, and the state. Mark k (1-based) is sequence number k, the
 * same for every subscriber, so `afterSeq: k` names a position in all three buffers at once and a
 * client that reconnects resumes exactly there. Marks are small (one per worker message, a few per
 * engine chunk), so they are kept for the whole run and for a while after it (run-updates.ts).
 */
import type { Fill, Order } from '../engine/orders.js';
import type { EquitySample, StatusSnapshot } from './run-events.js';

export interface RunMark {
  /** Fills [0, fills) existed at this mark. */
  readonly fills: number;
  /** Order changes [0, orderChanges) of the run's change log existed. */
  readonly orderChanges: number;
  /** Equity samples [0, equity) existed. */
  readonly equity: number;
  readonly state: StatusSnapshot;
  /** Time of the last order change so far (epoch ms; -Infinity before the first): later changes are after it. */
  readonly orderTime: number;
  /** Time of the last equity sample so far (epoch ms; -Infinity before the first). */
  readonly equityTime: number;
}

/** What a mark is taken of: the active run's buffers (see ActiveRun in job-manager.ts). */
export interface MarkedRun {
  readonly state: StatusSnapshot;
  readonly fills: readonly Fill[];
  /** Each order's latest state, at index id - 1. */
  readonly orders: readonly Order[];
  /** Order ids in the order their changes arrived (an id once per worker message that changed it). */
  readonly orderLog: readonly number[];
  readonly equity: readonly EquitySample[];
  readonly marks: RunMark[];
}

/** Records a mark when anything changed since the last one; call after each change of the run. */
export function markRunEvent(run: MarkedRun): void {
  const last = run.marks[run.marks.length - 1];
  const { fills, orderLog, equity, state } = run;
  if (last && last.fills === fills.length && last.orderChanges === orderLog.length && last.equity === equity.length && sameState(last.state, state)) return;
  const lastOrder = orderLog.length > 0 ? run.orders[orderLog[orderLog.length - 1]! - 1] : undefined;
  run.marks.push({
    fills: fills.length,
    orderChanges: orderLog.length,
    equity: equity.length,
    state,
    orderTime: lastOrder?.updatedAt ?? -Infinity,
    equityTime: equity.length > 0 ? equity[equity.length - 1]!.time : -Infinity,
  });
}

function sameState(a: StatusSnapshot, b: StatusSnapshot): boolean {
  return a.status === b.status && a.progress === b.progress && a.barsProcessed === b.barsProcessed && a.simTime === b.simTime;
}

/** The run's latest order states recorded from a worker message (ids are 1-based and dense). */
export function recordOrderChanges(run: { readonly orders: Order[]; readonly orderLog: number[] }, changed: readonly Order[]): void {
  for (const o of changed) {
    run.orders[o.id - 1] = o;
    run.orderLog.push(o.id);
  }
}
