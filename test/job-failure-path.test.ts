/**
 * The failure path of the job manager under a database it cannot write: another connection holds
 * the write lock while a run ends, so storing its outcome fails, and so does storing FAILED. The run
 * must still end FAILED (stored once the lock is gone) with a clear error, nothing may escape into
 * the event loop (the process once exited on an unhandled SqliteError here), and the pool keeps
 * serving. Real parts: a JobManager with its Piscina pool of 2 threads and its storage thread, a
 * SQLite file with the demo data, the `throws` fixture strategy.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDatabase } from '../src/data/db.js';
import { listDatasets } from '../src/data/bar-store.js';
import { SqliteStorage } from '../src/data/sqlite-storage.js';
import { DEFAULT_LIMITS } from '../src/jobs/admission.js';
import { JobManager } from '../src/jobs/job-manager.js';
import { getFills, getRun } from '../src/data/run-store.js';
import { RunInputError, validateRunInput, type RunInput } from '../src/jobs/run-input.js';
import { loadStrategies, type LoadedStrategies } from '../src/jobs/strategy-loader.js';
import { FIXTURE_STRATEGIES, seededDatabaseCopy, tempDir, waitFor } from './support/test-server.js';

const SMA_SPX: RunInput = { strategy: 'sma-crossover', params: { fastPeriod: 50, slowPeriod: 200 }, symbols: ['SPX'], period: 'DAY', dataset: 'demo' };
const THROWS_SPX: RunInput = { strategy: 'throws', params: { failAt: 3000 }, symbols: ['SPX'], period: 'DAY', dataset: 'demo' };

describe('job manager: a locked database on the way out', () => {
  const dir = tempDir('backtest-jobs-');
  const databasePath = join(dir.dir, 'jobs.db');
  let storage: SqliteStorage;
  let app: AppDatabase;
  let strategies: LoadedStrategies;
  let jobs: JobManager;
  const logs: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => void unhandled.push(e);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    seededDatabaseCopy(dir.dir, databasePath);
    storage = new SqliteStorage(databasePath, { storeRetryMs: 300 });
    app = storage.app;
    strategies = await loadStrategies(FIXTURE_STRATEGIES);
    jobs = new JobManager({ storage, strategiesDir: FIXTURE_STRATEGIES, workers: 2, log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await jobs?.shutdown(1_000);
    await storage?.close();
    dir.remove();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  const enqueue = (input: RunInput) => jobs.enqueue(validateRunInput({ datasets: listDatasets(app), strategies: strategies.registry }, input));

  /** Starts a run, then takes the write lock from another connection as soon as it is RUNNING. */
  async function runUnderLock(input: RunInput): Promise<{ id: number; locker: Database.Database }> {
    const { id } = await enqueue(input);
    await waitFor(() => jobs.activeRun(id)?.state.status === 'RUNNING', { what: `run ${id} RUNNING`, intervalMs: 1 });
    const locker = new Database(databasePath);
    locker.exec('BEGIN IMMEDIATE');
    return { id, locker };
  }

  it('a run that fails while the database is locked ends FAILED with both reasons; the event loop stays free', async () => {
    const { id, locker } = await runUnderLock(THROWS_SPX);
    try {
      // Storing the outcome gave up after storeRetryMs; storing FAILED is being retried.
      await waitFor(() => logs.some((l) => l.startsWith(`run ${id}: `)), { what: 'the failure to be reported', timeoutMs: 30_000 });
      expect(logs.find((l) => l.startsWith(`run ${id}: `))).toMatch(/boom at bar 3000; storing its results failed too: database is locked/);
      // Meanwhile the run is still active (not ended in a state nobody stored), and timers run on time.
      expect(jobs.activeRun(id)?.state.status).toBe('RUNNING');
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(performance.now() - t0).toBeLessThan(1_000);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    await jobs.activeRun(id)?.finished;
    expect(getRun(app, id)).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/^boom at bar 3000; storing its results failed too: database is locked/),
    });
    expect(jobs.activeRun(id)).toBeUndefined();
  });

  it('a run that completes while the database is locked ends FAILED saying its results could not be stored', async () => {
    const { id, locker } = await runUnderLock(SMA_SPX);
    try {
      await waitFor(() => logs.some((l) => l.startsWith(`run ${id}: `)), { what: 'the failure to be reported', timeoutMs: 30_000 });
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    await jobs.activeRun(id)?.finished;
    expect(getRun(app, id)).toMatchObject({ status: 'FAILED', error: 'the results could not be stored: database is locked' });
  });

  it('afterwards the pool and the storage thread serve as before; nothing escaped into the event loop', async () => {
    const { id } = await enqueue(SMA_SPX);
    await jobs.activeRun(id)?.finished;
    expect(getRun(app, id)).toMatchObject({ status: 'COMPLETED', error: null, progress: 1 });
    expect(unhandled).toEqual([]);
  });
});

describe('job manager: the ceilings on bars and fills', () => {
  const dir = tempDir('backtest-jobs-');
  const databasePath = join(dir.dir, 'ceilings.db');
  let storage: SqliteStorage;
  let app: AppDatabase;
  let strategies: LoadedStrategies;
  let jobs: JobManager;

  beforeAll(async () => {
    seededDatabaseCopy(dir.dir, databasePath);
    storage = new SqliteStorage(databasePath);
    app = storage.app;
    strategies = await loadStrategies(FIXTURE_STRATEGIES);
    // SPX has 5,105 daily bars; sma-crossover 50/200 makes 18 fills on them.
    jobs = new JobManager({ storage, strategiesDir: FIXTURE_STRATEGIES, workers: 2, limits: { ...DEFAULT_LIMITS, maxFillsPerRun: 10, maxBarsPerRun: 5_000 } });
  });
  afterAll(async () => {
    await jobs?.shutdown(1_000);
    await storage?.close();
    dir.remove();
  });

  const validate = (input: RunInput) => validateRunInput({ datasets: listDatasets(app), strategies: strategies.registry }, input);

  it('a run over more bars than MAX_BARS_PER_RUN is refused before anything is stored', async () => {
    const before = app.sqlite.prepare('select count(*) n from runs').get();
    let error: unknown;
    try {
      await jobs.enqueue(validate(SMA_SPX));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunInputError);
    expect((error as RunInputError).errors).toEqual([{ field: 'symbols', message: expect.stringMatching(/^about 5105 bars to simulate exceed the limit of 5000 per run \(MAX_BARS_PER_RUN\)/) }]);
    expect(app.sqlite.prepare('select count(*) n from runs').get()).toEqual(before);
    expect(jobs.admission.queued()).toBe(0);
  });

  it('a run past MAX_FILLS_PER_RUN stops and ends FAILED saying so, keeping no fills', async () => {
    const { id } = await jobs.enqueue(validate({ ...SMA_SPX, start: '2005-01-01' }));
    await jobs.activeRun(id)?.finished;
    const run = getRun(app, id)!;
    expect(run).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^more than 10 fills \(MAX_FILLS_PER_RUN\): stopped after 1[1-9] fills at \d{4}-\d\d-\d\dT.*; no fills or orders are kept$/) });
    // Checked between engine chunks of 16,384 steps: these daily bars are one chunk.
    expect(run.progress).toBeGreaterThan(0);
    expect(getFills(app, id)).toEqual({ items: [], totalCount: 0 });
  });
});
