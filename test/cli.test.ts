/**
 * The command line as a user runs it: a child process with a fresh DATABASE_PATH. `run --json`
 * must reproduce the independent reference result; bad arguments exit 2 with one line naming them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReference } from './support/sp500.js';
import { REPO_ROOT } from './support/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-'));
const env = { ...process.env, DATABASE_PATH: join(dir, 'fresh.db'), STRATEGIES_DIR: join(dir, 'none'), WORKERS: '2' };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backtest run --json', () => {
  const ref = loadReference();
  const out = cli(
    'run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY',
    '--param', 'fastPeriod=50', '--param', 'slowPeriod=200', '--param', 'quantity=10',
    '--commission-per-unit', '0.005', '--commission-min', '1', '--cash', '100000', '--json',
  );

  it('prints the reference fills and metrics on a new database', () => {
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc.run).toMatchObject({ strategy: 'sma-crossover', status: 'COMPLETED', symbols: ['SPX'], period: 'DAY', barsProcessed: 5105 });
    expect(doc.run.params).toEqual(ref.input.params);
    expect(doc.fills.map((f: any) => ({ date: f.time.slice(0, 10), side: f.side, quantity: f.quantity, price: f.price, commission: f.commission }))).toEqual(ref.fills);
    expect(doc.fills[0].time).toBe('2003-05-15T00:00:00.000Z');
    for (const [name, expected] of Object.entries(ref.metrics)) {
      const tolerance = name === 'finalEquity' || name === 'totalCommission' ? ref.tolerance.money_relative * Math.abs(expected) : ref.tolerance.ratios_absolute;
      expect(Math.abs(doc.metrics[name] - expected), name).toBeLessThanOrEqual(tolerance);
    }
    expect(doc.roundTrips).toHaveLength(ref.roundTrips.length);
    expect(doc.roundTrips[0]).toMatchObject({ side: 'BUY', entryTime: '2003-05-15T00:00:00.000Z', exitTime: '2004-08-19T00:00:00.000Z', bars: 318 });
  });

  it('stores the run like the service does', () => {
    const again = cli('run', '--strategy', 'buy-and-hold', '--symbols', 'SPX', '--period', 'DAY', '--json');
    expect(JSON.parse(again.stdout).run.id).toBe('2');
  });
});

describe('bad arguments', () => {
  it.each([
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'DAY', '--param', 'fastPeriod=300'], '--param slowPeriod: must be greater than fastPeriod'],
    [['run', '--strategy', 'nope', '--symbols', 'SPX', '--period', 'DAY'], '--strategy: unknown strategy'],
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'DAY', '--cash', 'lots'], '--cash: expected a number'],
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'DAY', '--from', '2021-01-01'], '--from: 2021-01-01 is after the last DAY bar'],
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'WEEK'], '--period: must be one of'],
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'DAY', '--bogus'], "Unknown option '--bogus'"],
    [['import', join(dir, 'missing.csv'), '--dataset', 'x', '--symbol', 'X', '--period', 'DAY', '--format', 'excel'], '--format: must be yahoo or generic'],
    [['generate', '--dataset', 'sim', '--symbols', 'X', '--period', 'MINUTE', '--bars=-5'], '--bars: expected an integer >= 1'],
    [['sweep', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'DAY', '--grid', 'fastPeriod=10:55:10'], '--grid fastPeriod.step: 10 does not divide'],
    [['frobnicate'], 'unknown command'],
    [['import', join(dir, 'nope.csv'), '--dataset', 'x', '--symbol', 'X', '--period', 'DAY'], 'import: no such file'],
  ])('%j exits 2 with one line naming it', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('import, generate, datasets, sweep', () => {
  it('imports a Yahoo CSV, refuses a second import without --replace, and lists it', () => {
    const csv = join(dir, 'acme.csv');
    writeFileSync(csv, 'Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10.5,12,10,11.5,11.5,200\n');
    const first = cli('import', csv, '--dataset', 'mine', '--symbol', 'ACME', '--period', 'DAY');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported 2 DAY bars of ACME into mine');
    const again = cli('import', csv, '--dataset', 'mine', '--symbol', 'ACME', '--period', 'DAY');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/replace/i);
    expect(cli('import', csv, '--dataset', 'mine', '--symbol', 'ACME', '--period', 'DAY', '--replace').code).toBe(0);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,open,high,low,close,adjclose,volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10.5,9,10,9.5,9.5,200\n');
    const refused = cli('import', bad, '--dataset', 'mine', '--symbol', 'BAD', '--period', 'DAY');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('line 3');
    const listed = cli('datasets').stdout;
    expect(listed).toMatch(/mine\s+ACME\s+DAY\s+2021-01-04\s+2021-01-05\s+2/);
    expect(listed).not.toContain('BAD');
  });

  it('generates synthetic bars and runs a sweep over them', () => {
    expect(cli('generate', '--dataset', 'sim', '--symbols', 'X,Y', '--period', 'MINUTE', '--bars', '5000', '--seed', '7').code).toBe(0);
    const r = cli('sweep', '--strategy', 'sma-crossover', '--dataset', 'sim', '--symbols', 'X,Y', '--period', 'MINUTE', '--grid', 'fastPeriod=5:15:5', '--grid', 'slowPeriod=30,60', '--keep-top', '1', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sweep).toMatchObject({ status: 'COMPLETED', total: 6, completed: 6, skipped: 0 });
    expect(doc.results[0].runId).not.toBeNull();
    const sharpes = doc.results.map((x: any) => x.objectiveValue);
    expect([...sharpes].sort((a, b) => b - a)).toEqual(sharpes);
  });
});
