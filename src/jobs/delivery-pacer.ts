/**
 * Shares the main thread between subscription delivery and everything else. Streams ask `due()`
 * before each event; once the current slice (a few ms of delivery since the last event-loop turn)
 * is used up they `await turn()`, which resumes them from setImmediate: between two slices the
 * event loop polls I/O, so queries, mutations and worker messages are served while thousands of
 * events go out. Without it, a replay to a fast reader runs entirely in microtasks (a write to a
 * socket with room completes without yielding) and starves the server until it ends.
 *
 * Fair: streams that got no work in a slice go first in the next one, in the order they arrived,
 * so a few fast consumers cannot keep the rest waiting.
 */

/** Milliseconds of delivery per event-loop turn. */
const DEFAULT_SLICE_MS = 8;

export class DeliveryPacer {
  private sliceStart = performance.now();
  /** Waiting streams that got no work in the last slice: they are resumed first. */
  private denied: (() => void)[] = [];
  private waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  /** True when the current slice is used up: call `turn()` before delivering more. */
  due(): boolean {
    return performance.now() - this.sliceStart > this.sliceMs;
  }

  /**
   * Resolves in a later event-loop turn, when this stream's place in the queue comes. `worked`
   * says whether the stream delivered anything since it last resumed (a stream that was resumed
   * and found the slice already used up keeps its place at the front).
   */
  turn(worked: boolean): Promise<void> {
    return new Promise((resolve) => {
      (worked ? this.waiting : this.denied).push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.startSlice);
      }
    });
  }

  private readonly startSlice = (): void => {
    this.scheduled = false;
    this.sliceStart = performance.now();
    const next = this.denied.concat(this.waiting);
    this.denied = [];
    this.waiting = [];
    for (const resume of next) resume();
  };
}

/**
 * A stream's handle on a pacer: `await slot.pace()` before each event (resolves at once while the
 * slice has time left).
 */
export class PacedSlot {
  private worked = false;

  constructor(private readonly pacer: DeliveryPacer) {}

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
      await this.pacer.turn(worked);
    } while (this.pacer.due());
    this.worked = true;
  }
}

/** The main thread's pacer: every subscription stream of the process shares it. */
export const deliveryPacer = new DeliveryPacer();
