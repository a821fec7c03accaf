/**
 * Shares the main thread between subscription delivery and everything else. Streams ask `due()`
 * before each event; once the current slice (a few ms of delivery since the last event-loop turn)
 * is used up they `await turn()`, which resumes them from setImmediate: between two slices the
 * event loop polls I/O, so queries, mutations and worker messages are served while thousands of
 * events go out. Without it, a replay to a fast reader runs entirely in microtasks (a write to a
 * socket with room completes without yielding) and starves the server until it ends.
 *
 * Fair: waiting streams are resumed in the order they asked, a few per turn; one resumed but left
 * without time goes first in the next turn, and the first one resumed always delivers something,
 * so a few fast consumers cannot keep the rest waiting.
 */

/** Milliseconds of delivery per event-loop turn. */
const DEFAULT_SLICE_MS = 8;
/**
 * Waiting streams resumed per turn, in queue order; they share the slice event by event (each
 * event is a microtask hop). A few: resuming all of them each turn (900 in the subscriber test)
 * made every one re-queue with a new promise per turn, garbage that outlived the young generation
 * and grew the heap.
 */
const RESUMED_PER_TURN = 16;

export class DeliveryPacer {
  private sliceStart = performance.now();
  /** Streams waiting for a turn, in the order they asked. */
  private queue: (() => void)[] = [];
  /** Streams resumed in the last turn that found the slice used up: they go first next time. */
  private retry: (() => void)[] = [];
  private scheduled = false;
  /** Whether a stream has started work in the current slice. */
  private claimed = false;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  /** True when the current slice is used up: call `turn()` before delivering more. */
  due(): boolean {
    return performance.now() - this.sliceStart > this.sliceMs;
  }

  /**
   * True for the first stream that asks in a slice, even when the slice is already used up (the
   * process was descheduled, or a tiny slice): every turn delivers something, no stream can be
   * denied forever.
   */
  claimSlice(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    return true;
  }

  /**
   * Resolves in a later event-loop turn, when this stream's place in the queue comes. `worked`
   * says whether the stream delivered anything since it last resumed (one that was resumed and
   * found the slice already used up keeps its place at the front).
   */
  turn(worked: boolean): Promise<void> {
    return new Promise((resolve) => {
      (worked ? this.queue : this.retry).push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.startSlice);
  }

  private readonly startSlice = (): void => {
    this.scheduled = false;
    this.sliceStart = performance.now();
    this.claimed = false;
    if (this.retry.length > 0) {
      this.queue = this.retry.concat(this.queue);
      this.retry = [];
    }
    const resumed = this.queue.splice(0, RESUMED_PER_TURN);
    // The rest get the next turn even if every resumed stream stops before the slice is used.
    if (this.queue.length > 0) this.schedule();
    for (const resume of resumed) resume();
  };
}

/**
 * A stream's handle on a pacer: `await slot.pace()` before each event (resolves at once while the
 * slice has time left).
 */
export class PacedSlot {
  private worked = false;

  /**
   * `urgent`: always waits at the front of the queue (a connection's incoming messages: an
   * unsubscribe or a connection_init must not wait for every busy stream's turn).
   */
  constructor(
    private readonly pacer: DeliveryPacer,
    private readonly urgent = false,
  ) {}

  /** Nothing to wait for while the slice has time left; otherwise a promise to await first. */
  pace(): Promise<void> | void {
    if (!this.pacer.due()) {
      this.worked = true;
      return;
    }
    return this.waitForTime();
  }

  private async waitForTime(): Promise<void> {
    do {
      const worked = this.worked;
      this.worked = false;
      await this.pacer.turn(worked && !this.urgent);
    } while (this.pacer.due() && !this.pacer.claimSlice());
    this.worked = true;
  }
}

/** The main thread's pacer: every subscription stream of the process shares it. */
export const deliveryPacer = new DeliveryPacer();
