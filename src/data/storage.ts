/**
 * Where the service keeps runs, sweeps, market data and API keys: one asynchronous interface, one
 * implementation per database (sqlite-storage.ts, the embedded default; Postgres for scale-out,
 * issue 14). Code above the data layer (jobs, schema, server, HTTP, auth, analytics) reaches the
 * database only through a Storage, so it never knows which one it is.
 */
import type { BarSeries } from '../engine/bars.js';
import type { RunMetrics } from '../engine/results.js';
import type { ApiKeyRecord } from './api-key-store.js';
import type { BarsVersion, Coverage, DatasetInfo, InstrumentKey, LoadBarsInput, WriteBarsInput } from './bar-store.js';
import type { DeletedDataset, RenamedDataset } from './dataset-admin.js';
import type { EquityColumns } from './equity-codec.js';
import type { RunOutcome } from './run-outcome-store.js';
import type { Fill, Order } from '../engine/orders.js';
import type { EquityCurve, RoundTrip } from '../engine/results.js';
import type { ListRunsOptions, NewRun, Page, PageOptions, RunPage, RunRecord, RunStatus } from './run-types.js';
import type { CombinationOutcome, NewSweep, SweepPage, SweepRecord, SweepResultOrder, SweepResultRecord } from './sweep-store.js';

/** Which database, from DATABASE_URL (postgres://...) or DATABASE_PATH (an SQLite file, the default). */
export type StorageConfig = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

/** Runs: their records, their ends (stored off the event loop), and their results. */
export interface RunStorage {
  createRun(run: NewRun): Promise<RunRecord>;
  getRun(id: number): Promise<RunRecord | null>;
  listRuns(o?: ListRunsOptions): Promise<RunPage>;
  /** QUEUED -> RUNNING; false when it is no longer queued (cancelled or deleted meanwhile). */
  markRunStarted(id: number): Promise<boolean>;
  /** QUEUED -> CANCELLED with `error` saying why; false when it already started or ended. */
  cancelQueuedRun(id: number, error: string | null): Promise<boolean>;
  /** Runs left QUEUED or RUNNING by a process that stopped: FAILED. Returns how many. */
  markInterruptedRuns(): Promise<number>;
  /** The run's results and final state; null when the run was deleted meanwhile. Throws when it cannot be stored. */
  storeOutcome(runId: number, outcome: RunOutcome): Promise<RunRecord | null>;
  storeFailure(runId: number, error: string, progress?: number): Promise<RunRecord | null>;
  /** Deletes runs and everything stored for them; returns how many existed. */
  deleteRuns(ids: readonly number[]): Promise<number>;
  getOrders(runId: number, page?: PageOptions): Promise<Page<Order>>;
  getFills(runId: number, page?: PageOptions): Promise<Page<Fill>>;
  getRoundTrips(runId: number, page?: PageOptions): Promise<Page<RoundTrip>>;
  /** The stored curve, downsampled to at most `maxPoints` when given; null when none was stored. */
  getEquityCurve(runId: number, maxPoints?: number): Promise<EquityCurve | null>;
  /** The stored curve's time, equity and cash columns, every point (the analytics' input). */
  getEquityColumns(runId: number): Promise<EquityColumns | null>;
}

/** Market data: datasets, instruments and their bars. */
export interface MarketStorage {
  writeBars(input: WriteBarsInput): Promise<Coverage>;
  loadBars(input: LoadBarsInput): Promise<BarSeries>;
  /** Only time, high, low and close (open and volume empty): what the analytics read. */
  loadBarColumns(input: LoadBarsInput): Promise<BarSeries>;
  getBarsVersion(key: InstrumentKey): Promise<BarsVersion | null>;
  getCoverage(key: InstrumentKey): Promise<Coverage | null>;
  listDatasets(): Promise<DatasetInfo[]>;
  deleteDataset(id: string): Promise<DeletedDataset>;
  renameDataset(id: string, newName: string): Promise<RenamedDataset>;
  /** Loads the demo datasets into an empty database. */
  seedDemoData(): Promise<{ seeded: boolean }>;
}

export interface SweepStorage {
  createSweep(s: NewSweep): Promise<SweepRecord>;
  getSweep(id: number): Promise<SweepRecord | null>;
  listSweeps(o?: { first?: number; after?: number | null; ownerKeyId?: number }): Promise<SweepPage>;
  markSweepStarted(id: number): Promise<boolean>;
  recordSweepResults(sweepId: number, objective: keyof RunMetrics, outcomes: readonly CombinationOutcome[]): Promise<void>;
  finishSweep(id: number, status: Extract<RunStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>, error?: string | null): Promise<SweepRecord | null>;
  linkSweepRun(sweepId: number, seq: number, runId: number): Promise<void>;
  getSweepResults(sweep: SweepRecord, order: SweepResultOrder, page?: PageOptions): Promise<Page<SweepResultRecord>>;
  getBestSweepResults(sweep: SweepRecord, n: number): Promise<SweepResultRecord[]>;
  /** Sweeps left QUEUED or RUNNING by a process that stopped: FAILED. Returns how many. */
  markInterruptedSweeps(): Promise<number>;
}

export interface KeyStorage {
  createApiKey(name: string, role: string): Promise<{ key: ApiKeyRecord; secret: string }>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(nameOrId: string): Promise<ApiKeyRecord | null>;
  findActiveKey(secret: string): Promise<ApiKeyRecord | null>;
  hasActiveKeys(): Promise<boolean>;
}

export interface Storage extends RunStorage, MarketStorage, SweepStorage, KeyStorage {
  readonly config: StorageConfig;
  /** For logs: the file, or the server without its password. */
  readonly description: string;
  /** For a long-lived service: starts background work (threads, connections) now rather than at first use. */
  warmUp(): void;
  /** Waits for writes under way, then closes every connection and thread. */
  close(): Promise<void>;
}
