/**
 * Decides which waiting task gets the next free pool thread, so the pool's own queue stays empty.
 * Two lanes: single runs, strictly first in first out, and sweep chunks, round-robin across sweeps.
 * When both lanes wait they take turns, so a run waits for at most about one sweep chunk however
 * large the sweeps behind it, and a stream of runs cannot stop a sweep either.
 */
export type Lane = 'run' | 'sweep';

/** A queued task; `cancel` takes it out if it has not started yet (true when this call did) and is a no-op after. */
export interface Ticket {
  cancel(): boolean;
}

interface Entry {
  readonly lane: Lane;
  /** Sweep id for the sweep lane (round-robin key); unused for runs. */
  readonly group: number;
  readonly start: () => Promise<unknown>;
  state: 'waiting' | 'started' | 'cancelled';
}

export class FairScheduler {
  private readonly runs: Entry[] = [];
  /** Waiting chunks per sweep, in the order sweeps arrived; a sweep's turn moves it to the back. */
  private readonly sweeps = new Map<number, Entry[]>();
  private busy = 0;
  private lastLane: Lane = 'sweep';

  constructor(private readonly capacity: number) {}

  /** Queues a task; `start` is called when a thread is free and must return a promise that settles when the thread is free again. */
  submit(lane: Lane, group: number, start: () => Promise<unknown>): Ticket {
    const entry: Entry = { lane, group, start, state: 'waiting' };
    if (lane === 'run') this.runs.push(entry);
    else {
      let queue = this.sweeps.get(group);
      if (!queue) this.sweeps.set(group, (queue = []));
      queue.push(entry);
    }
    // Started on a later tick, so callers finish their bookkeeping (e.g. return the QUEUED record) first.
    queueMicrotask(() => this.pump());
    return {
      cancel: () => {
        if (entry.state !== 'waiting') return false;
        entry.state = 'cancelled';
        return true;
      },
    };
  }

  /** Tasks started and not finished. */
  get running(): number {
    return this.busy;
  }

  /** Runs waiting in the run lane (cancelled ones are dropped lazily and not counted). */
  get waitingRuns(): number {
    return this.runs.reduce((n, e) => n + (e.state === 'waiting' ? 1 : 0), 0);
  }

  private pump(): void {
    while (this.busy < this.capacity) {
      const entry = this.next();
      if (!entry) return;
      entry.state = 'started';
      this.busy++;
      this.lastLane = entry.lane;
      let started: Promise<unknown>;
      try {
        started = entry.start();
      } catch (e) {
        started = Promise.reject(e);
      }
      // The task's own promise reports its outcome to whoever queued it; here only the slot matters.
      void started
        .catch(() => undefined)
        .finally(() => {
          this.busy--;
          this.pump();
        });
    }
  }

  /** Alternates lanes while both have work; otherwise whichever has. */
  private next(): Entry | undefined {
    const run = this.peekRun();
    const sweepGroup = this.peekSweepGroup();
    if (run && (sweepGroup === undefined || this.lastLane === 'sweep')) return this.runs.shift();
    if (sweepGroup === undefined) return undefined;
    const queue = this.sweeps.get(sweepGroup)!;
    const entry = queue.shift()!;
    // Round-robin: this sweep goes to the back of the order (or leaves it when drained).
    this.sweeps.delete(sweepGroup);
    if (queue.length > 0) this.sweeps.set(sweepGroup, queue);
    return entry;
  }

  private peekRun(): Entry | undefined {
    while (this.runs.length > 0 && this.runs[0]!.state !== 'waiting') this.runs.shift();
    return this.runs[0];
  }

  private peekSweepGroup(): number | undefined {
    for (const [group, queue] of this.sweeps) {
      while (queue.length > 0 && queue[0]!.state !== 'waiting') queue.shift();
      if (queue.length > 0) return group;
      this.sweeps.delete(group);
    }
    return undefined;
  }
}
