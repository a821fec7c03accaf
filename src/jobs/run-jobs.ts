/**
 * What the schema, the streams and the sweeps need of the service's runs, implemented by the
 * in-process job manager (job-manager.ts: a Piscina pool in this process) and, with REDIS_URL, by
 * the queued one (cluster/queued-job-manager.ts: BullMQ jobs run by worker nodes, each API
 * instance following the runs' event logs).
 */
import type { PubSub } from '@graphql-yoga/subscription';
import type { RunRecord } from '../data/run-types.js';
import type { Admission, AdmissionLimits, Owner } from './admission.js';
import type { ActiveRun, RunTopics } from './run-feed.js';
import type { RunMark } from './run-marks.js';
import type { ValidatedRun } from './run-input.js';
import type { SweepChunkRunner } from './sweep-chunk-runner.js';

export interface EnqueueOptions {
  /** The owner key counted by the per-key queue limit; default: the run's ownerKeyId, if any. */
  readonly owner?: Owner;
  /** A sweep re-running its best combinations: counted, never refused (the sweep was admitted). */
  readonly forSweep?: boolean;
}

export interface RunJobs {
  readonly pubsub: PubSub<RunTopics>;
  readonly admission: Admission;
  readonly limits: AdmissionLimits;
  /** Backtest threads in this process (0: an API instance without a local worker). */
  readonly threads: number;
  readonly sweepChunks: SweepChunkRunner;
  /** The live side of a run that has not ended and that this process follows. */
  activeRun(id: number): ActiveRun | undefined;
  /**
   * Makes a run that has not ended visible to activeRun, its buffers filled up to now. In process
   * there is nothing to do; with REDIS_URL this instance starts following the run's event log.
   */
  follow(id: number): Promise<void>;
  /**
   * The runUpdates positions (marks) of a run that has ended, rebuilt from wherever they are still
   * kept: with REDIS_URL the run's event log (an hour after its end); in process nowhere (null).
   */
  endedMarks(id: number): Promise<readonly RunMark[] | null>;
  activeCount(): number;
  /** Admits, stores QUEUED and queues a run; returns at once. */
  enqueue(validated: ValidatedRun, options?: EnqueueOptions): Promise<RunRecord>;
  /** Cancels a run: a queued one at once, a running one at its next chunk. Null for an unknown id. */
  cancel(id: number): Promise<RunRecord | null>;
  /** Deletes runs and everything stored for them, cancelling active ones first. */
  delete(ids: readonly number[]): Promise<number>;
  shutdown(graceMs?: number): Promise<void>;
}
