/**
 * Deleting and renaming datasets on a real SQLite file: refused while a run or sweep on the dataset
 * is QUEUED or RUNNING (the RUNNING case is observed from inside a real run, in the executor's
 * progress hook); a delete removes instruments, bar chunks and coverage and nothing else; finished
 * runs that used the dataset stay readable.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCoverage, listDatasets, loadBars, writeBars } from '../src/data/bar-store.js';
import { DatasetAdminError, deleteDataset, MAX_DATASET_NAME_CHARS, renameDataset } from '../src/data/dataset-admin.js';
import { BarsNotFoundError } from '../src/data/errors.js';
import { createRun, finishRun, getFills, getRun, markRunStarted, type NewRun } from '../src/data/run-store.js';
import { createSweep, finishSweep, markSweepStarted } from '../src/data/sweep-store.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { validateStrategyParams } from '../src/engine/strategy.js';
import { buyAndHold } from '../src/engine/strategies/index.js';
import { executeRun } from '../src/workers/execute-run.js';
import { tempDb, type TempDb } from './data-fixtures.js';

const BARS = 40_000; // more than two engine chunks, so the progress hook runs while the run is RUNNING

function store(t: TempDb, dataset: string, symbols: string[], name?: string) {
  symbols.forEach((symbol, k) => {
    const series = generateSyntheticBars({ symbol, bars: BARS, period: 'MINUTE', seed: k + 1 });
    writeBars(t.app, { dataset, symbol, period: 'MINUTE', series, datasetName: name });
  });
}

function newRun(dataset: string): NewRun & { periodsPerYear: number } {
  const params = validateStrategyParams(buyAndHold, {});
  if (!params.ok) throw new Error('default params refused');
  return {
    strategy: buyAndHold.id,
    params: params.values,
    symbols: ['X'],
    dataset,
    period: 'MINUTE',
    initialCash: 100_000,
    commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 },
    slippageBps: 0,
    periodsPerYear: 98_280,
  };
}

const count = (t: TempDb, table: string) => t.app.sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number;

function refusal(f: () => unknown): DatasetAdminError {
  try {
    f();
  } catch (e) {
    if (e instanceof DatasetAdminError) return e;
    throw e;
  }
  throw new Error('expected a DatasetAdminError');
}

describe('deleteDataset', () => {
  let t: TempDb;
  beforeEach(() => {
    t = tempDb();
    store(t, 'gone', ['X', 'Y']);
    store(t, 'kept', ['X']);
  });
  afterEach(() => t.dispose());

  it('is refused while a run on it is queued or running; afterwards it removes the data and the run stays readable', () => {
    const run = newRun('gone');
    const queued = createRun(t.app, run);
    const whileQueued = refusal(() => deleteDataset(t.app, 'gone'));
    expect(whileQueued.problem).toEqual({ kind: 'in-use', id: 'gone', runs: [queued.id], sweeps: [] });
    expect(whileQueued.field).toBe('id');
    expect(whileQueued.message).toBe(`dataset gone is in use by run ${queued.id} (queued or running); wait for them to finish or cancel them first`);

    const whileRunning: unknown[] = [];
    const executed = executeRun(
      t.app,
      { runId: queued.id, run, strategy: buyAndHold },
      {
        onProgress: (p) => {
          if (p.progress < 1) whileRunning.push(refusal(() => deleteDataset(t.app, 'gone')).problem);
        },
      },
    );
    expect(whileRunning.length).toBeGreaterThan(0);
    expect(whileRunning[0]).toMatchObject({ kind: 'in-use', runs: [queued.id] });
    expect(executed.record?.status).toBe('COMPLETED');
    expect(loadBars(t.app, { dataset: 'gone', symbol: 'X', period: 'MINUTE' }).length).toBe(BARS); // refusals changed nothing

    const chunksBefore = count(t, 'bar_chunks');
    const deleted = deleteDataset(t.app, 'gone');
    expect(deleted).toEqual({ id: 'gone', name: 'gone', instruments: 2, bars: 2 * BARS });
    expect(listDatasets(t.app).map((d) => d.id)).toEqual(['kept']);
    expect(() => loadBars(t.app, { dataset: 'gone', symbol: 'X', period: 'MINUTE' })).toThrow(BarsNotFoundError);
    expect(getCoverage(t.app, { dataset: 'gone', symbol: 'Y', period: 'MINUTE' })).toBeNull();
    // 40,000 bars per symbol fit one chunk each: two chunks and two instruments went, the other dataset's stayed.
    expect(count(t, 'bar_chunks')).toBe(chunksBefore - 2);
    expect(count(t, 'instruments')).toBe(1);
    expect(count(t, 'coverage')).toBe(1);
    expect(loadBars(t.app, { dataset: 'kept', symbol: 'X', period: 'MINUTE' }).length).toBe(BARS);

    const after = getRun(t.app, queued.id);
    expect(after).toMatchObject({ status: 'COMPLETED', dataset: 'gone' });
    expect(after?.metrics?.trades).toBe(executed.result?.metrics.trades);
    expect(getFills(t.app, queued.id).totalCount).toBe(1); // buy-and-hold buys once
  });

  it('is refused while a sweep on it is queued or running, and lists every active user', () => {
    const base = newRun('gone');
    const sweep = createSweep(t.app, {
      ...base,
      baseParams: {},
      grid: { quantity: [1, 2] },
      start: null,
      end: null,
      objective: 'sharpe',
      maximize: true,
      keepTop: 1,
      total: 2,
      skipped: 0,
    });
    expect(refusal(() => deleteDataset(t.app, 'gone')).problem).toEqual({ kind: 'in-use', id: 'gone', runs: [], sweeps: [sweep.id] });
    markSweepStarted(t.app, sweep.id);
    const running = createRun(t.app, base);
    markRunStarted(t.app, running.id);
    const both = refusal(() => deleteDataset(t.app, 'gone'));
    expect(both.problem).toEqual({ kind: 'in-use', id: 'gone', runs: [running.id], sweeps: [sweep.id] });
    expect(both.message).toContain(`run ${running.id} and sweep ${sweep.id}`);
    // Active work on another dataset does not block this one, and finished work does not either.
    expect(deleteDataset(t.app, 'kept').id).toBe('kept');
    finishSweep(t.app, sweep.id, 'CANCELLED');
    finishRun(t.app, running.id, { status: 'FAILED', error: 'stopped by the test' });
    expect(deleteDataset(t.app, 'gone').instruments).toBe(2);
    expect(count(t, 'datasets') + count(t, 'instruments') + count(t, 'coverage') + count(t, 'bar_chunks')).toBe(0);
  });

  it('an unknown id is not-found, and nothing changes', () => {
    const e = refusal(() => deleteDataset(t.app, 'nope'));
    expect(e.problem).toEqual({ kind: 'not-found', id: 'nope' });
    expect(e.message).toBe('no dataset with id "nope"');
    expect(refusal(() => deleteDataset(t.app, 'x'.repeat(10_000))).message.length).toBeLessThan(100);
    expect(listDatasets(t.app).map((d) => d.id)).toEqual(['gone', 'kept']);
  });
});

describe('renameDataset', () => {
  let t: TempDb;
  beforeEach(() => {
    t = tempDb();
    store(t, 'a', ['X'], 'Alpha data');
    store(t, 'b', ['X'], 'Beta data');
  });
  afterEach(() => t.dispose());

  it('sets the display name (trimmed); the id, bars and runs are untouched', () => {
    const run = createRun(t.app, newRun('a'));
    expect(renameDataset(t.app, 'a', '  Alpha, 2020 minute bars ')).toEqual({ id: 'a', name: 'Alpha, 2020 minute bars', previousName: 'Alpha data' });
    expect(listDatasets(t.app).find((d) => d.id === 'a')?.name).toBe('Alpha, 2020 minute bars');
    expect(loadBars(t.app, { dataset: 'a', symbol: 'X', period: 'MINUTE' }).length).toBe(BARS);
    expect(getRun(t.app, run.id)?.dataset).toBe('a');
    // Renaming to its own name in another case is allowed (only other datasets' names clash).
    expect(renameDataset(t.app, 'a', 'ALPHA, 2020 minute bars').name).toBe('ALPHA, 2020 minute bars');
  });

  it.each([
    ['', 'name must not be empty'],
    ['   ', 'name must not be empty'],
    ['x'.repeat(MAX_DATASET_NAME_CHARS + 1), `name must be at most ${MAX_DATASET_NAME_CHARS} characters, got ${MAX_DATASET_NAME_CHARS + 1}`],
    ['two\nlines', 'name must not contain control characters (such as newlines or tabs)'],
    ['beta DATA', 'name "beta DATA" is already the name of dataset b'],
  ])('refuses %j as bad-name and changes nothing', (name, message) => {
    const e = refusal(() => renameDataset(t.app, 'a', name));
    expect(e.problem.kind).toBe('bad-name');
    expect(e.field).toBe('name');
    expect(e.message).toBe(message);
    expect(listDatasets(t.app).map((d) => d.name)).toEqual(['Alpha data', 'Beta data']);
  });

  it('an unknown id is not-found', () => {
    expect(refusal(() => renameDataset(t.app, 'zzz', 'Fine name')).problem).toEqual({ kind: 'not-found', id: 'zzz' });
  });
});
