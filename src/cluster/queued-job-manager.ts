/**
 * Runs with REDIS_URL: this API instance admits a run, stores it QUEUED and adds a BullMQ job that
 * any worker node takes (worker-node.ts). It follows the run's event log (run-event-log.ts) into
 * its own ActiveRun from the start, and follows the runs of other instances when a subscriber asks
 * for one (`follow`), so subscriptions work the same on every instance. Cancels go through Redis to
 * whichever node runs the job; a run still waiting in the queue is taken out and ends CANCELLED here.
 *
 * Queue limits (MAX_QUEUED_RUNS, per key) count what waits among the runs admitted by this instance.
 */
import { createPubSub } from '@graphql-yoga/subscription';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import { Admission, limitsFromEnv, type AdmissionLimits, type Owner } from '../jobs/admission.js';
import { pubsubEventTarget } from '../jobs/event-target.js';
import { admitRun } from '../jobs/admit-run.js';
import { isTerminal, type StatusSnapshot } from '../jobs/run-events.js';
import { newActiveRun, RunFeed, type ActiveRun, type RunFeedEvent, type RunTopics } from '../jobs/run-feed.js';
import type { ValidatedRun } from '../jobs/run-input.js';
import type { EnqueueOptions, RunJobs } from '../jobs/run-jobs.js';
import type { RunMark } from '../jobs/run-marks.js';
import { QUEUE_PREFIX, redisOptions, runJobId, RUNS_QUEUE } from './cluster-keys.js';
import { ControlChannel } from './control-channel.js';
import { RunEventFollower, RunEventWriter } from './run-event-log.js';
import type { RunJobData } from './run-job.js';
import { QueuedSweepChunks } from './queued-sweep-chunks.js';

export interface QueuedJobManagerOptions {
  readonly storage: Storage;
  readonly redisUrl: string;
  /** Threads of this process's own worker node (0: --no-worker); reported by /health. */
  readonly localThreads: number;
  readonly limits?: AdmissionLimits;
  readonly log?: (line: string) => void;
}

interface Mirror extends ActiveRun {
  readonly owner: Owner;
  /** Admitted here and not started yet: counted by the queue limits. */
  waiting: boolean;
  /** The job this instance queued for it (null: another instance's run). */
  readonly queued: RunJobData | null;
  resolveFinished(): void;
}

/** How often this instance looks at its queued runs' jobs (checkQueuedJobs). */
const QUEUED_CHECK_MS = 10_000;
/** How long a cancel waits for the node running the run to end it. */
const CANCEL_WAIT_MS = 60_000;

export class QueuedJobManager implements RunJobs {
  readonly pubsub = createPubSub<RunTopics>({ eventTarget: pubsubEventTarget() });
  readonly admission: Admission;
  readonly sweepChunks: QueuedSweepChunks;
  readonly control: ControlChannel;
  private readonly feed = new RunFeed(this.pubsub);
  private readonly queue: Queue<RunJobData>;
  private readonly follower: RunEventFollower;
  private readonly writer: RunEventWriter;
  private readonly writerConnection: Redis;
  private readonly active = new Map<number, Mirror>();
  private readonly following = new Map<number, Promise<void>>();
  private readonly log: (line: string) => void;
  private accepting = true;
  private readonly requeueTimer: NodeJS.Timeout;

  constructor(private readonly opts: QueuedJobManagerOptions) {
    this.log = opts.log ?? ((line) => console.error(line));
    this.admission = new Admission(opts.limits ?? limitsFromEnv(), Math.max(1, opts.localThreads));
    this.queue = new Queue<RunJobData>(RUNS_QUEUE, { connection: redisOptions(opts.redisUrl, 'backtest-api-runs'), prefix: QUEUE_PREFIX });
    this.queue.on('error', (e) => this.log(`runs queue: ${e.message}`));
    this.follower = new RunEventFollower(opts.redisUrl, this.log);
    this.control = new ControlChannel(opts.redisUrl, 'api', this.log);
    this.sweepChunks = new QueuedSweepChunks(opts.redisUrl, this.control, this.log);
    this.writerConnection = new Redis(redisOptions(opts.redisUrl, 'backtest-api-writer'));
    this.writerConnection.on('error', () => {});
    this.writer = new RunEventWriter(this.writerConnection);
    this.requeueTimer = setInterval(() => void this.checkQueuedJobs(), QUEUED_CHECK_MS).unref();
  }

  /** Resolves once the queue and the control channel are connected. */
  async ready(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.control.ready(), this.sweepChunks.ready()]);
  }

  get threads(): number {
    return this.opts.localThreads;
  }

  get limits(): AdmissionLimits {
    return this.admission.limits;
  }

  activeRun(id: number): ActiveRun | undefined {
    return this.active.get(id);
  }

  async endedMarks(id: number): Promise<readonly RunMark[] | null> {
    const stored = await this.opts.storage.getRun(id);
    if (!stored || !isTerminal(stored.status)) return null;
    // Applied to a copy that publishes nowhere: the run has ended for its subscribers already.
    const copy = this.mirror(id, null, null);
    const feed = new RunFeed(createPubSub<RunTopics>());
    const complete = await this.follower.replay(id, (e) => {
      if (e.kind !== 'end') {
        feed.apply(copy, e);
        return false;
      }
      feed.end(copy, finalState(e, copy));
      return true;
    });
    return complete ? copy.marks : null;
  }

  activeCount(): number {
    return this.active.size;
  }



  async enqueue(validated: ValidatedRun, options: EnqueueOptions = {}): Promise<RunRecord> {
    if (!this.accepting) throw new Error('the server is shutting down and accepts no new runs');
    const { record, owner } = await admitRun(this.admission, this.opts.storage, validated, options);
    const { run } = validated;
    const data: RunJobData = { runId: record.id, run, from: validated.from, to: validated.to, maxBars: this.limits.maxBarsPerRun, maxFills: this.limits.maxFillsPerRun };
    const mirror = this.mirror(record.id, owner, data);
    this.active.set(record.id, mirror);
    // Its stream is new: nothing to catch up with, the live read starts at its first entry.
    await this.follower.follow(record.id, (e) => this.apply(mirror, e), false);
    try {
      await this.addJob(data);
    } catch (e) {
      await this.opts.storage.cancelQueuedRun(record.id, `could not be queued: ${message(e)}`).catch(() => false);
      this.follower.stop(record.id);
      this.finish(mirror, { ...mirror.state, status: 'CANCELLED' });
      throw e;
    }
    return record;
  }

  follow(id: number): Promise<void> {
    if (this.active.has(id) || !Number.isSafeInteger(id)) return Promise.resolve();
    let pending = this.following.get(id);
    if (!pending) {
      pending = this.startFollowing(id).finally(() => this.following.delete(id));
      this.following.set(id, pending);
    }
    return pending;
  }

  async cancel(id: number): Promise<RunRecord | null> {
    const stored = await this.opts.storage.getRun(id);
    if (!stored || isTerminal(stored.status)) return stored;
    await this.control.cancel({ kind: 'cancel-run', runId: id });
    // Still waiting in the queue: taken out here (0 when a node holds it: that node stops it).
    if ((await this.queue.remove(runJobId(id))) === 1 && (await this.opts.storage.cancelQueuedRun(id, null))) {
      const record = await this.opts.storage.getRun(id);
      await this.writer.append(id, { kind: 'end', status: 'CANCELLED', progress: record?.progress ?? 0, barsProcessed: record?.barsProcessed ?? 0, simTime: null });
    }
    await this.follow(id);
    const running = this.active.get(id);
    if (running) await Promise.race([running.finished, delay(CANCEL_WAIT_MS)]);
    return this.opts.storage.getRun(id);
  }

  async delete(ids: readonly number[]): Promise<number> {
    for (const id of ids) {
      const run = await this.opts.storage.getRun(id);
      if (run && !isTerminal(run.status)) await this.cancel(id);
    }
    return this.opts.storage.deleteRuns(ids);
  }

  /** Stops admitting; the runs go on on the worker nodes (other instances can follow them). */
  async shutdown(): Promise<void> {
    this.accepting = false;
    clearInterval(this.requeueTimer);
    await this.follower.close();
    await Promise.allSettled([this.queue.close(), this.control.close(), this.sweepChunks.close(), this.writerConnection.quit()]);
    for (const m of this.active.values()) m.resolveFinished();
  }

  /** `queued`: the job this instance added, while the run waits to start. */
  private mirror(runId: number, owner: Owner, queued: RunJobData | null): Mirror {
    let resolveFinished!: () => void;
    const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
    return newActiveRun<Mirror>({ runId, finished, owner, waiting: queued !== null, queued, resolveFinished });
  }

  /**
   * Ids are the run's: adding a job again is a no-op while it exists. Failures before the run
   * started (the database unreachable for a moment) are retried by BullMQ; after, the node ends the run itself.
   */
  private addJob(data: RunJobData): Promise<unknown> {
    return this.queue.add('run', data, { jobId: runJobId(data.runId), attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: 1_000 });
  }

  /**
   * Runs of this instance still waiting whose job Redis no longer has (it restarted without its
   * data) are queued again, so they start without anyone stepping in; those whose job failed every
   * attempt before starting (the nodes could not reach the database) end FAILED saying why.
   */
  private async checkQueuedJobs(): Promise<void> {
    for (const m of [...this.active.values()]) {
      if (!m.waiting || !m.queued || m.state.status !== 'QUEUED') continue;
      try {
        const state = await this.queue.getJobState(runJobId(m.runId));
        if (state !== 'unknown' && state !== 'failed') continue;
        const stored = await this.opts.storage.getRun(m.runId);
        if (stored?.status !== 'QUEUED') continue;
        if (state === 'unknown') {
          await this.addJob(m.queued);
          this.log(`run ${m.runId}: its queued job was gone from Redis (restarted without its data?); queued again`);
          continue;
        }
        const reason = (await this.queue.getJob(runJobId(m.runId)))?.failedReason ?? 'unknown reason';
        const record = await this.opts.storage.storeFailure(m.runId, `could not start on a worker node: ${reason}`);
        await this.writer.append(m.runId, { kind: 'end', status: record?.status ?? 'FAILED', progress: 0, barsProcessed: 0, simTime: null });
      } catch (e) {
        this.log(`run ${m.runId}: could not check its queued job: ${message(e)}`);
      }
    }
  }

  /** Another instance's run (or this one's from before a restart): replayed from its log, then followed. */
  private async startFollowing(id: number): Promise<void> {
    const stored = await this.opts.storage.getRun(id);
    if (!stored || isTerminal(stored.status)) return;
    const mirror = this.mirror(id, null, null);
    let ended = false;
    await this.follower.follow(
      id,
      (e) => {
        ended = this.apply(mirror, e);
        return ended;
      },
      true,
    );
    // In the same tick as the catch-up's last event: subscribers read the buffers from here on.
    if (!ended && !this.active.has(id)) this.active.set(id, mirror);
  }

  /** One event of the run's log; true at its end. */
  private apply(mirror: Mirror, e: RunFeedEvent): boolean {
    if (e.kind === 'end') {
      this.finish(mirror, finalState(e, mirror));
      return true;
    }
    if (e.kind === 'status') this.stopWaiting(mirror);
    try {
      this.feed.apply(mirror, e);
    } catch (err) {
      this.log(`run ${mirror.runId}: could not apply an event: ${message(err)}`);
    }
    return false;
  }

  private finish(mirror: Mirror, final: StatusSnapshot): void {
    this.stopWaiting(mirror);
    if (this.active.get(mirror.runId) === mirror) this.active.delete(mirror.runId);
    try {
      this.feed.end(mirror, final);
    } finally {
      mirror.resolveFinished();
    }
  }

  private stopWaiting(mirror: Mirror): void {
    if (!mirror.waiting) return;
    mirror.waiting = false;
    this.admission.release(mirror.owner);
  }
}

/** The state an end event leaves a run in; the end carries no simTime when its node never sent progress. */
function finalState(e: Extract<RunFeedEvent, { kind: 'end' }>, run: ActiveRun): StatusSnapshot {
  return { status: e.status, progress: e.progress, barsProcessed: e.barsProcessed, simTime: e.simTime ?? run.state.simTime };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
