/**
 * Sweep chunks as BullMQ jobs (REDIS_URL): every worker node takes them, loads the sweep's bars
 * itself (through its threads' bar caches) and returns the chunk's metrics as the job's result,
 * which this API instance gathers like the pool's. A chunk whose node dies is handed out again
 * (worker-node.ts). Cancelling publishes to the nodes; chunks not started yet return nothing.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { SweepChunkOutcome } from '../workers/sweep.worker.js';
import type { RunChunk, SweepChunkRunner, SweepChunkSpec } from '../jobs/sweep-chunk-runner.js';
import { QUEUE_PREFIX, redisOptions, SWEEP_CHUNKS_QUEUE, threadsOfNodeName } from './cluster-keys.js';
import type { ControlChannel } from './control-channel.js';
import type { SweepChunkJobData } from './run-job.js';

/** Chunk sizes assume at least this many threads share a sweep (more nodes: smaller chunks come anyway). */
const MIN_SWEEP_THREADS = 2;
/** How often a waiting chunk looks at its sweep's cancel flag. */
const CANCEL_POLL_MS = 100;

export class QueuedSweepChunks implements SweepChunkRunner {
  private readonly queue: Queue<SweepChunkJobData>;
  private readonly events: QueueEvents;

  constructor(
    redisUrl: string,
    private readonly control: ControlChannel,
    private readonly log: (line: string) => void,
  ) {
    this.queue = new Queue<SweepChunkJobData>(SWEEP_CHUNKS_QUEUE, { connection: redisOptions(redisUrl, 'backtest-api-chunks'), prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(SWEEP_CHUNKS_QUEUE, { connection: redisOptions(redisUrl, 'backtest-api-chunk-events'), prefix: QUEUE_PREFIX });
    this.queue.on('error', (e) => this.log(`sweep chunk queue: ${e.message}`));
    // waitUntilFinished listens to the queue's closing once per chunk in flight: many, by design.
    this.queue.setMaxListeners(0);
    this.events.on('error', (e) => this.log(`sweep chunk events: ${e.message}`));
  }

  async ready(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  /** Threads of the worker nodes connected now (each node's name ends with its thread count). */
  async threads(): Promise<number> {
    let threads = 0;
    for (const w of await this.queue.getWorkers()) threads += threadsOfNodeName(String(w.rawname ?? ''));
    return Math.max(MIN_SWEEP_THREADS, threads);
  }

  prepare(sweepId: number, spec: SweepChunkSpec, cancelFlag: Int32Array): Promise<RunChunk> {
    return Promise.resolve(async (combinations) => {
      if (Atomics.load(cancelFlag, 0) !== 0) return undefined;
      // Kept an hour after it ends: waitUntilFinished reads the result of a job that finished before it listened.
      const job = await this.queue.add('chunk', { sweepId, spec, combinations }, { removeOnComplete: { age: 3_600 }, removeOnFail: { age: 3_600 } });
      const stop = whenSet(cancelFlag);
      try {
        const result = await Promise.race([job.waitUntilFinished(this.events) as Promise<SweepChunkOutcome[]>, stop.promise]);
        if (result !== undefined) return result;
        // Cancelled: a chunk still waiting leaves the queue (a running one was told through the control channel).
        await job.remove().catch(() => {});
        return undefined;
      } finally {
        stop.clear();
      }
    });
  }

  async cancel(sweepId: number): Promise<void> {
    await this.control.cancel({ kind: 'cancel-sweep', sweepId });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.events.close()]);
  }
}

/** Resolves (undefined) once the flag is set: a cancelled sweep does not wait for chunks no node has taken. */
function whenSet(flag: Int32Array): { readonly promise: Promise<undefined>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<undefined>((resolve) => {
    timer = setInterval(() => {
      if (Atomics.load(flag, 0) !== 0) resolve(undefined);
    }, CANCEL_POLL_MS);
  });
  return { promise, clear: () => clearInterval(timer) };
}
