/**
 * Where a sweep's chunks run: on this process's pool (pool-sweep-chunks.ts), or, with REDIS_URL, as
 * BullMQ jobs that any worker node takes (cluster/queued-sweep-chunks.ts). The sweep manager cuts
 * the combinations into chunks and gathers their results the same way for both.
 */
import type { SweepBars, SweepChunkOutcome, SweepCombination, SweepSettings } from '../workers/sweep.worker.js';

export interface SweepChunkSpec extends SweepSettings {
  readonly bars: SweepBars;
}

/** Runs one chunk; undefined when the sweep was cancelled before the chunk started. */
export type RunChunk = (combinations: readonly SweepCombination[]) => Promise<SweepChunkOutcome[] | undefined>;

export interface SweepChunkRunner {
  /** Threads that share a sweep's chunks now: the chunk sizes follow it (sweep-chunks.ts). */
  threads(): Promise<number>;
  /**
   * Gets a sweep ready (on the pool: its bars loaded once into shared memory) and returns how to
   * run its chunks. `cancelFlag` set (Atomics) stops the sweep's chunks here; `cancel` elsewhere.
   */
  prepare(sweepId: number, spec: SweepChunkSpec, cancelFlag: Int32Array): Promise<RunChunk>;
  /** Asks the sweep's chunks to stop wherever they run (after its cancelFlag was set). */
  cancel(sweepId: number): Promise<void>;
}
