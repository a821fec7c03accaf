/**
 * Lets the main thread's small writes (a new run, RUNNING) go before the storage thread's next
 * transaction: the main thread raises the gate for the duration of its write; the storage thread
 * waits while it is raised, before each of its short transactions. So a main-thread write waits for
 * at most one of them (via SQLite's busy timeout) instead of polling against a stream of them.
 */
export class WriteGate {
  private readonly waiting: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.waiting = new Int32Array(buffer);
  }

  /** Main thread: `fn` runs with the gate raised. */
  priority<T>(fn: () => T): T {
    Atomics.add(this.waiting, 0, 1);
    try {
      return fn();
    } finally {
      Atomics.sub(this.waiting, 0, 1);
      Atomics.notify(this.waiting, 0);
    }
  }

  /** Storage thread: blocks while a priority write is under way, at most `maxMs`. */
  waitClear(maxMs = 1_000): void {
    const deadline = Date.now() + maxMs;
    for (let v = Atomics.load(this.waiting, 0); v !== 0; v = Atomics.load(this.waiting, 0)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.waiting, 0, v, left);
    }
  }
}
