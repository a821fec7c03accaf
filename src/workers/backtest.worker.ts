/**
 * Piscina task: one backtest in a pool thread. Streams fills (batched per engine chunk) and
 * throttled progress with sampled equity over the task's MessagePort, polls the shared cancel
 * flag between chunks, and stores the results itself through its own SQLite connection.
 */
import { openDatabase, type AppDatabase } from '../data/db.js';
import { loadStrategies, type LoadedStrategies } from '../jobs/strategy-loader.js';
import { executeRun, type RunProgress } from './execute-run.js';
import { sampleEquity } from './equity-sampler.js';
import type { BacktestTask, BacktestTaskResult, WorkerMessage } from './protocol.js';

/** Equity points per progress message: enough for a smooth live chart, cheap to clone. */
const EQUITY_SAMPLES_PER_MESSAGE = 8;

const databases = new Map<string, AppDatabase>();
const registries = new Map<string, Promise<LoadedStrategies>>();

function database(path: string): AppDatabase {
  let app = databases.get(path);
  if (!app) databases.set(path, (app = openDatabase(path)));
  return app;
}

function strategies(dir: string): Promise<LoadedStrategies> {
  let loaded = registries.get(dir);
  if (!loaded) registries.set(dir, (loaded = loadStrategies(dir)));
  return loaded;
}

export default async function runBacktestTask(task: BacktestTask): Promise<BacktestTaskResult> {
  const send = (m: WorkerMessage) => task.port.postMessage(m);
  try {
    const app = database(task.databasePath);
    const strategy = (await strategies(task.strategiesDir)).registry.get(task.run.strategy);
    if (!strategy) throw new Error(`strategy ${task.run.strategy} is not loaded in the worker`);
    send({ kind: 'started' });
    let lastSent = 0;
    // Equity points [0, sentUpTo) have been covered by samples already.
    let sentUpTo = 0;
    const sendProgress = (p: RunProgress) => {
      send({
        kind: 'progress',
        progress: p.progress,
        barsProcessed: p.barsProcessed,
        simTime: p.simTime,
        equity: sampleEquity(p.curve, sentUpTo, EQUITY_SAMPLES_PER_MESSAGE),
      });
      sentUpTo = p.curve.length;
    };
    let latest: RunProgress | undefined;
    const { record } = executeRun(
      app,
      { runId: task.runId, run: task.run, strategy, from: task.from, to: task.to },
      {
        onFills: (fills) => send({ kind: 'fills', fills }),
        onOrders: (orders) => send({ kind: 'orders', orders }),
        onProgress: (p) => {
          latest = p;
          const now = Date.now();
          if (now - lastSent < task.progressIntervalMs) return;
          lastSent = now;
          sendProgress(p);
        },
        isCancelled: () => Atomics.load(task.cancelFlag, 0) !== 0,
      },
    );
    // The final point always goes out, however the run ended.
    if (latest && sentUpTo < latest.curve.length) sendProgress(latest);
    const result: BacktestTaskResult = record
      ? { status: record.status, error: record.error }
      : { status: 'CANCELLED', error: null };
    send({ kind: 'done', ...result });
    return result;
  } catch (e) {
    const result: BacktestTaskResult = { status: 'FAILED', error: e instanceof Error ? e.message : String(e) };
    send({ kind: 'done', ...result });
    return result;
  } finally {
    task.port.close();
  }
}
