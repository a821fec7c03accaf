/**
 * The compiled command line (dist/, what the bin and `npm start` run) still loads strategy files
 * written in TypeScript: in its main thread (`strategies`, `run`), in the pool threads (`sweep`),
 * and in the service's pool (`node dist/cli.js serve`). The file sits in a plain folder outside any
 * ESM package (tsx compiles it as CommonJS), uses type annotations, and re-implements buy-and-hold,
 * so each result must equal the built-in buy-and-hold's on the same bars.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunAnalytics } from '../src/analytics/load-run-analytics.js';
import { tearsheetTable } from '../src/cli/tearsheet.js';
import { openDatabase } from '../src/data/db.js';
import { SqliteStorage } from '../src/data/sqlite-storage.js';
import { getRun } from '../src/data/run-store.js';
import { ensureBuilt } from './support/built-cli.js';
import { postGqlOk, REPO_ROOT, seededDatabaseCopy, spawnServer, tempDir, waitFor, type ChildServer } from './support/test-server.js';

const BIN = join(REPO_ROOT, 'bin', 'backtest.js');
const work = tempDir('backtest-compiled-');
const strategiesDir = join(work.dir, 'strategies');
const env = { ...process.env, DATABASE_PATH: join(work.dir, 'cli.db'), STRATEGIES_DIR: strategiesDir, WORKERS: '2' };
const SLOW = 300_000;

const HOLD_TS = `import { defineStrategy, floatParam } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'engine', 'index.ts')).href)};

/** Buy-and-hold written again, in TypeScript: buys \`quantity\` of each symbol on its first bar. */
export const tsHold = defineStrategy({
  id: 'ts-hold',
  title: 'TypeScript hold',
  description: 'Buys a fixed quantity on the first bar of each symbol and holds it.',
  params: { quantity: floatParam({ default: 1, min: 0, minExclusive: true }) },
  create(ctx, p) {
    const bought: boolean[] = ctx.symbols.map((): boolean => false);
    return {
      onBar(bar): void {
        if (bought[bar.symbolIndex]) return;
        bought[bar.symbolIndex] = true;
        ctx.buy(bar.symbolIndex, p.quantity);
      },
    };
  },
});
`;

function bin(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work.dir, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RUN = ['--dataset', 'demo', '--symbols', 'SPX', '--period', 'day', '--start', '2010-01-01', '--end', '2012-12-31'];

/** `run --json` of the built-in buy-and-hold with this quantity: the second implementation. */
const builtinRuns = new Map<number, { metrics: Record<string, number>; fills: Array<Record<string, unknown>> }>();
function builtin(quantity: number) {
  let doc = builtinRuns.get(quantity);
  if (!doc) {
    const r = bin('run', '--strategy', 'buy-and-hold', '--param', `quantity=${quantity}`, ...RUN, '--json');
    if (r.code !== 0) throw new Error(`buy-and-hold: ${r.stderr}`);
    builtinRuns.set(quantity, (doc = JSON.parse(r.stdout)));
  }
  return doc!;
}

beforeAll(() => {
  ensureBuilt();
  mkdirSync(strategiesDir);
  writeFileSync(join(strategiesDir, 'hold.ts'), HOLD_TS);
  seededDatabaseCopy(work.dir, env.DATABASE_PATH);
}, 600_000);
afterAll(() => work.remove());

describe('the compiled CLI with a TypeScript strategy file', () => {
  it('lists it (main thread)', { timeout: SLOW }, () => {
    const r = bin('strategies', '--json');
    expect(r.stderr).toBe('');
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((s) => s.id);
    expect(ids).toContain('ts-hold');
    expect(ids).toContain('buy-and-hold');
  });

  it('runs it in process like the built-in buy-and-hold', { timeout: SLOW }, () => {
    const mine = bin('run', '--strategy', 'ts-hold', '--param', 'quantity=3', ...RUN, '--json');
    expect(mine.stderr).toBe('');
    expect(mine.code).toBe(0);
    const a = JSON.parse(mine.stdout);
    const ref = builtin(3);
    expect(a.fills.length).toBe(1);
    expect(a.fills.map((f: any) => [f.time, f.side, f.quantity, f.price])).toEqual(ref.fills.map((f: any) => [f.time, f.side, f.quantity, f.price]));
    expect(a.metrics).toEqual(ref.metrics);
  });

  it('sweeps it in the pool threads; the quantity=3 combination equals the built-in run', { timeout: SLOW }, () => {
    const r = bin('sweep', '--strategy', 'ts-hold', ...RUN, '--grid', 'quantity=1,3', '--objective', 'finalEquity', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sweep).toMatchObject({ status: 'COMPLETED', completed: 2, failed: 0 });
    const three = doc.results.find((x: any) => x.params.quantity === 3);
    expect(three.metrics).toEqual(builtin(3).metrics);
  });
});

describe('the compiled CLI on a large run', () => {
  it('prints the tearsheet of the stored run (from the results in memory), nothing on stderr', { timeout: SLOW }, async () => {
    // 250,000 minute bars.
    const r = bin('run', '--strategy', 'sma-crossover', '--dataset', 'synthetic', '--symbols', 'AAA', '--period', 'minute');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = Number(/^run\s+(\d+) \(COMPLETED\)$/m.exec(r.stdout)?.[1]);
    const app = openDatabase(env.DATABASE_PATH);
    try {
      expect(r.stdout).toContain(`\n${tearsheetTable((await readRunAnalytics(new SqliteStorage(app), getRun(app, id)!))!)}\n`);
    } finally {
      app.close();
    }
  });
});

describe('`node dist/cli.js serve` (npm start) with a TypeScript strategy file', () => {
  let server: ChildServer | undefined;
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('runs it in a pool thread like the built-in buy-and-hold', { timeout: SLOW }, async () => {
    const expected = builtin(2).metrics;
    server = await spawnServer(
      { DATABASE_PATH: seededDatabaseCopy(work.dir, join(work.dir, 'serve.db')), STRATEGIES_DIR: strategiesDir },
      120_000,
      ['dist/cli.js', 'serve'],
    );
    const url = server.url;
    const started = await postGqlOk<{ runBacktest: { id: string } }>(
      url,
      `mutation { runBacktest(input: { strategy: "ts-hold", params: { quantity: 2 }, dataset: "demo", symbols: ["SPX"], period: DAY, start: "2010-01-01", end: "2012-12-31" }) { id } }`,
    );
    const id = started.runBacktest.id;
    const run = await waitFor(
      async () => {
        const d = await postGqlOk<{ run: { status: string; error: string | null; metrics: Record<string, number> | null } }>(url, `query($id: ID!) { run(id: $id) { status error metrics { finalEquity totalReturn maxDrawdown trades totalCommission } } }`, { id });
        return d.run.status === 'QUEUED' || d.run.status === 'RUNNING' ? null : d.run;
      },
      { timeoutMs: 120_000, what: `run ${id} to end` },
    );
    expect(run.status, `${run.error}; ${server.output()}`).toBe('COMPLETED');
    expect(server.output()).not.toMatch(/strategy file skipped/);
    for (const k of ['finalEquity', 'totalReturn', 'maxDrawdown', 'trades', 'totalCommission']) expect(run.metrics![k], k).toBe(expected[k]);
  });
});
