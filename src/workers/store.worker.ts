/**
 * The storage thread: the service's one writer of run results. It takes the outcomes the pool
 * threads encoded (transferred through the main thread), stores each in short transactions, one
 * request at a time, and checkpoints the WAL, so neither the main thread's event loop nor the pool
 * threads spend time on result I/O, and no two threads ever compete for a long write lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../data/db.js';
import { deleteRunsInSlices, storeFailure, storeOutcome, type WriteOptions } from '../data/run-outcome-store.js';
import type { StoreCall, StoreReply, StoreRequest, StoreThreadData } from './store-protocol.js';
import { WriteGate } from './write-gate.js';

const data = workerData as StoreThreadData;
// A short busy timeout: a locked database is retried between short waits (run-outcome-store.ts), not in one long one.
const app = openDatabase(data.databasePath, { migrate: false, busyTimeoutMs: 100 });
const gate = new WriteGate(data.gate);
const options: WriteOptions = { retryMs: data.retryMs, beforeWrite: () => gate.waitClear() };
/** Checkpoints when idle, so the WAL does not grow with the main thread's small writes. */
const CHECKPOINT_EVERY_MS = 5_000;

function handle(request: StoreRequest): Promise<unknown> {
  switch (request.op) {
    case 'storeOutcome':
      return storeOutcome(app, request.runId, request.outcome, options);
    case 'storeFailure':
      return storeFailure(app, request.runId, request.error, request.progress, options);
    case 'deleteRuns':
      return deleteRunsInSlices(app, request.ids, options);
  }
}

function checkpoint(): void {
  try {
    app.sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next one catches up.
  }
}

// One request at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (call: StoreCall) => {
  queue = queue.then(async () => {
    let reply: StoreReply;
    try {
      reply = { id: call.id, ok: true, value: await handle(call.request) };
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      reply = { id: call.id, ok: false, message: e instanceof Error ? e.message : String(e), code: typeof code === 'string' ? code : null };
    }
    if (call.request.op === 'storeOutcome') checkpoint();
    parentPort!.postMessage(reply);
  });
});
setInterval(checkpoint, CHECKPOINT_EVERY_MS).unref();
