/**
 * The storage thread: the service's one writer of run results. It takes the outcomes the pool
 * threads encoded (transferred through the main thread), stores each in short transactions, one
 * request at a time, and checkpoints the WAL, so neither the main thread's event loop nor the pool
 * threads spend time on result I/O, and no two threads ever compete for a long write lock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../data/db.js';
import { deleteRunsInSlices, storeFailure, storeOutcome, type RunOutcome, type WriteOptions } from '../data/run-outcome-store.js';
import type { StoreCall, StoreReply, StoreRequest, StoreThreadData } from '../data/store-protocol.js';
import { WriteGate } from '../data/write-gate.js';

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

/**
 * After a stored outcome: a checkpoint once no request came for 2 s, so runs that end back to
 * back do not each wait for one (~80 ms after a million-point curve), or at once when more than
 * CHECKPOINT_AFTER_BYTES were stored since the last (under a steady stream of runs it would never
 * be idle, and the WAL would grow).
 */
const IDLE_CHECKPOINT_MS = 2_000;
const CHECKPOINT_AFTER_BYTES = 64 * 1024 * 1024;
let pendingCheckpoint: NodeJS.Timeout | undefined;
let uncheckpointedBytes = 0;
function checkpointSoon(storedBytes: number): void {
  clearTimeout(pendingCheckpoint);
  uncheckpointedBytes += storedBytes;
  if (uncheckpointedBytes > CHECKPOINT_AFTER_BYTES) checkpoint();
  else pendingCheckpoint = setTimeout(checkpoint, IDLE_CHECKPOINT_MS).unref();
}

function outcomeBytes(o: RunOutcome): number {
  let n = 0;
  for (const b of o.blocks) n += b.bytes.byteLength;
  if (o.equity) n += o.equity.time.byteLength + o.equity.equity.byteLength + o.equity.cash.byteLength + o.equity.drawdown.byteLength;
  return n;
}

function checkpoint(): void {
  uncheckpointedBytes = 0;
  try {
    app.sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next one catches up.
  }
}

// One request at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (call: StoreCall) => {
  clearTimeout(pendingCheckpoint);
  queue = queue.then(async () => {
    let reply: StoreReply;
    try {
      reply = { id: call.id, ok: true, value: await handle(call.request) };
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      reply = { id: call.id, ok: false, message: e instanceof Error ? e.message : String(e), code: typeof code === 'string' ? code : null };
    }
    parentPort!.postMessage(reply);
    if (call.request.op === 'storeOutcome') checkpointSoon(outcomeBytes(call.request.outcome));
  });
});
setInterval(checkpoint, CHECKPOINT_EVERY_MS).unref();
