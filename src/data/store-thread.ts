/**
 * The main thread's handle on the storage thread (workers/store.worker.ts, started by a SqliteStorage): requests go out with
 * their byte buffers transferred, replies come back by id. A thread that dies fails its pending
 * requests (their runs end FAILED through the caller) and is started again on the next request.
 */
import { Worker } from 'node:worker_threads';
import type { RunOutcome } from './run-outcome-store.js';
import type { RunRecord } from './run-types.js';
import type { StoreCall, StoreReply, StoreRequest, StoreThreadData } from './store-protocol.js';

/**
 * The storage thread's entry: compiled (dist/) the bundled worker, from the sources a small .mjs that
 * registers tsx first (see workers/thread-entries.ts). Compiled, this code sits in a shared chunk
 * (dist/chunks/), so the path goes through the folder name: '../workers/' is dist/workers/ from
 * dist/chunks/ and src/workers/ from src/data/.
 */
const STORE_ENTRY = new URL(import.meta.url.endsWith('.js') ? '../workers/store.worker.js' : '../workers/store-entry.mjs', import.meta.url);

/** A request the storage thread refused; `code` is SQLite's (e.g. SQLITE_BUSY) when it has one. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class StoreThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Set<Promise<unknown>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly data: StoreThreadData) {}

  /** Starts the thread now (loading it takes a while), so the first run's outcome does not wait for it. */
  warmUp(): void {
    if (!this.closed) this.thread();
  }

  storeOutcome(runId: number, outcome: RunOutcome): Promise<RunRecord | null> {
    const transfer = new Set<ArrayBuffer>();
    for (const b of outcome.blocks) if (b.bytes.buffer instanceof ArrayBuffer) transfer.add(b.bytes.buffer);
    const e = outcome.equity;
    if (e) for (const a of [e.time, e.equity, e.cash, e.drawdown]) if (a.buffer instanceof ArrayBuffer) transfer.add(a.buffer);
    return this.call({ op: 'storeOutcome', runId, outcome }, [...transfer]) as Promise<RunRecord | null>;
  }

  storeFailure(runId: number, error: string, progress?: number): Promise<RunRecord | null> {
    return this.call({ op: 'storeFailure', runId, error, progress }) as Promise<RunRecord | null>;
  }

  deleteRuns(ids: readonly number[]): Promise<number> {
    return this.call({ op: 'deleteRuns', ids }) as Promise<number>;
  }

  /** Waits for the requests under way, then stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private call(request: StoreRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new StoreError('the storage thread is closed', null));
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.thread().postMessage({ id, request } satisfies StoreCall, transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    this.inflight.add(reply);
    const forget = () => this.inflight.delete(reply);
    reply.then(forget, forget);
    return reply;
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(STORE_ENTRY, { workerData: this.data });
    worker.on('message', (reply: StoreReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new StoreError(reply.message, reply.code));
    });
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) p.reject(new StoreError(`the storage thread stopped: ${why}`, null));
    };
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }
}
