/**
 * `backtest run` ends with the headline tearsheet, and `run --json` carries `analytics`: checked on
 * the reference run against identities that hold by definition (docs/CONVENTIONS.md "Analytics"):
 * monthly returns compound to the total return, the deepest drawdown episode is maxDrawdown, the
 * trade statistics count the round trips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunAnalytics } from '../src/analytics/load-run-analytics.js';
import { analyticsJson, tearsheetTable } from '../src/cli/tearsheet.js';
import { openDatabase } from '../src/data/db.js';
import { SqliteStorage } from '../src/data/sqlite-storage.js';
import { getRun } from '../src/data/run-store.js';
import { REPO_ROOT } from './support/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'backtest-tearsheet-'));
const env = { ...process.env, DATABASE_PATH: join(dir, 't.db'), STRATEGIES_DIR: join(dir, 'none') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REFERENCE_RUN = ['run', '--strategy', 'sma-crossover', '--dataset', 'demo', '--symbols', 'SPX', '--period', 'DAY', '--param', 'fastPeriod=50', '--param', 'slowPeriod=200', '--param', 'quantity=10', '--commission-per-unit', '0.005', '--commission-min', '1'];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('backtest run: tearsheet', () => {
  it('--json carries analytics consistent with the metrics', () => {
    const out = cli(...REFERENCE_RUN, '--benchmark', 'demo/SPX', '--json');
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout);
    const a = doc.analytics;
    const compounded = (a.monthlyReturns as { return: number }[]).reduce((g, m) => g * (1 + m.return), 1) - 1;
    expect(Math.abs(compounded - doc.metrics.totalReturn)).toBeLessThan(1e-9);
    expect(Math.abs(a.drawdowns[0].depth - doc.metrics.maxDrawdown)).toBeLessThan(1e-12);
    expect(a.trades.trades).toBe(doc.metrics.trades);
    expect(a.benchmark).toMatchObject({ dataset: 'demo', symbol: 'SPX', beta: expect.any(Number), correlation: expect.any(Number) });
    // SPX buy-and-hold from the first close (1455.219971 on 2000-01-03) to the last (2874.560059 on 2020-04-17).
    expect(a.benchmark.totalReturn).toBeCloseTo(2874.560059 / 1455.219971 - 1, 9);
    expect(a.monthlyReturns[0]).toMatchObject({ year: 2000, month: 1, partial: expect.any(Boolean) });
  });

  it('the table shows the headline analytics in percent', () => {
    const out = cli(...REFERENCE_RUN);
    expect(out.code).toBe(0);
    for (const label of ['Calmar', 'VaR 95%', 'SQN', 'drawdown 1', 'yearly returns']) expect(out.stdout).toContain(label);
    expect(out.stdout).toMatch(/drawdown 1\s+9\.43% 2020-02-19 -> 2020-03-23, not recovered/);
  });

  it('computed from the run in memory, equals the analytics of the stored run read back', async () => {
    // The command takes the curve, fills and round trips it has just stored from memory; the
    // service reads them from the database. Both must give the same numbers, bit for bit.
    const json = JSON.parse(cli(...REFERENCE_RUN, '--benchmark', 'demo/SPX', '--json').stdout);
    const table = cli(...REFERENCE_RUN, '--benchmark', 'demo/SPX');
    expect(table.code).toBe(0);
    const tableRunId = Number(/^run\s+(\d+) \(COMPLETED\)$/m.exec(table.stdout)?.[1]);
    const app = openDatabase(env.DATABASE_PATH);
    try {
      const stored = async (id: number) => (await readRunAnalytics(new SqliteStorage(app), getRun(app, id)!))!;
      expect(json.analytics).toEqual(JSON.parse(JSON.stringify(analyticsJson(await stored(json.run.id)))));
      expect(table.stdout).toContain(`\n${tearsheetTable(await stored(tableRunId))}\n`);
    } finally {
      app.close();
    }
  });

  it('a large run (250,000 minute bars) prints what the stored run reads back', { timeout: 300_000 }, async () => {
    const LARGE_RUN = ['run', '--strategy', 'sma-crossover', '--dataset', 'synthetic', '--symbols', 'AAA', '--period', 'MINUTE'];
    const json = cli(...LARGE_RUN, '--json');
    const table = cli(...LARGE_RUN);
    for (const r of [json, table]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const doc = JSON.parse(json.stdout);
    expect(doc.run.barsProcessed).toBe(250_000);
    const tableRunId = Number(/^run\s+(\d+) \(COMPLETED\)$/m.exec(table.stdout)?.[1]);
    const app = openDatabase(env.DATABASE_PATH);
    try {
      const stored = async (id: number) => (await readRunAnalytics(new SqliteStorage(app), getRun(app, id)!))!;
      expect(doc.analytics).toEqual(JSON.parse(JSON.stringify(analyticsJson(await stored(doc.run.id)))));
      expect(table.stdout).toContain(`\n${tearsheetTable(await stored(tableRunId))}\n`);
    } finally {
      app.close();
    }
  });

  it('bad analytics flags exit 2 naming the flag', () => {
    const rate = cli(...REFERENCE_RUN, '--risk-free-rate', '5');
    expect(rate.code).toBe(2);
    expect(rate.stderr.trim()).toBe('backtest: --risk-free-rate: expected a number from -0.1 to 1, got "5"');
    const bench = cli(...REFERENCE_RUN, '--benchmark', 'nope/XYZ');
    expect(bench.code).toBe(2);
    expect(bench.stderr).toMatch(/^backtest: --benchmark: unknown dataset "nope"/);
  });
});
