/**
 * A run followed through runUpdates: everything replayed, then live, accumulated here for the
 * page and its charts. When the stream breaks (the server closed a slow connection, the network
 * dropped), it resubscribes with afterSeq = the last update received, so nothing is lost or doubled.
 */
import { ApiProblem } from './api/errors';
import { subscribe } from './api/live';
import { isTerminal, RUN_UPDATES, type EquityPoint, type Fill, type OrderUpdate, type RunStatus, type RunUpdate } from './api/queries';

const RETRY_MS = 1_000;
const MAX_RETRIES = 20;

export class RunStream {
  status: RunStatus | null = null;
  progress = 0;
  barsProcessed = 0;
  simTime: string | null = null;
  seq: number | null = null;
  readonly fills: Fill[] = [];
  readonly equity: EquityPoint[] = [];
  readonly orders = new Map<string, OrderUpdate>();
  latestEquity: EquityPoint | null = null;
  updates = 0;
  done = false;
  problem: ApiProblem | null = null;
  private readonly listeners = new Set<() => void>();
  private stop: (() => void) | null = null;
  private retries = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly runId: string) {
    this.open();
  }

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.stop?.();
  }

  private open(): void {
    this.stop = subscribe<{ runUpdates: RunUpdate }>(RUN_UPDATES, { id: this.runId, afterSeq: this.seq }, {
      next: (d) => this.apply(d.runUpdates),
      complete: () => {
        this.done = true;
        this.emit();
      },
      error: (p) => this.failed(p),
    });
  }

  private apply(u: RunUpdate): void {
    this.retries = 0;
    this.problem = null;
    this.seq = u.seq;
    this.status = u.status;
    this.progress = u.progress;
    this.barsProcessed = u.barsProcessed;
    if (u.simTime) this.simTime = u.simTime;
    for (const f of u.fills) this.fills.push(f);
    for (const p of u.equity) this.equity.push(p);
    for (const o of u.orderUpdates) this.orders.set(o.id, o);
    if (u.latestEquity) this.latestEquity = u.latestEquity;
    this.updates++;
    if (isTerminal(u.status)) this.done = true;
    this.emit();
  }

  private failed(p: ApiProblem): void {
    if (this.closed) return;
    const retryable = p.kind === 'too-slow' || p.kind === 'network';
    if (retryable && this.retries < MAX_RETRIES && !this.done) {
      this.retries++;
      this.problem = new ApiProblem(p.kind, `${p.message}; resuming after update ${this.seq ?? 0}`);
      this.emit();
      this.timer = setTimeout(() => this.open(), RETRY_MS);
      return;
    }
    this.problem = p;
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
