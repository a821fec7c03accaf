/**
 * Sweep chunks on this process's pool: the bars are loaded once, in the main thread, into
 * SharedArrayBuffer-backed columns that every chunk task reads in place, with their merged timeline.
 */
import type { BarSeries } from '../engine/bars.js';
import { buildTimeline, shareTimeline } from '../engine/timeline.js';
import type { Storage } from '../data/storage.js';
import type { SweepChunkOutcome, SweepChunkTask } from '../workers/sweep.worker.js';
import type { RunChunk, SweepChunkRunner, SweepChunkSpec } from './sweep-chunk-runner.js';

/** The part of the job manager this needs: its pool, shared fairly with runs (fair-scheduler.ts). */
export interface PoolTasks {
  readonly threads: number;
  runTask<T>(name: string, task: unknown, options: { group?: number; cancelFlag?: Int32Array }): Promise<T | undefined>;
}

export class PoolSweepChunks implements SweepChunkRunner {
  constructor(
    private readonly storage: Storage,
    private readonly pool: PoolTasks,
    private readonly strategiesDir: string,
  ) {}

  threads(): Promise<number> {
    return Promise.resolve(this.pool.threads);
  }

  async prepare(sweepId: number, spec: SweepChunkSpec, cancelFlag: Int32Array): Promise<RunChunk> {
    const { bars } = spec;
    const series: BarSeries[] = [];
    for (const symbol of bars.symbols) {
      series.push(shareSeries(await this.storage.loadBars({ dataset: bars.dataset, symbol, period: bars.period, from: bars.from, to: bars.to })));
    }
    const timeline = shareTimeline(buildTimeline(series));
    const { bars: _bars, ...settings } = spec;
    return (combinations) => {
      const task: SweepChunkTask = { ...settings, strategiesDir: this.strategiesDir, series, timeline, combinations, cancelFlag };
      return this.pool.runTask<SweepChunkOutcome[]>('runSweepChunk', task, { group: sweepId, cancelFlag });
    };
  }

  /** The shared cancel flag reaches every chunk on this pool already. */
  cancel(): Promise<void> {
    return Promise.resolve();
  }
}

/** Copies a series into SharedArrayBuffers so every worker reads the same memory. */
function shareSeries(s: BarSeries): BarSeries {
  const share = (a: Float64Array) => {
    const out = new Float64Array(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return { symbol: s.symbol, length: s.length, time: share(s.time), open: share(s.open), high: share(s.high), low: share(s.low), close: share(s.close), volume: share(s.volume) };
}
