/**
 * One timer for every streaming connection (WebSocket or SSE response): each tick asks each
 * connection to check itself (is data waiting that the client has not taken for too long? is a
 * keep-alive ping unanswered?) and act. One interval instead of one timer per connection.
 */

export interface WatchedConnection {
  /** Called every tick with the current time (performance.now()). */
  check(now: number): void;
}

export class ConnectionWatch {
  private readonly connections = new Set<WatchedConnection>();
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;

  /** Ticks often enough to notice a stall within a quarter of `stallMs` (at most every second). */
  constructor(stallMs: number) {
    this.tickMs = Math.min(1_000, Math.max(100, Math.floor(stallMs / 4)));
  }

  /** Watches `c` until the returned function is called. */
  add(c: WatchedConnection): () => void {
    this.connections.add(c);
    this.timer ??= setInterval(this.tick, this.tickMs).unref();
    return () => {
      this.connections.delete(c);
      if (this.connections.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    for (const c of [...this.connections]) c.check(now);
  };
}

/**
 * Tracks whether a sink's unsent data is moving: `waiting` while bytes wait for the client,
 * `progressed` whenever the client took some. Stalled = waiting with no progress for `stallMs`.
 */
export class StallClock {
  private since: number | null = null;

  constructor(private readonly stallMs: number) {}

  /** Data is waiting for the client (idempotent: the clock starts at the first call). */
  waiting(now = performance.now()): void {
    this.since ??= now;
  }

  /** The client took data: restart the clock, or stop it when nothing waits any more. */
  progressed(stillWaiting: boolean, now = performance.now()): void {
    this.since = stillWaiting ? now : null;
  }

  stalled(now: number): boolean {
    return this.since !== null && now - this.since > this.stallMs;
  }
}
