/**
 * An active run's live side: its replay buffers (fills, order changes, equity samples, marks) and
 * how each event of the run changes them and reaches the run's topic. The local job manager feeds
 * it from its pool thread's messages; with REDIS_URL every API instance feeds its own copy from the
 * run's event log (run-event-log.ts). The same events in the same order give the same buffers and
 * the same marks, so `afterSeq` means the same position on every instance.
 */
import type { PubSub } from '@graphql-yoga/subscription';
import type { Fill, Order } from '../engine/orders.js';
import { decodeBlock } from '../data/result-blocks.js';
import type { WorkerMessage } from '../workers/protocol.js';
import { isTerminal, type EquitySample, type RunEvent, type StatusSnapshot } from './run-events.js';
import { markRunEvent, recordOrderChanges, type RunMark } from './run-marks.js';

/** What the service knows of a run that has not ended yet. */
export interface ActiveRun {
  readonly runId: number;
  state: StatusSnapshot;
  /** Every fill so far, in execution order: the replay buffer of runFills. */
  readonly fills: Fill[];
  /** Every equity sample so far: the replay buffer of runEquity. */
  readonly equity: EquitySample[];
  /** Each order's latest state (index id - 1) and the ids in the order their changes came: runUpdates' order changes. */
  readonly orders: Order[];
  readonly orderLog: number[];
  /** runUpdates' sequence numbers: a mark after each change of the run (run-marks.ts). */
  readonly marks: RunMark[];
  /** Settles (never rejects) once the outcome is stored and the end event published. */
  readonly finished: Promise<void>;
}

export type RunTopics = { run: [runId: number, event: RunEvent] };

/** A run's event as it travels: a worker message that is not the last, a change of status, or the end. */
export type RunFeedEvent =
  | Exclude<WorkerMessage, { kind: 'done' }>
  | ({ readonly kind: 'status' } & StatusSnapshot)
  | ({ readonly kind: 'end' } & StatusSnapshot);

/** A fresh active run: QUEUED, empty buffers, its first mark taken. */
export function newActiveRun<R extends ActiveRun>(fields: Omit<R, keyof ActiveRun> & { readonly runId: number; readonly finished: Promise<void> }): R {
  const run = {
    ...fields,
    state: { status: 'QUEUED', progress: 0, barsProcessed: 0, simTime: null },
    fills: [],
    equity: [],
    orders: [],
    orderLog: [],
    marks: [],
  } as unknown as R;
  markRunEvent(run);
  return run;
}

export class RunFeed {
  constructor(private readonly pubsub: PubSub<RunTopics>) {}

  /** Applies one event and marks it in the same tick as its publish, before any subscriber runs. */
  apply(run: ActiveRun, e: Exclude<RunFeedEvent, { kind: 'end' }>): void {
    switch (e.kind) {
      case 'fills': {
        const fills = decodeBlock(e.block, 'fills');
        const fromSeq = run.fills.length;
        for (const f of fills) run.fills.push(f);
        this.pubsub.publish('run', run.runId, { kind: 'fills', fromSeq, fills });
        break;
      }
      case 'orders': {
        const fromSeq = run.orderLog.length;
        const orders = decodeBlock(e.block, 'orders');
        recordOrderChanges(run, orders);
        this.pubsub.publish('run', run.runId, { kind: 'orders', fromSeq, count: orders.length });
        break;
      }
      case 'progress': {
        const fromSeq = run.equity.length;
        const points: EquitySample[] = [];
        for (let k = 0; k < e.equity.time.length; k++) {
          points.push({ time: e.equity.time[k]!, equity: e.equity.equity[k]!, cash: e.equity.cash[k]!, drawdown: e.equity.drawdown[k]! });
        }
        run.equity.push(...points);
        if (points.length > 0) this.pubsub.publish('run', run.runId, { kind: 'equity', fromSeq, points });
        this.status(run, { status: 'RUNNING', progress: e.progress, barsProcessed: e.barsProcessed, simTime: e.simTime });
        break;
      }
      case 'status':
        this.status(run, { status: e.status, progress: e.progress, barsProcessed: e.barsProcessed, simTime: e.simTime });
        break;
    }
    markRunEvent(run);
  }

  /** A new state of a run that has not ended (a terminal one comes only through `end`). */
  status(run: ActiveRun, state: StatusSnapshot): void {
    if (isTerminal(run.state.status)) return;
    run.state = state;
    markRunEvent(run);
    this.pubsub.publish('run', run.runId, { kind: 'status', ...state });
  }

  /** The last event: the final state, marked and published (the caller removed the run in this same tick). */
  end(run: ActiveRun, final: StatusSnapshot): void {
    run.state = final;
    markRunEvent(run);
    this.pubsub.publish('run', run.runId, { kind: 'end', ...final });
  }
}
