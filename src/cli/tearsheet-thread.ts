/**
 * The main thread's side of the tearsheet thread (tearsheet.worker.ts). `backtest run` of a large
 * run spends ~0.2 s on the analytics it prints after storing the run; handed the equity curve when
 * the simulation has produced it, this thread computes them while the main thread stores the run
 * and checkpoints the database. Until results are handed over it does not keep the process alive,
 * so a command that fails on the way exits as before.
 */
import { Worker } from 'node:worker_threads';
import type { BacktestResult, EquityCurve } from '../engine/results.js';
import { fillColumns, roundTripColumns, transferList, type FromTearsheetThread, type TearsheetFormat, type TearsheetSettings, type ToTearsheetThread } from './tearsheet-messages.js';

/**
 * Compiled (dist/, bundled by scripts/build.mjs), the thread starts from the compiled module; from
 * the TypeScript sources, from a small .mjs entry that registers tsx first (as the pool threads do,
 * see src/workers/thread-entries.ts). Through the folder name: this code may sit in dist/chunks/.
 */
const COMPILED = import.meta.url.endsWith('.js');
const ENTRY = new URL(COMPILED ? '../cli/tearsheet.worker.js' : '../cli/tearsheet-entry.mjs', import.meta.url);

export type RenderedAnalytics = Exclude<FromTearsheetThread, { kind: 'failed' }>;

export class TearsheetThread {
  private readonly worker: Worker;
  private readonly reply: Promise<FromTearsheetThread>;
  private readonly symbols: readonly string[];
  private pointsSent = -1;

  private constructor(settings: TearsheetSettings) {
    this.symbols = settings.symbols;
    this.worker = new Worker(ENTRY, { workerData: settings });
    this.worker.unref();
    this.reply = new Promise((resolve) => {
      this.worker.once('message', resolve);
      this.worker.once('error', (e) => resolve({ kind: 'failed', message: e.message }));
      this.worker.once('exit', (code) => resolve({ kind: 'failed', message: `the tearsheet thread exited (code ${code})` }));
    });
  }

  static start(settings: TearsheetSettings): TearsheetThread {
    return new TearsheetThread(settings);
  }

  /** The whole curve (copied: the engine's arrays stay the engine's). */
  curve(c: EquityCurve): void {
    const n = c.length;
    this.send({ kind: 'curve', time: c.time.slice(0, n), equity: c.equity.slice(0, n), cash: c.cash.slice(0, n) });
    this.pointsSent = n;
  }

  /**
   * Hands over the stored run's fills and round trips (and the curve, unless the same was handed
   * over already); resolves with the rendered analytics, or `failed` (the caller then computes
   * them itself). The thread keeps the process alive until it answers.
   */
  async render(result: BacktestResult, format: TearsheetFormat): Promise<FromTearsheetThread> {
    try {
      if (this.pointsSent !== result.equity.length) this.curve(result.equity);
      this.send({ kind: 'results', points: result.equity.length, fills: fillColumns(result.fills), roundTrips: roundTripColumns(result.roundTrips, this.symbols), format });
      this.worker.ref();
      return await this.reply;
    } catch (e) {
      return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.stop();
    }
  }

  stop(): void {
    void this.worker.terminate();
  }

  private send(m: ToTearsheetThread): void {
    this.worker.postMessage(m, transferList(m));
  }
}
