/**
 * One backtest on a Piscina pool, as both the API's job manager and a worker node start it: the
 * task gets a MessagePort, its messages go to `onMessage` in order, and the outcome is the one the
 * thread sent last, or FAILED saying why when the thread died or ended without one.
 */
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { BacktestTask, BacktestTaskResult, RunOutcome, WorkerMessage } from './protocol.js';

export interface PoolRun {
  /** Settles when the pool thread is free again. */
  readonly thread: Promise<void>;
  /** Settles (never rejects) once every message was handed over. */
  readonly outcome: Promise<RunOutcome>;
}

/** How long to wait for a dead thread's port to drain before declaring the run's stream over. */
const PORT_DRAIN_MS = 1_000;

export function startPoolRun(
  pool: Piscina,
  task: Omit<BacktestTask, 'port'>,
  onMessage: (m: Exclude<WorkerMessage, { kind: 'done' }>) => void,
  /** Where the run was when it failed without an outcome. */
  lastState: () => { readonly progress: number; readonly barsProcessed: number },
): PoolRun {
  const { port1, port2 } = new MessageChannel();
  let outcome: RunOutcome | undefined;
  let drained!: () => void;
  const portDone = new Promise<void>((resolve) => (drained = resolve));
  port1.on('message', (m: WorkerMessage) => {
    if (m.kind === 'done') {
      outcome = m.outcome;
      drained();
    } else {
      onMessage(m);
    }
  });
  port1.on('close', () => drained());
  const ran: Promise<BacktestTaskResult | Error> = pool.run({ ...task, port: port2 } satisfies BacktestTask, { transferList: [port2] }).then(
    (r: BacktestTaskResult) => r,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  const finalOutcome = (async (): Promise<RunOutcome> => {
    const result = await ran;
    await Promise.race([portDone, delay(PORT_DRAIN_MS)]);
    port1.close();
    if (outcome) return outcome;
    const error = result instanceof Error ? `worker failed: ${result.message}` : (result.error ?? 'the worker ended without reporting an outcome');
    const { progress, barsProcessed } = lastState();
    return { status: 'FAILED', error, progress, barsProcessed, metrics: null, blocks: [], equity: null };
  })();
  return { thread: ran.then(() => undefined), outcome: finalOutcome };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
