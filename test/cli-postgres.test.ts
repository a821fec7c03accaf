/**
 * Every `backtest` command on PostgreSQL (DATABASE_URL), as a user runs it: the compiled bin in a
 * child process, against a real PostgreSQL 15 (test/support/postgres-server.ts). Differential: each
 * command runs the same way on an SQLite file (the embedded default, the second implementation)
 * and must answer the same, byte for byte, wall-clock times aside: import, generate, datasets
 * list/rename/delete, keys create/list/revoke, run (--json: run, metrics, fills, round trips,
 * analytics; the tables; a run whose strategy throws), sweep (results, re-runs), export (every kind
 * and format). What the Postgres commands wrote is also read back through a Storage of its own, and
 * the SQLite path they were given is never created.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/data/open-storage.js';
import type { Storage } from '../src/data/storage.js';
import { ensureBuilt } from './support/built-cli.js';
import { createDatabase, requirePostgres, startPostgres, type PostgresServer, type TestDatabase } from './support/postgres-server.js';
import { loadReference } from './support/sp500.js';
import { REPO_ROOT } from './support/test-server.js';

const BIN = join(REPO_ROOT, 'bin', 'backtest.js');
/** Each command starts a process (and run/sweep seed the demo data on first use): generous, the machine is shared. */
const SLOW = 300_000;

/** Buys on its first bar, then throws on its 60th: the run ends FAILED keeping what it did. */
const THROWING_TS = `import { defineStrategy, floatParam } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'engine', 'index.ts')).href)};

export const thrower = defineStrategy({
  id: 'thrower',
  title: 'Throws',
  description: 'Buys on the first bar and throws on the 60th.',
  params: { quantity: floatParam({ default: 3, min: 0, minExclusive: true }) },
  create(ctx, p) {
    let bars = 0;
    return {
      onBar(bar): void {
        bars++;
        if (bars === 1) ctx.buy(bar.symbolIndex, p.quantity);
        if (bars === 60) throw new Error('boom on bar 60');
      },
    };
  },
});
`;

interface Out {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Yahoo export of `days` weekdays from 2015-01-05 (a random walk of fixed seed), with one `null` row. */
function yahooCsv(days: number): string {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  let price = 100;
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0, t = Date.UTC(2015, 0, 5); i < days; t += 86_400_000) {
    const weekday = new Date(t).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const date = new Date(t).toISOString().slice(0, 10);
    if (i === 17) lines.push(`${date},null,null,null,null,null,null`);
    else {
      const open = price;
      price = Math.max(1, price * (1 + (random() - 0.5) * 0.04));
      const high = Math.max(open, price) * 1.01;
      const low = Math.min(open, price) * 0.99;
      lines.push(`${date},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${price.toFixed(4)},${price.toFixed(4)},${1000 + i}`);
    }
    i++;
  }
  return lines.join('\n') + '\n';
}

/** What differs between any two invocations: ` in 0.12 s` (import, sweep), ISO timestamps of now (keys' created/revoked), new keys' secrets. */
function withoutVarying(text: string): string {
  const thisYear = new Date().getUTCFullYear();
  return text
    .replace(/ in \d+\.\d+ s/g, ' in T s')
    .replace(new RegExp(`${thisYear}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z`, 'g'), 'NOW')
    .replace(/bt_[A-Za-z0-9_-]{43}/g, 'SECRET');
}

describe.runIf(requirePostgres())('backtest on PostgreSQL (DATABASE_URL), answering as on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-pg-'));
  const strategiesDir = join(dir, 'strategies');
  const unusedSqlite = join(dir, 'never-created.db');
  let server: PostgresServer;
  let database: TestDatabase;
  let lite: NodeJS.ProcessEnv;
  let onPg: NodeJS.ProcessEnv;
  /** The Postgres database as the service sees it, to read back what the commands stored. */
  let pgStorage: Storage;

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(strategiesDir);
    writeFileSync(join(strategiesDir, 'thrower.ts'), THROWING_TS);
    writeFileSync(join(dir, 'daily.csv'), yahooCsv(300));
    server = await startPostgres();
    database = await createDatabase(server.url);
    const common = { ...process.env, STRATEGIES_DIR: strategiesDir, WORKERS: '2' };
    // An empty DATABASE_URL counts as unset: the SQLite side stays on its file whatever the caller's environment holds.
    lite = { ...common, DATABASE_URL: '', DATABASE_PATH: join(dir, 'reference.db') };
    onPg = { ...common, DATABASE_URL: database.url, DATABASE_PATH: unusedSqlite };
    pgStorage = await openStorage({ kind: 'postgres', url: database.url });
  }, 600_000);

  afterAll(async () => {
    await pgStorage?.close();
    await database?.drop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function bin(env: NodeJS.ProcessEnv, args: readonly string[]): Out {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 240_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** The command on the SQLite file, then on Postgres (so both databases see the same sequence of commands). */
  function onBoth(...args: string[]): { lite: Out; pg: Out } {
    return { lite: bin(lite, args), pg: bin(onPg, args) };
  }

  /** Same exit code, stdout and stderr on both (times of day and secrets aside); returns the Postgres answer. */
  function same(...args: string[]): Out {
    const r = onBoth(...args);
    expect({ ...r.pg, stdout: withoutVarying(r.pg.stdout) }, args.join(' ')).toEqual({ ...r.lite, stdout: withoutVarying(r.lite.stdout) });
    return r.pg;
  }

  it('run --json on an empty database (the demo data seeded first): the reference run, its run record, metrics, fills, round trips and analytics equal to SQLite', { timeout: SLOW }, async () => {
    const args = ['run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY', '--param', 'fastPeriod=50', '--param', 'slowPeriod=200', '--param', 'quantity=10', '--commission-per-unit', '0.005', '--commission-min', '1', '--cash', '100000', '--benchmark', 'demo/SPX', '--json'];
    const r = onBoth(...args);
    expect(r.pg.stderr).toBe('');
    expect(r.pg.code).toBe(0);
    expect(r.lite.code).toBe(0);
    const [a, b] = [JSON.parse(r.lite.stdout), JSON.parse(r.pg.stdout)];
    const wallClock = ['createdAt', 'startedAt', 'finishedAt'];
    for (const k of wallClock) expect(b.run[k]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const drop = (run: Record<string, unknown>) => Object.fromEntries(Object.entries(run).filter(([k]) => !wallClock.includes(k)));
    expect(drop(b.run)).toEqual(drop(a.run));
    expect(b.run).toMatchObject({ id: '1', status: 'COMPLETED', barsProcessed: 5105 });
    expect(b.metrics).toEqual(a.metrics);
    expect(b.fills).toEqual(a.fills);
    expect(b.roundTrips).toEqual(a.roundTrips);
    expect(b.analytics).toEqual(a.analytics);
    expect(b.analytics).not.toBeNull();
    // And the run is the reference (test/fixtures), so neither side is merely equal to a wrong other.
    const ref = loadReference();
    expect(b.fills.map((f: any) => ({ date: f.time.slice(0, 10), side: f.side, quantity: f.quantity, price: f.price, commission: f.commission }))).toEqual(ref.fills);
    // Stored in Postgres like the service stores it.
    expect(await pgStorage.getRun(1)).toMatchObject({ status: 'COMPLETED', strategy: 'sma-crossover', barsProcessed: 5105 });
    expect((await pgStorage.getFills(1)).totalCount).toBe(b.fills.length);
    expect((await pgStorage.getEquityCurve(1))?.length).toBe(5105);
  });

  it('import: a Yahoo CSV stored, the same refusals (bars exist, a null row)', { timeout: SLOW }, async () => {
    const refused = same('import', 'daily.csv', '--dataset', 'mydata', '--symbol', 'ACME', '--period', 'day');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^backtest: line 19: .*--on-invalid skip skips such rows\n$/);
    const imported = same('import', 'daily.csv', '--dataset', 'mydata', '--symbol', 'ACME', '--period', 'day', '--on-invalid', 'skip');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported 299 DAY bars of ACME into mydata \(2015-01-05 \.\. 2016-02-26\) in \d+\.\d\d s\nskipped 1 row without prices \(line 19\)\n$/);
    const again = same('import', 'daily.csv', '--dataset', 'mydata', '--symbol', 'ACME', '--period', 'day', '--on-invalid', 'skip');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('use --replace');
    expect(same('import', 'daily.csv', '--dataset', 'mydata', '--symbol', 'ACME', '--period', 'day', '--on-invalid', 'skip', '--replace').code).toBe(0);
    const stored = await pgStorage.getCoverage({ dataset: 'mydata', symbol: 'ACME', period: 'DAY' });
    expect(stored).toMatchObject({ bars: 299, first: Date.UTC(2015, 0, 5) });
  });

  it('generate: synthetic bars stored bit for bit as on SQLite', { timeout: SLOW }, async () => {
    const out = same('generate', '--dataset', 'sim', '--symbols', 'X,Y', '--period', 'minute', '--bars', '30000', '--seed', '7');
    expect(out.stdout).toBe('generated 30,000 MINUTE bars of X in sim (seed 7)\ngenerated 30,000 MINUTE bars of Y in sim (seed 8)\n');
    expect(same('generate', '--dataset', 'scratch', '--symbols', 'Z', '--period', 'day', '--bars', '500').code).toBe(0);
    expect(same('generate', '--dataset', 'sim', '--symbols', 'X', '--period', 'minute', '--bars', '10').code).toBe(1);
    // The Postgres bars against the SQLite file's, through a Storage each.
    const reference = await openStorage({ kind: 'sqlite', path: lite.DATABASE_PATH! });
    try {
      for (const symbol of ['X', 'Y']) {
        const key = { dataset: 'sim', symbol, period: 'MINUTE' as const };
        const [a, b] = [await pgStorage.loadBars(key), await reference.loadBars(key)];
        expect(a.length).toBe(30_000);
        for (const column of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Buffer.from(a[column].buffer, a[column].byteOffset, a[column].byteLength)).toEqual(Buffer.from(b[column].buffer, b[column].byteOffset, b[column].byteLength));
      }
    } finally {
      await reference.close();
    }
  });

  it('keys: create, list, revoke; the same refusals; the keys live in Postgres', { timeout: SLOW }, async () => {
    const created = onBoth('keys', 'create', '--name', 'alice', '--role', 'run', '--json');
    expect(created.pg.code).toBe(0);
    const [a, b] = [JSON.parse(created.lite.stdout), JSON.parse(created.pg.stdout)];
    expect({ ...b, secret: 'S', createdAt: 'T' }).toEqual({ ...a, secret: 'S', createdAt: 'T' });
    expect(b).toMatchObject({ id: 1, name: 'alice', role: 'run', revokedAt: null });
    const bob = same('keys', 'create', '--name', 'bob', '--role', 'read');
    expect(bob.stdout).toMatch(/^created key bob \(role read\); its secret, shown only now:\nbt_/);
    const duplicate = same('keys', 'create', '--name', 'alice');
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('--name: a key named alice exists already');
    expect(same('keys', 'create', '--name', 'has space').code).toBe(2);
    expect(same('keys', 'revoke', 'alice').stdout).toBe('revoked key alice (id 1)\n');
    expect(same('keys', 'revoke', 'nobody').code).toBe(2);
    const listed = same('keys', 'list', '--json');
    expect(JSON.parse(listed.stdout).map((k: { name: string; revokedAt: string | null }) => [k.name, k.revokedAt !== null])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
    expect(same('keys', 'list').stdout).toMatch(/^id +name +role/);
    expect(await pgStorage.findActiveKey(b.secret)).toBeNull(); // revoked
    expect(await pgStorage.findActiveKey(bob.stdout.trim().split('\n')[1]!)).toMatchObject({ name: 'bob', role: 'read' });
  });

  it('run: the tables (summary and tearsheet) on two minute-bar symbols; a throwing strategy ends FAILED with its partial results; bad flags', { timeout: SLOW }, () => {
    const table = same('run', '--strategy', 'sma-crossover', '--dataset', 'sim', '--symbols', 'X,Y', '--period', 'minute', '--param', 'fastPeriod=20', '--param', 'slowPeriod=90');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^metric +value\n/);
    expect(table.stdout).toContain('run                    2 (COMPLETED)');
    expect(table.stdout).toMatch(/^fills +[1-9]/m);
    expect(table.stdout).toMatch(/\n\nanalytics +value\n/); // the tearsheet after the summary
    const failed = same('run', '--strategy', 'thrower', '--dataset', 'mydata', '--symbols', 'ACME', '--period', 'day', '--json');
    expect(failed.code).toBe(1);
    const doc = JSON.parse(failed.stdout);
    expect(doc.run).toMatchObject({ id: '3', status: 'FAILED', error: 'boom on bar 60', barsProcessed: 59 });
    expect(doc.fills).toHaveLength(1);
    const refused = same('run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY', '--param', 'fastPeriod=300');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--param slowPeriod: must be greater than fastPeriod');
    expect(same('run', '--strategy', 'buy-and-hold', '--dataset', 'nope', '--symbols', 'SPX', '--period', 'DAY').code).toBe(2);
  });

  it('sweep --json: every result and the re-runs of the best equal to SQLite', { timeout: SLOW }, async () => {
    const args = ['sweep', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY', '--grid', 'fastPeriod=10:50:10', '--grid', 'slowPeriod=100,200', '--keep-top', '2', '--top', '10', '--json'];
    const r = onBoth(...args);
    expect(r.pg.stderr).toBe('');
    expect(r.pg.code).toBe(0);
    const [a, b] = [JSON.parse(r.lite.stdout), JSON.parse(r.pg.stdout)];
    const wallClock = ['createdAt', 'startedAt', 'finishedAt'];
    for (const k of wallClock) expect(typeof b.sweep[k]).toBe('number');
    const drop = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => !wallClock.includes(k)));
    expect(drop(b.sweep)).toEqual(drop(a.sweep));
    expect(b.sweep).toMatchObject({ id: '1', status: 'COMPLETED', total: 10, completed: 10 });
    expect(b.results).toEqual(a.results);
    expect(b.results).toHaveLength(10);
    // The best two were re-run as full runs (ids after the four runs above), stored in Postgres.
    const rerun = b.results.filter((x: { runId: string | null }) => x.runId !== null);
    expect(rerun.map((x: { runId: string }) => x.runId).sort()).toEqual(['4', '5']);
    for (const x of rerun) {
      const run = await pgStorage.getRun(Number(x.runId));
      expect(run).toMatchObject({ status: 'COMPLETED', params: expect.objectContaining(x.params) });
      expect(run!.metrics).toEqual(x.metrics);
    }
    const table = same('sweep', '--strategy', 'sma-crossover', '--dataset', 'sim', '--symbols', 'X', '--period', 'minute', '--grid', 'fastPeriod=5,10', '--grid', 'slowPeriod=30,60', '--objective', 'totalreturn');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^sweep 2: COMPLETED in \d+\.\d s, 4 run, 0 skipped, 0 failed of 4; maximizing totalReturn\n/);
  });

  it('export: every kind and format byte for byte as from SQLite, to stdout and to a file', { timeout: SLOW }, () => {
    const bytes = (env: NodeJS.ProcessEnv, args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, timeout: 240_000 });
    for (const what of ['fills', 'orders', 'round-trips', 'equity']) {
      for (const format of ['csv', 'json']) {
        const args = ['export', '1', '--what', what, '--format', format];
        const [a, b] = [bytes(lite, args), bytes(onPg, args)];
        expect(b.status, `${what} ${format}: ${b.stderr}`).toBe(0);
        expect(b.stdout.length, `${what} ${format}`).toBeGreaterThan(100);
        expect(b.stdout.equals(a.stdout), `${what} ${format}`).toBe(true);
      }
    }
    mkdirSync(join(dir, 'lite'));
    mkdirSync(join(dir, 'pg'));
    const toFile = (env: NodeJS.ProcessEnv, sub: string) => bin(env, ['export', '3', '--what', 'equity', '--format', 'json', '--out', join(dir, sub, 'equity.json')]);
    const [a, b] = [toFile(lite, 'lite'), toFile(onPg, 'pg')];
    expect(b).toEqual({ code: 0, stdout: '', stderr: `wrote run 3 equity as JSON to ${join(dir, 'pg', 'equity.json')}\n` });
    expect(a.code).toBe(0);
    expect(readFileSync(join(dir, 'pg', 'equity.json')).equals(readFileSync(join(dir, 'lite', 'equity.json')))).toBe(true);
    const missing = same('export', '99', '--what', 'fills');
    expect(missing.code).toBe(2);
  });

  it('datasets: list (table and JSON), rename and delete as on SQLite; the SQLite path given alongside was never created', { timeout: SLOW }, async () => {
    const listed = same('datasets', '--json');
    expect(JSON.parse(listed.stdout).map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining(['demo', 'mydata', 'scratch', 'sim', 'synthetic']));
    same('datasets');
    expect(same('datasets', 'rename', 'mydata', 'ACME daily, from Yahoo').stdout).toBe('renamed dataset mydata: "mydata" -> "ACME daily, from Yahoo"\n');
    expect(same('datasets', 'delete', 'scratch').stdout).toBe('deleted dataset scratch (scratch): 1 symbol, 500 bars\n');
    expect(same('datasets', 'delete', 'scratch').code).toBe(2);
    expect(same('datasets', 'rename', 'mydata', ' ').code).toBe(2);
    const after = await pgStorage.listDatasets();
    expect(after.find((d) => d.id === 'mydata')?.name).toBe('ACME daily, from Yahoo');
    expect(after.map((d) => d.id)).not.toContain('scratch');
    expect(after.map((d) => d.id)).toContain('sim');
    expect(same('datasets').stdout).toContain('ACME daily, from Yahoo');
    expect(existsSync(unusedSqlite)).toBe(false);
  });
});
