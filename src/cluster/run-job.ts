/** The data of a BullMQ run job and of a sweep-chunk job: what a worker node needs besides its own storage. */
import type { NewRun } from '../data/run-types.js';
import type { SweepChunkSpec } from '../jobs/sweep-chunk-runner.js';
import type { SweepCombination } from '../workers/sweep.worker.js';

export interface RunJobData {
  readonly runId: number;
  readonly run: NewRun & { readonly periodsPerYear: number };
  readonly from?: number;
  readonly to?: number;
  /** The admitting instance's MAX_BARS_PER_RUN and MAX_FILLS_PER_RUN. */
  readonly maxBars: number;
  readonly maxFills: number;
}

export interface SweepChunkJobData {
  readonly sweepId: number;
  readonly spec: SweepChunkSpec;
  readonly combinations: readonly SweepCombination[];
}
