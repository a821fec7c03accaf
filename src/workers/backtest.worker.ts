/**
 * Piscina task: one backtest in a pool thread. Streams fills (batched per engine chunk) and
 * throttled progress with sampled equity over the task's MessagePort, polls the shared cancel
 * flag between chunks, and ends with the outcome encoded as columnar blocks, transferred (not
 * cloned) to the main thread, which stores it. The thread only reads the database.
 */
import type { Order } from '../engine/orders.js';
import { encodeBlock, type ResultItemOf } from '../data/result-blocks.js';
import { encodeOutcome } from './encode-outcome.js';
import { loadRunSeries, simulateRun, type RunProgress } from './execute-run.js';
import { EquitySampler } from './equity-sampler.js';
import type { BacktestTask, BacktestTaskResult, RunOutcome, WorkerMessage } from './protocol.js';
import { threadBarCache, threadBarReader, threadStrategies } from './thread-resources.js';

/** Equity points per progress message: enough for a smooth live chart, cheap to clone. */
const EQUITY_SAMPLES_PER_MESSAGE = 8;

export default async function runBacktestTask(task: BacktestTask): Promise<BacktestTaskResult> {
  const send = (m: WorkerMessage) => task.port.postMessage(m);
  // Items as one columnar block whose bytes move to the main thread (see protocol.ts).
  const sendBlock = <K extends 'fills' | 'orders'>(kind: K, items: readonly ResultItemOf[K][]) => {
    const block = encodeBlock(kind, items, 0, items.length);
    task.port.postMessage({ kind, block } satisfies WorkerMessage, [block.bytes.buffer as ArrayBuffer]);
  };
  let outcome: RunOutcome;
  try {
    const strategy = (await threadStrategies(task.strategiesDir)).registry.get(task.run.strategy);
    if (!strategy) throw new Error(`strategy ${task.run.strategy} is not loaded in the worker`);
    const job = { runId: task.runId, run: task.run, strategy, from: task.from, to: task.to };
    let lastSent = 0;
    const sampler = new EquitySampler();
    // Equity points [0, sentUpTo) have been covered by samples already.
    let sentUpTo = 0;
    const sendProgress = (p: RunProgress) => {
      send({
        kind: 'progress',
        progress: p.progress,
        barsProcessed: p.barsProcessed,
        simTime: p.simTime,
        equity: sampler.sample(p.curve, EQUITY_SAMPLES_PER_MESSAGE),
      });
      sentUpTo = p.curve.length;
    };
    let latest: RunProgress | undefined;
    const series = await loadRunSeries(await threadBarReader(task.storage), job, threadBarCache(task.barCacheBytes));
    const simulated = simulateRun(
      series,
      job,
      {
        onFills: (fills) => sendBlock('fills', fills),
        onOrders: (orders) => sendBlock('orders', orders as readonly Order[]),
        onProgress: (p) => {
          latest = p;
          const now = Date.now();
          if (now - lastSent < task.progressIntervalMs) return;
          lastSent = now;
          sendProgress(p);
        },
        isCancelled: () => Atomics.load(task.cancelFlag, 0) !== 0,
        maxBars: task.maxBars,
        maxFills: task.maxFills,
      },
    );
    // The final point always goes out, however the run ended.
    if (latest && sentUpTo < latest.curve.length) sendProgress(latest);
    outcome = encodeOutcome(simulated);
  } catch (e) {
    outcome = { status: 'FAILED', error: e instanceof Error ? e.message : String(e), progress: 0, barsProcessed: 0, metrics: null, blocks: [], equity: null };
  }
  try {
    task.port.postMessage({ kind: 'done', outcome } satisfies WorkerMessage, transferables(outcome));
  } finally {
    task.port.close();
  }
  return { status: outcome.status, error: outcome.error };
}

/** The outcome's byte buffers, moved to the main thread instead of copied. */
function transferables(o: RunOutcome): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => {
    if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  for (const b of o.blocks) add(b.bytes);
  if (o.equity) for (const a of [o.equity.time, o.equity.equity, o.equity.cash, o.equity.drawdown]) add(a);
  return [...out];
}
