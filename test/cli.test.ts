/**
 * The command line as a user runs it: a child process with a fresh DATABASE_PATH. `run --json`
 * must reproduce the independent reference result; bad arguments exit 2 with one line naming them;
 * tables print fractions as percent (checked against the JSON and the stored sweep results).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/data/db.js';
import { createRun, finishRun, markRunStarted } from '../src/data/run-store.js';
import { getBestSweepResults, getSweep } from '../src/data/sweep-store.js';
import { ensureBuilt } from './support/built-cli.js';
import { loadReference } from './support/sp500.js';
import { REPO_ROOT } from './support/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-'));
const env = { ...process.env, DATABASE_PATH: join(dir, 'fresh.db'), STRATEGIES_DIR: join(dir, 'none'), WORKERS: '2' };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Tests that start several CLI processes: generous, the machine is shared and each process starts tsx. */
const SLOW = 300_000;

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
    expect(doc.run.params).toMatchObject(ref.input.params); // later params may be added, with defaults that keep the reference
    expect(doc.fills.map((f: any) => ({ date: f.time.slice(0, 10), side: f.side, quantity: f.quantity, price: f.price, commission: f.commission }))).toEqual(ref.fills);
    expect(doc.fills[0].time).toBe('2003-05-15T00:00:00.000Z');
    for (const [name, expected] of Object.entries(ref.metrics)) {
      const tolerance = name === 'finalEquity' || name === 'totalCommission' ? ref.tolerance.money_relative * Math.abs(expected) : ref.tolerance.ratios_absolute;
      expect(Math.abs(doc.metrics[name] - expected), name).toBeLessThanOrEqual(tolerance);
    }
    expect(doc.roundTrips).toHaveLength(ref.roundTrips.length);
    expect(doc.roundTrips[0]).toMatchObject({ side: 'BUY', entryTime: '2003-05-15T00:00:00.000Z', exitTime: '2004-08-19T00:00:00.000Z', bars: 318 });
  });

  it('stores the run like the service does', { timeout: SLOW }, () => {
    const again = cli('run', '--strategy', 'buy-and-hold', '--symbols', 'SPX', '--period', 'DAY', '--json');
    expect(JSON.parse(again.stdout).run.id).toBe('2');
  });
});

describe('bad arguments', () => {
  const run = ['run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY'];
  const imp = (...more: string[]) => ['import', join(dir, 'missing.csv'), '--dataset', 'x', '--symbol', 'X', '--period', 'DAY', ...more];
  it.each([
    [[...run, '--param', 'fastPeriod=300'], '--param slowPeriod: must be greater than fastPeriod'],
    [['run', '--strategy', 'nope', '--symbols', 'SPX', '--period', 'DAY'], '--strategy: unknown strategy'],
    [[...run, '--cash', '-5'], '--cash: expected a number > 0, got "-5"'],
    [[...run, '--cash', 'lots'], '--cash: expected a number > 0, got "lots"'],
    [[...run, '--cash=-1e3'], '--cash: expected a number > 0, got "-1e3"'],
    [[...run, '--commission-min', '-0.5'], '--commission-min: expected a number >= 0, got "-0.5"'],
    [[...run, '--param', 'fastPeriod=ten'], '--param fastPeriod: expected an integer, got "ten"'],
    [[...run, '--param', 'fastPeriod=12.5'], '--param fastPeriod: expected an integer, got "12.5"'],
    [[...run, '--param', 'quantity=lots'], '--param quantity: expected a number, got "lots"'],
    [[...run, '--param', 'entry=stop'], '--param entry: expected one of MARKET, LIMIT, got "stop"'],
    [[...run, '--param', 'fastPeriod'], '--param: expected name=value, got "fastPeriod"'],
    [[...run, '--param', 'fastPeriod=5', '--param', 'fastPeriod=6'], '--param fastPeriod: given twice'],
    [[...run, '--param', 'nope=1'], '--param nope: unknown parameter'],
    [[...run, '--start', '2021-01-01'], '--start: 2021-01-01 is after the last DAY bar'],
    [[...run, '--from', '2021-01-01'], '--from: 2021-01-01 is after the last DAY bar'],
    [[...run, '--end', '1999-01-01'], '--end: 1999-01-01 is before the first DAY bar'],
    [[...run, '--start', '2001-01-01', '--from', '2002-01-01'], '--start: given twice'],
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX', '--period', 'week'], '--period: expected one of SECOND, MINUTE, HOUR, DAY, got "week"'],
    [['run', '--strategy', 'sma-crossover', '--symbols', 'SPX,', '--period', 'DAY'], '--symbols: expected a symbol of 1 to 32 letters, digits or . _ ^ = -, got ""'],
    [['run', '--symbols', 'SPX', '--period', 'DAY'], "required option '--strategy <id>' not specified"],
    [[...run, '--bogus'], "unknown option '--bogus'"],
    [[...run, '--jsn'], "unknown option '--jsn' (did you mean --json?)"],
    [[...run, '--cash'], "option '--cash <amount>' argument missing"],
    [imp('--format', 'excel'), '--format: expected one of yahoo, generic, got "excel"'],
    [imp('--on-invalid', 'ignore'), '--on-invalid: expected one of fail, skip, got "ignore"'],
    [imp('--timezone', 'Mars/Olympus'), '--timezone: unknown time zone "Mars/Olympus" (expected an IANA name such as America/New_York'],
    [imp('--time-format', 'unix'), '--time-format: expected one of iso-date, iso-datetime, epoch-s, epoch-ms, got "unix"'],
    [imp('--format', 'generic', '--columns', 'time=ts,open=o'), '--columns: missing high=<header>'],
    [imp('--format', 'generic'), '--columns is required with --format generic'],
    [['import', join(dir, 'nope.csv'), '--dataset', 'x', '--symbol', 'X', '--period', 'DAY'], 'import: no such file'],
    [['import', join(dir, 'nope.csv'), '--dataset', 'Bad Name', '--symbol', 'X', '--period', 'DAY'], '--dataset: expected an id of lowercase letters'],
    [['generate', '--dataset', 'sim', '--symbols', 'X', '--period', 'MINUTE', '--bars=-5'], '--bars: expected an integer from 1 to 50000000, got "-5"'],
    [['sweep', ...run.slice(1), '--grid', 'fastPeriod=10:55:10'], '--grid fastPeriod.step: 10 does not divide'],
    [['sweep', ...run.slice(1), '--grid', 'fastPeriod=a:b'], '--grid fastPeriod.min: expected an integer, got "a"'],
    [['sweep', ...run.slice(1), '--grid', 'fastPeriod=10:20', '--objective', 'luck'], '--objective: unknown metric "luck" (known: finalEquity, totalReturn'],
    [['sweep', ...run.slice(1)], "required option '--grid <name=values>' not specified"],
    [['datasets', 'delete', 'nope'], 'no dataset with id "nope"'],
    [['datasets', 'rename', 'demo', ' '], 'name must not be empty'],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j exits 2 with one line naming it', { timeout: SLOW }, (args, message) => {
    const r = cli(...args);
    expect(r.stderr).toContain(message);
    expect(r.stderr.startsWith('backtest: ')).toBe(true);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a huge argument is quoted briefly', { timeout: SLOW }, () => {
    const r = cli(...run, '--cash', '9'.repeat(5000) + 'x');
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(200);
  });
});

describe('any-case enum values, --start/--end, tables in percent', () => {
  it('accepts --period day and --param entry=limit, and reports them canonically', { timeout: SLOW }, () => {
    const r = cli('run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'day', '--param', 'entry=limit', '--param', 'fastPeriod=20', '--param', 'slowPeriod=60', '--start', '2015-01-01', '--end', '2015-12-31', '--json');
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.run).toMatchObject({ period: 'DAY', start: '2015-01-01', end: '2015-12-31' });
    expect(doc.run.params).toMatchObject({ entry: 'LIMIT', fastPeriod: 20, slowPeriod: 60 });
    // --from/--to are the same flags under their old names.
    const alias = JSON.parse(cli('run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY', '--param', 'entry=Limit', '--param', 'fastPeriod=20', '--param', 'slowPeriod=60', '--from', '2015-01-01', '--to', '2015-12-31', '--json').stdout);
    expect(alias.metrics).toEqual(doc.metrics);
  });

  it('the run table prints fractions as percent, like --json * 100', { timeout: SLOW }, () => {
    const args = ['run', '--strategy', 'buy-and-hold', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY', '--start', '2010-01-01', '--end', '2012-12-31'];
    const m = JSON.parse(cli(...args, '--json').stdout).metrics;
    const table = cli(...args).stdout;
    const cell = (label: string) => new RegExp(`^${label}\\s+(\\S+)$`, 'm').exec(table)?.[1];
    expect(cell('total return')).toBe(`${(m.totalReturn * 100).toFixed(2)}%`);
    expect(cell('max drawdown')).toBe(`${(m.maxDrawdown * 100).toFixed(2)}%`);
    expect(cell('exposure')).toBe(`${(m.exposure * 100).toFixed(2)}%`);
    expect(cell('Sharpe')).not.toContain('%');
  });
});

describe('import, generate, datasets, sweep', () => {
  it('imports a Yahoo CSV, refuses a second import without --replace, and lists it', { timeout: SLOW }, () => {
    const csv = join(dir, 'acme.csv');
    writeFileSync(csv, 'Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10.5,12,10,11.5,11.5,200\n');
    const first = cli('import', csv, '--dataset', 'mine', '--symbol', 'ACME', '--period', 'DAY');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported 2 DAY bars of ACME into mine (2021-01-04 .. 2021-01-05)');
    const again = cli('import', csv, '--dataset', 'mine', '--symbol', 'ACME', '--period', 'DAY');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('use --replace to overwrite them');
    expect(cli('import', csv, '--dataset', 'mine', '--symbol', 'ACME', '--period', 'DAY', '--replace').code).toBe(0);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,open,high,low,close,adjclose,volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10.5,9,10,9.5,9.5,200\n');
    const refused = cli('import', bad, '--dataset', 'mine', '--symbol', 'BAD', '--period', 'DAY');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('backtest: line 3: high 9 < low 10\n');
    const listed = cli('datasets').stdout;
    expect(listed).toMatch(/mine\s+mine\s+ACME\s+DAY\s+2021-01-04\s+2021-01-05\s+2/);
    expect(listed).not.toContain('BAD');
  });

  it('Yahoo null rows: refused by default naming the line, skipped and reported with --on-invalid skip (any case)', { timeout: SLOW }, () => {
    const csv = join(dir, 'holidays.csv');
    writeFileSync(
      csv,
      [
        'Date,Open,High,Low,Close,Adj Close,Volume',
        '2020-04-09,2776.989990,2818.570068,2762.360107,2789.820068,2789.820068,7880140000',
        '2020-04-10,null,null,null,null,null,null',
        '2020-04-13,2782.459961,2782.459961,2721.169922,2761.629883,2761.629883,5274310000',
        '2020-05-25,null,null,null,null,null,null',
        '2020-05-26,2993.340088,3021.719971,2988.169922,2991.770020,2991.770020,5837060000',
      ].join('\n'),
    );
    const refused = cli('import', csv, '--dataset', 'yahoo', '--symbol', 'SPX', '--period', 'day');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('backtest: line 3: no prices (open, high, low, close are null or empty); --on-invalid skip skips such rows\n');
    const skipped = cli('import', csv, '--dataset', 'yahoo', '--symbol', 'SPX', '--period', 'day', '--on-invalid', 'SKIP');
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('imported 3 DAY bars of SPX into yahoo (2020-04-09 .. 2020-05-26)');
    expect(skipped.stdout).toContain('skipped 2 rows without prices (lines 3, 5)');
  });

  it('hourly bars imported as DAY are refused naming the line; --timezone converts to UTC', { timeout: SLOW }, () => {
    const csv = join(dir, 'hourly.csv');
    writeFileSync(csv, 'ts,o,h,l,c\n2021-03-12 15:00,10,11,9,10\n2021-03-12 16:00,10,11,9,10\n2021-03-15 15:00,10,11,9,10\n');
    const generic = ['--format', 'generic', '--columns', 'TIME=ts,open=o,high=h,low=l,close=c', '--symbol', 'H'];
    const asDay = cli('import', csv, '--dataset', 'hours', '--period', 'DAY', ...generic);
    expect(asDay.code).toBe(1);
    expect(asDay.stderr).toContain("line 3: timestamp '2021-03-12 16:00' is on the same UTC day as line 2");
    // New York: 15:00 EST (UTC-5) is 20:00Z; after the 2021-03-14 change 15:00 EDT (UTC-4) is 19:00Z.
    const local = cli('import', csv, '--dataset', 'hours', '--period', 'hour', '--timezone', 'America/New_York', ...generic);
    expect(local.stderr).toBe('');
    expect(local.stdout).toContain('imported 3 HOUR bars of H into hours (2021-03-12T20:00:00Z .. 2021-03-15T19:00:00Z)');
  });

  it('datasets rename and delete; delete is refused while a run on the dataset is running', { timeout: SLOW }, () => {
    const csv = join(dir, 'acme.csv');
    expect(cli('import', csv, '--dataset', 'doomed', '--symbol', 'ACME', '--period', 'DAY').code).toBe(0);
    const renamed = cli('datasets', 'rename', 'doomed', 'Doomed data, 2021');
    expect(renamed.stdout).toBe('renamed dataset doomed: "doomed" -> "Doomed data, 2021"\n');
    expect(cli('datasets').stdout).toMatch(/doomed\s+Doomed data, 2021\s+ACME\s+DAY/);

    // A run on the dataset, RUNNING as far as the database knows (as when the service runs it).
    const app = openDatabase(env.DATABASE_PATH);
    let runId: number;
    try {
      const run = createRun(app, { strategy: 'buy-and-hold', params: { quantity: 1 }, symbols: ['ACME'], dataset: 'doomed', period: 'DAY', initialCash: 1000, commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0 });
      runId = run.id;
      markRunStarted(app, runId);
    } finally {
      app.close();
    }
    const refused = cli('datasets', 'delete', 'doomed');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`backtest: dataset doomed is in use by run ${runId} (queued or running); wait for them to finish or cancel them first\n`);
    expect(cli('datasets').stdout).toContain('doomed');

    const again = openDatabase(env.DATABASE_PATH);
    try {
      finishRun(again, runId, { status: 'CANCELLED' });
    } finally {
      again.close();
    }
    const deleted = cli('datasets', 'delete', 'doomed');
    expect(deleted.stdout).toBe('deleted dataset doomed (Doomed data, 2021): 1 symbol, 2 bars\n');
    expect(cli('datasets').stdout).not.toContain('doomed');
  });

  it('generates synthetic bars and runs a sweep over them; the sweep table prints percent like the run table', { timeout: SLOW }, () => {
    expect(cli('generate', '--dataset', 'sim', '--symbols', 'X,Y', '--period', 'minute', '--bars', '5000', '--seed', '7').code).toBe(0);
    const args = ['sweep', '--strategy', 'sma-crossover', '--dataset', 'sim', '--symbols', 'X,Y', '--period', 'MINUTE', '--grid', 'fastPeriod=5:15:5', '--grid', 'slowPeriod=30,60', '--keep-top', '1'];
    const r = cli(...args, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sweep).toMatchObject({ status: 'COMPLETED', total: 6, completed: 6, skipped: 0 });
    expect(doc.results[0].runId).not.toBeNull();
    const sharpes = doc.results.map((x: any) => x.objectiveValue);
    expect([...sharpes].sort((a, b) => b - a)).toEqual(sharpes);

    const table = cli(...args, '--grid', 'entry=market,LIMIT', '--objective', 'TotalReturn').stdout;
    const lines = table.trim().split('\n');
    expect(lines[1]).toMatch(/^#\s+fastPeriod\s+slowPeriod\s+entry\s+totalReturn\s+maxDrawdown\s+trades\s+run$/);
    // Compare every printed row with the stored results of that sweep (the newest), read directly.
    const app = openDatabase(env.DATABASE_PATH);
    try {
      const sweepId = Number(/^sweep (\d+):/.exec(lines[0]!)![1]);
      const stored = getBestSweepResults(app, getSweep(app, sweepId)!, 12);
      expect(lines).toHaveLength(3 + 10); // --top defaults to 10 rows
      stored.slice(0, 10).forEach((res, k) => {
        const cells = lines[k + 3]!.trim().split(/\s+/);
        expect(cells.slice(1, 4)).toEqual([String(res.params.fastPeriod), String(res.params.slowPeriod), String(res.params.entry)]);
        expect(cells[4]).toBe(`${(res.metrics.totalReturn * 100).toFixed(2)}%`);
        expect(cells[5]).toBe(`${(res.metrics.maxDrawdown * 100).toFixed(2)}%`);
      });
    } finally {
      app.close();
    }
  });
});

describe('the bin', () => {
  const bin = join(REPO_ROOT, 'bin', 'backtest.js');
  beforeAll(ensureBuilt, 600_000);
  const sh = (command: string) => spawnSync('sh', ['-c', command], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  const parse = `node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Array.isArray(d) ? d.length : Object.keys(d).join(","))'`;

  it('--json output pipes into JSON.parse (run, through node bin/backtest.js)', { timeout: SLOW }, () => {
    const r = sh(`node ${bin} run --strategy buy-and-hold --dataset demo --symbols SPX --period DAY --end 2001-12-31 --json | ${parse}`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('run,metrics,analytics,fills,roundTrips');
  });

  it('--json output pipes into JSON.parse through npx backtest, with nothing else on stdout', { timeout: SLOW }, () => {
    const r = sh(`npx --no-install backtest datasets --json | ${parse}`);
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim())).toBeGreaterThanOrEqual(2);
  });

  it('passes the exit code and --version through', { timeout: SLOW }, () => {
    const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
    const v = spawnSync(process.execPath, [bin, '--version'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    expect(v.stdout).toBe(`${version}\n`);
    expect(v.status).toBe(0);
    const bad = spawnSync(process.execPath, [bin, 'run', '--cash', '-5'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('backtest: --cash: expected a number > 0, got "-5"\n');
  });
});
