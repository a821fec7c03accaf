/**
 * The embedded default: one SQLite file (WAL). Reads run on the main thread's connection (they are
 * short and better-sqlite3 is synchronous, so each answer is ready when its promise settles). Run
 * results are written by the storage thread (store-thread.ts) in short transactions; the main
 * thread's own small writes (a new run, RUNNING, a sweep's rows) go first through the write gate,
 * so they wait for at most one of those transactions. No run fails for lock contention inside the
 * process.
 */
import type { RunMetrics } from '../engine/results.js';
import { createApiKey, findActiveKey, hasActiveKeys, listApiKeys, revokeApiKey } from './api-key-store.js';
import { loadBarColumns } from './bar-columns.js';
import { getBarsVersion, getCoverage, listDatasets, loadBars, writeBars, type InstrumentKey, type LoadBarsInput, type WriteBarsInput } from './bar-store.js';
import { deleteDataset, renameDataset } from './dataset-admin.js';
import { openDatabase, type AppDatabase } from './db.js';
import { seedDemoData } from './demo.js';
import type { RunOutcome } from './run-outcome-store.js';
import {
  cancelQueuedRun,
  createRun,
  getEquityColumns,
  getEquityCurve,
  getFills,
  getOrders,
  getRoundTrips,
  getRun,
  listRuns,
  markInterruptedRuns,
  markRunStarted,
  type ListRunsOptions,
  type NewRun,
  type PageOptions,
  type RunStatus,
} from './run-store.js';
import type { Storage, StorageConfig } from './storage.js';
import { StoreThread } from './store-thread.js';
import {
  createSweep,
  finishSweep,
  getBestSweepResults,
  getSweep,
  getSweepResults,
  linkSweepRun,
  listSweeps,
  markInterruptedSweeps,
  markSweepStarted,
  recordSweepResults,
  type CombinationOutcome,
  type NewSweep,
  type SweepRecord,
  type SweepResultOrder,
} from './sweep-store.js';
import { WriteGate } from './write-gate.js';

export interface SqliteStorageOptions {
  /** How long a write retries a database locked by another process before it fails (default 30 s). */
  readonly storeRetryMs?: number;
}

const DEFAULT_STORE_RETRY_MS = 30_000;

export class SqliteStorage implements Storage {
  readonly config: StorageConfig;
  /** The main thread's connection; for SQLite-only tools and tests, never for code above the data layer. */
  readonly app: AppDatabase;
  private readonly gate = new WriteGate();
  /** Stores outcomes and deletes runs, off the main thread; started on first use. */
  private readonly store: StoreThread;

  /** Opens (and migrates) the file at `path`, or takes a connection already open (closed by close()). */
  constructor(source: string | AppDatabase, options: SqliteStorageOptions = {}) {
    this.app = typeof source === 'string' ? openDatabase(source) : source;
    this.config = { kind: 'sqlite', path: this.app.path };
    this.store = new StoreThread({ databasePath: this.app.path, retryMs: options.storeRetryMs ?? DEFAULT_STORE_RETRY_MS, gate: this.gate.buffer });
  }

  get description(): string {
    return `database ${this.app.path}`;
  }

  /**
   * For a long-lived service: starts the storage thread now (loading it takes a while), so the first
   * run's outcome does not wait for it, and leaves WAL checkpoints to it (a checkpoint of megabytes
   * must not land on the event loop).
   */
  warmUp(): void {
    this.store.warmUp();
    this.app.sqlite.pragma('wal_autocheckpoint = 0');
  }

  /** A small write on the main connection, ahead of the storage thread's next transaction. */
  private write<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.gate.priority(fn));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A read on the main connection, its exception as a rejection. */
  private read<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  createRun(run: NewRun) {
    return this.write(() => createRun(this.app, run));
  }
  getRun(id: number) {
    return this.read(() => getRun(this.app, id));
  }
  listRuns(o?: ListRunsOptions) {
    return this.read(() => listRuns(this.app, o));
  }
  markRunStarted(id: number) {
    return this.write(() => markRunStarted(this.app, id));
  }
  cancelQueuedRun(id: number, error: string | null) {
    return this.write(() => cancelQueuedRun(this.app, id, error));
  }
  markInterruptedRuns() {
    return this.write(() => markInterruptedRuns(this.app));
  }
  storeOutcome(runId: number, outcome: RunOutcome) {
    return this.store.storeOutcome(runId, outcome);
  }
  storeFailure(runId: number, error: string, progress?: number) {
    return this.store.storeFailure(runId, error, progress);
  }
  deleteRuns(ids: readonly number[]) {
    return this.store.deleteRuns(ids);
  }
  getOrders(runId: number, page?: PageOptions) {
    return this.read(() => getOrders(this.app, runId, page));
  }
  getFills(runId: number, page?: PageOptions) {
    return this.read(() => getFills(this.app, runId, page));
  }
  getRoundTrips(runId: number, page?: PageOptions) {
    return this.read(() => getRoundTrips(this.app, runId, page));
  }
  getEquityCurve(runId: number, maxPoints?: number) {
    return this.read(() => getEquityCurve(this.app, runId, maxPoints));
  }
  getEquityColumns(runId: number) {
    return this.read(() => getEquityColumns(this.app, runId));
  }

  writeBars(input: WriteBarsInput) {
    return this.write(() => writeBars(this.app, input));
  }
  loadBars(input: LoadBarsInput) {
    return this.read(() => loadBars(this.app, input));
  }
  loadBarColumns(input: LoadBarsInput) {
    return this.read(() => loadBarColumns(this.app, input));
  }
  getBarsVersion(key: InstrumentKey) {
    return this.read(() => getBarsVersion(this.app, key));
  }
  getCoverage(key: InstrumentKey) {
    return this.read(() => getCoverage(this.app, key));
  }
  listDatasets() {
    return this.read(() => listDatasets(this.app));
  }
  deleteDataset(id: string) {
    return this.write(() => deleteDataset(this.app, id));
  }
  renameDataset(id: string, newName: string) {
    return this.write(() => renameDataset(this.app, id, newName));
  }
  seedDemoData() {
    return this.write(() => seedDemoData(this.app));
  }

  createSweep(s: NewSweep) {
    return this.write(() => createSweep(this.app, s));
  }
  getSweep(id: number) {
    return this.read(() => getSweep(this.app, id));
  }
  listSweeps(o?: { first?: number; after?: number | null; ownerKeyId?: number }) {
    return this.read(() => listSweeps(this.app, o));
  }
  markSweepStarted(id: number) {
    return this.write(() => markSweepStarted(this.app, id));
  }
  recordSweepResults(sweepId: number, objective: keyof RunMetrics, outcomes: readonly CombinationOutcome[]) {
    return this.write(() => recordSweepResults(this.app, sweepId, objective, outcomes));
  }
  finishSweep(id: number, status: Extract<RunStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>, error: string | null = null) {
    return this.write(() => finishSweep(this.app, id, status, error));
  }
  linkSweepRun(sweepId: number, seq: number, runId: number) {
    return this.write(() => linkSweepRun(this.app, sweepId, seq, runId));
  }
  getSweepResults(sweep: SweepRecord, order: SweepResultOrder, page?: PageOptions) {
    return this.read(() => getSweepResults(this.app, sweep, order, page));
  }
  getBestSweepResults(sweep: SweepRecord, n: number) {
    return this.read(() => getBestSweepResults(this.app, sweep, n));
  }
  markInterruptedSweeps() {
    return this.write(() => markInterruptedSweeps(this.app));
  }

  createApiKey(name: string, role: string) {
    return this.write(() => createApiKey(this.app, name, role));
  }
  listApiKeys() {
    return this.read(() => listApiKeys(this.app));
  }
  revokeApiKey(nameOrId: string) {
    return this.write(() => revokeApiKey(this.app, nameOrId));
  }
  findActiveKey(secret: string) {
    return this.read(() => findActiveKey(this.app, secret));
  }
  hasActiveKeys() {
    return this.read(() => hasActiveKeys(this.app));
  }

  async close(): Promise<void> {
    await this.store.close();
    this.app.close();
  }
}
