/**
 * Storage on a Postgres server (DATABASE_URL): every method one or a few queries on a connection
 * pool, each write its own transaction, results of a run stored atomically with its final status.
 * Postgres serialises writers itself (row locks, MVCC), so there is no storage thread or write gate
 * as for SQLite; several service processes can share the database.
 */
import type { RunMetrics } from '../../engine/results.js';
import type { InstrumentKey, LoadBarsInput, WriteBarsInput } from '../bar-store.js';
import { openPostgres, type PgDatabase } from '../postgres-db.js';
import type { RunOutcome } from '../run-outcome-store.js';
import type { ListRunsOptions, NewRun, PageOptions, RunStatus } from '../run-types.js';
import type { Storage, StorageConfig } from '../storage.js';
import type { CombinationOutcome, NewSweep, SweepRecord, SweepResultOrder } from '../sweep-store.js';
import * as keys from './api-key-store.js';
import { loadBarColumns } from './bar-columns.js';
import * as bars from './bar-store.js';
import { deleteDataset, renameDataset } from './dataset-admin.js';
import { seedDemoData } from './demo.js';
import * as runs from './run-store.js';
import * as sweeps from './sweep-store.js';

export class PostgresStorage implements Storage {
  readonly config: StorageConfig;

  private constructor(private readonly pg: PgDatabase) {
    this.config = { kind: 'postgres', url: pg.url };
  }

  /** Connects and applies pending migrations. */
  static async open(url: string): Promise<PostgresStorage> {
    return new PostgresStorage(await openPostgres(url));
  }

  /** The server and database, without user or password. */
  get description(): string {
    const u = new URL(this.pg.url);
    return `database postgres://${u.host}${u.pathname}`;
  }

  warmUp(): void {}

  createRun(run: NewRun) {
    return runs.createRun(this.pg, run);
  }
  getRun(id: number) {
    return runs.getRun(this.pg, id);
  }
  listRuns(o?: ListRunsOptions) {
    return runs.listRuns(this.pg, o);
  }
  markRunStarted(id: number) {
    return runs.markRunStarted(this.pg, id);
  }
  cancelQueuedRun(id: number, error: string | null) {
    return runs.cancelQueuedRun(this.pg, id, error);
  }
  markInterruptedRuns() {
    return runs.markInterruptedRuns(this.pg);
  }
  storeOutcome(runId: number, outcome: RunOutcome) {
    return runs.storeOutcome(this.pg, runId, outcome);
  }
  storeFailure(runId: number, error: string, progress?: number) {
    return runs.storeFailure(this.pg, runId, error, progress);
  }
  deleteRuns(ids: readonly number[]) {
    return runs.deleteRuns(this.pg, ids);
  }
  getOrders(runId: number, page?: PageOptions) {
    return runs.getOrders(this.pg, runId, page);
  }
  getFills(runId: number, page?: PageOptions) {
    return runs.getFills(this.pg, runId, page);
  }
  getRoundTrips(runId: number, page?: PageOptions) {
    return runs.getRoundTrips(this.pg, runId, page);
  }
  getEquityCurve(runId: number, maxPoints?: number) {
    return runs.getEquityCurve(this.pg, runId, maxPoints);
  }
  getEquityColumns(runId: number) {
    return runs.getEquityColumns(this.pg, runId);
  }

  writeBars(input: WriteBarsInput) {
    return bars.writeBars(this.pg, input);
  }
  loadBars(input: LoadBarsInput) {
    return bars.loadBars(this.pg, input);
  }
  loadBarColumns(input: LoadBarsInput) {
    return loadBarColumns(this.pg, input);
  }
  getBarsVersion(key: InstrumentKey) {
    return bars.getBarsVersion(this.pg, key);
  }
  getCoverage(key: InstrumentKey) {
    return bars.getCoverage(this.pg, key);
  }
  listDatasets() {
    return bars.listDatasets(this.pg);
  }
  deleteDataset(id: string) {
    return deleteDataset(this.pg, id);
  }
  renameDataset(id: string, newName: string) {
    return renameDataset(this.pg, id, newName);
  }
  seedDemoData() {
    return seedDemoData(this.pg);
  }

  createSweep(s: NewSweep) {
    return sweeps.createSweep(this.pg, s);
  }
  getSweep(id: number) {
    return sweeps.getSweep(this.pg, id);
  }
  listSweeps(o?: { first?: number; after?: number | null; ownerKeyId?: number }) {
    return sweeps.listSweeps(this.pg, o);
  }
  markSweepStarted(id: number) {
    return sweeps.markSweepStarted(this.pg, id);
  }
  recordSweepResults(sweepId: number, objective: keyof RunMetrics, outcomes: readonly CombinationOutcome[]) {
    return sweeps.recordSweepResults(this.pg, sweepId, objective, outcomes);
  }
  finishSweep(id: number, status: Extract<RunStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>, error: string | null = null) {
    return sweeps.finishSweep(this.pg, id, status, error);
  }
  linkSweepRun(sweepId: number, seq: number, runId: number) {
    return sweeps.linkSweepRun(this.pg, sweepId, seq, runId);
  }
  getSweepResults(sweep: SweepRecord, order: SweepResultOrder, page?: PageOptions) {
    return sweeps.getSweepResults(this.pg, sweep, order, page);
  }
  getBestSweepResults(sweep: SweepRecord, n: number) {
    return sweeps.getBestSweepResults(this.pg, sweep, n);
  }
  markInterruptedSweeps() {
    return sweeps.markInterruptedSweeps(this.pg);
  }

  createApiKey(name: string, role: string) {
    return keys.createApiKey(this.pg, name, role);
  }
  listApiKeys() {
    return keys.listApiKeys(this.pg);
  }
  revokeApiKey(nameOrId: string) {
    return keys.revokeApiKey(this.pg, nameOrId);
  }
  findActiveKey(secret: string) {
    return keys.findActiveKey(this.pg, secret);
  }
  hasActiveKeys() {
    return keys.hasActiveKeys(this.pg);
  }

  close(): Promise<void> {
    return this.pg.close();
  }
}
