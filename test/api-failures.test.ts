/**
 * Things going wrong: a strategy that throws mid-run, strategy files that cannot be loaded (at
 * start-up, or only in the pool threads), the `backtest` bin with a strategy folder outside the
 * project, the server process killed during a run (a restart marks it interrupted), a SIGTERM
 * (runs that fit the grace period finish, then the process exits 0), and stop() after its grace
 * period (running runs cancelled with partial results, queued ones cancelled).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_STRATEGIES,
  REPO_ROOT,
  RUN_FIELDS,
  postGqlOk,
  seededChildDatabase,
  spawnServer,
  startServer,
  tempDir,
  waitFor,
  type ChildServer,
  type RunView,
  type TestServer,
} from './support/test-server.js';
import { ensureBuilt } from './support/built-cli.js';

const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { ${RUN_FIELDS} } }`;
const SPX = { symbols: ['SPX'], period: 'DAY', dataset: 'demo' };
const SMA_SPX = { strategy: 'sma-crossover', params: { fastPeriod: 50, slowPeriod: 200, quantity: 10 }, ...SPX };
const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED'];
const SYNTHETIC_ALL = { symbols: ['AAA', 'BBB', 'CCC', 'DDD'], period: 'MINUTE', dataset: 'synthetic' };

async function runOver(url: string, input: object): Promise<RunView> {
  return (await postGqlOk(url, RUN_BACKTEST, { input })).runBacktest;
}
async function readRun(url: string, id: string, extra = ''): Promise<(RunView & Record<string, any>) | null> {
  return (await postGqlOk(url, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} ${extra} } }`, { id })).run;
}
function waitStatus(url: string, id: string, statuses: readonly string[], minBars = -1, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const r = await readRun(url, id);
      return r && statuses.includes(r.status) && r.barsProcessed > minBars ? r : null;
    },
    { what: `run ${id} to be ${statuses.join('/')}`, timeoutMs },
  );
}

describe('a strategy that throws', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ strategiesDir: FIXTURE_STRATEGIES, workers: 2 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('ends FAILED with its message and what it did so far; the pool keeps serving ordinary runs', async () => {
    // More failing runs than threads, so every thread sees a failure.
    const failing = await Promise.all([1, 2, 3].map(() => runOver(server.url, { strategy: 'throws', ...SPX })));
    const statuses = await Promise.all(
      failing.map((r) => server.subscribe<{ runStatus: { status: string; barsProcessed: number } }>(`subscription($id: ID!) { runStatus(id: $id) { status barsProcessed } }`, { id: r.id })),
    );
    for (const s of statuses) {
      expect(s.errors).toEqual([]);
      expect(s.events.at(-1)?.runStatus.status).toBe('FAILED');
    }
    for (const f of failing) {
      const r = await readRun(server.url, f.id, 'metrics { trades } fills { totalCount edges { node { time side quantity } } } equityCurve { time }');
      expect(r).toMatchObject({ status: 'FAILED', error: 'boom at bar 100', metrics: null });
      expect(r!.startedAt).not.toBeNull();
      expect(r!.finishedAt).not.toBeNull();
      // The buy submitted on bar 10 (2000-01-18) filled on bar 11 (2000-01-19), before the strategy threw.
      expect(r!.fills.totalCount).toBe(1);
      expect(r!.fills.edges[0].node).toEqual({ time: '2000-01-19T00:00:00.000Z', side: 'BUY', quantity: 1 });
      expect(r!.progress).toBeLessThan(1);
    }
    const failed = await server.gqlOk(`{ runs(status: FAILED) { totalCount } }`);
    expect(failed.runs.totalCount).toBe(3);

    // Ordinary runs afterwards, on every thread.
    const ok = await Promise.all([1, 2, 3].map(() => runOver(server.url, SMA_SPX)));
    for (const r of ok) {
      const done = await waitStatus(server.url, r.id, ENDED);
      expect(done).toMatchObject({ status: 'COMPLETED', error: null, barsProcessed: 5105, progress: 1 });
      const d = await readRun(server.url, r.id, 'metrics { trades totalCommission } fills { totalCount }');
      expect(d!.metrics.trades).toBe(9);
      expect(d!.fills.totalCount).toBe(18);
    }
  });

  it('the error position follows the failAt parameter (the message is the strategy\'s own)', async () => {
    const r = await runOver(server.url, { strategy: 'throws', params: { failAt: 7 }, ...SPX });
    const done = await waitStatus(server.url, r.id, ENDED);
    expect(done).toMatchObject({ status: 'FAILED', error: 'boom at bar 7' });
    const d = await readRun(server.url, r.id, 'fills { totalCount }');
    expect(d!.fills.totalCount).toBe(0); // it threw before its buy on bar 10
  });
});

describe('a worker thread that dies', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ strategiesDir: FIXTURE_STRATEGIES, workers: 2 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('fails its run, is replaced, and the pool keeps serving', async () => {
    const dying = await Promise.all([1, 2].map(() => runOver(server.url, { strategy: 'kills-thread', ...SPX })));
    for (const run of dying) {
      const ended = await waitStatus(server.url, run.id, ENDED);
      expect(ended.status).toBe('FAILED');
      expect(ended.error).toMatch(/worker failed/);
    }
    // Both original threads died; the replacements run ordinary work to the end.
    const ok = await Promise.all([1, 2, 3].map(() => runOver(server.url, SMA_SPX)));
    for (const run of ok) {
      const done = await waitStatus(server.url, run.id, ENDED);
      expect(done.status).toBe('COMPLETED');
      expect(done.barsProcessed).toBe(5105);
    }
  });
});

describe('broken strategy files', () => {
  it('are reported in strategyProblems and skipped; the server starts and serves the good ones', async () => {
    const server = await startServer({ strategiesDir: FIXTURE_STRATEGIES });
    try {
      expect(server.app.strategyProblems).toHaveLength(1);
      expect(server.app.strategyProblems[0]).toContain(join(FIXTURE_STRATEGIES, 'broken-at-import.ts'));
      expect(server.app.strategyProblems[0]).toContain('fixture: broken strategy module');
      const d = await server.gqlOk(`{ strategies { id } }`);
      const ids = d.strategies.map((s: { id: string }) => s.id);
      expect(ids).toEqual(expect.arrayContaining(['sma-crossover', 'slow', 'throws']));
      expect(ids).not.toContain('never-registered');
    } finally {
      await server.stop();
    }
  });

  it('a syntax error, a file without a strategy and a duplicate id are each reported; a good file next to them works', async () => {
    const dir = tempDir('backtest-strategies-');
    const engine = pathToFileURL(join(REPO_ROOT, 'src', 'engine', 'index.ts')).href;
    // An ESM package, like the project itself (see the bin test below for a folder without one).
    writeFileSync(join(dir.dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir.dir, 'a-syntax-error.ts'), 'export const oops = defineStrategy({ id: "oops", \n');
    writeFileSync(join(dir.dir, 'b-no-strategy.ts'), 'export const answer = 42;\n');
    writeFileSync(
      join(dir.dir, 'c-duplicate.ts'),
      `import { defineStrategy } from ${JSON.stringify(engine)};
export const dup = defineStrategy({ id: 'sma-crossover', title: 'Dup', description: 'Clashes with a built-in.', params: {}, create: () => ({ onBar() {} }) });\n`,
    );
    writeFileSync(
      join(dir.dir, 'd-good.ts'),
      `import { defineStrategy, intParam } from ${JSON.stringify(engine)};
export const buyOnce = defineStrategy({
  id: 'buy-once',
  title: 'Buy once',
  description: 'Buys qty units on bar 5 and holds.',
  params: { qty: intParam({ default: 3, min: 1 }) },
  create: (ctx, p) => ({ onBar(bar) { if (bar.index === 5) ctx.buy(bar.symbolIndex, p.qty); } }),
});\n`,
    );
    const server = await startServer({ strategiesDir: dir.dir });
    try {
      const problems = server.app.strategyProblems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toContain('a-syntax-error.ts');
      expect(problems[1]).toContain('b-no-strategy.ts');
      expect(problems[1]).toContain('exports no strategy');
      expect(problems[2]).toContain('c-duplicate.ts');
      expect(problems[2]).toContain('already registered');

      const d = await server.gqlOk(`{ strategy(id: "buy-once") { id params { name ... on IntParam { default min } } } }`);
      expect(d.strategy).toEqual({ id: 'buy-once', params: [{ name: 'qty', default: 3, min: 1 }] });
      // The pool threads load the same files: the user strategy runs there.
      const r = await runOver(server.url, { strategy: 'buy-once', params: { qty: 2 }, ...SPX, end: '2000-03-31' });
      const done = await waitStatus(server.url, r.id, ENDED);
      expect(done.status, done.error ?? '').toBe('COMPLETED');
      const f = await readRun(server.url, r.id, 'fills { edges { node { time side quantity } } }');
      expect(f!.fills.edges.map((e: { node: unknown }) => e.node)).toEqual([{ time: '2000-01-11T00:00:00.000Z', side: 'BUY', quantity: 2 }]);
    } finally {
      await server.stop();
      dir.remove();
    }
  });
});

describe('strategies the pool threads cannot load', () => {
  it('a run whose strategy is missing in the pool thread ends FAILED (not QUEUED forever); the pool keeps serving', async () => {
    // The server registers the file at start-up; the pool threads read the folder only on their
    // first task. Removing the file in between makes the thread refuse the task.
    const dir = tempDir('backtest-strategies-');
    const engine = pathToFileURL(join(REPO_ROOT, 'src', 'engine', 'index.ts')).href;
    writeFileSync(join(dir.dir, 'package.json'), '{ "type": "module" }\n');
    const file = join(dir.dir, 'vanishing.ts');
    writeFileSync(
      file,
      `import { defineStrategy } from ${JSON.stringify(engine)};
export const vanishing = defineStrategy({ id: 'vanishing', title: 'Vanishing', description: 'Removed after start-up.', params: {}, create: () => ({ onBar() {} }) });\n`,
    );
    const server = await startServer({ strategiesDir: dir.dir, workers: 1 });
    try {
      expect(server.app.strategyProblems).toEqual([]);
      rmSync(file);
      const r = await runOver(server.url, { strategy: 'vanishing', ...SPX });
      const status = await server.subscribe<{ runStatus: { status: string } }>(`subscription($id: ID!) { runStatus(id: $id) { status } }`, { id: r.id }, { timeoutMs: 15_000 });
      const stored = await readRun(server.url, r.id);
      // The same (only) pool thread runs the next run.
      const next = await runOver(server.url, SMA_SPX);
      const done = await waitStatus(server.url, next.id, ENDED, -1, 15_000);
      expect(done.status).toBe('COMPLETED');

      expect(status.events.at(-1)?.runStatus.status, 'last runStatus event').toBe('FAILED');
      expect(stored?.status, 'stored status').toBe('FAILED');
      expect(stored?.error).toMatch(/vanishing/);
      expect(stored?.finishedAt).not.toBeNull();
    } finally {
      await server.stop();
      dir.remove();
    }
  });
});

describe('server processes: the bin, a kill, a graceful stop', () => {
  const dirs: { remove(): void }[] = [];
  const children: ChildServer[] = [];
  // The children start on copies of one seeded database (seeding again finds the data and skips).
  const template = tempDir();
  dirs.push(template);
  const seededDb = (dir: string, name: string) => seededChildDatabase(template.dir, dir, name);
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    for (const d of dirs) d.remove();
  });

  it('`backtest serve` (bin/backtest.js) loads a .ts strategy from a folder outside any ESM package, as `npm start` does', async () => {
    ensureBuilt(); // the bin runs dist/
    const dir = tempDir('backtest-strategies-');
    const engine = pathToFileURL(join(REPO_ROOT, 'src', 'engine', 'index.ts')).href;
    writeFileSync(
      join(dir.dir, 'mine.ts'),
      `import { defineStrategy } from ${JSON.stringify(engine)};
export const mine = defineStrategy({ id: 'mine', title: 'Mine', description: 'A user strategy in a plain folder.', params: {}, create: () => ({ onBar() {} }) });\n`,
    );
    const servers: ChildServer[] = [];
    try {
      for (const args of [['--import', 'tsx', 'src/cli.ts', 'serve'], ['bin/backtest.js', 'serve']]) {
        const child = await spawnServer({ ...(await seededDb(dir.dir, `${servers.length}.db`)).env, STRATEGIES_DIR: dir.dir }, 60_000, args);
        servers.push(child);
        const d = await postGqlOk(child.url, `{ strategy(id: "mine") { id } }`);
        expect(child.output(), args.join(' ')).not.toMatch(/strategy file skipped/);
        expect(d.strategy, `${args.join(' ')}: ${child.output()}`).toEqual({ id: 'mine' });
      }
    } finally {
      // SIGTERM: a graceful stop.
      for (const c of servers) c.child.kill('SIGTERM');
      await Promise.all(servers.map((c) => c.exited));
      dir.remove();
    }
  });

  it('after SIGKILL, a restarted server marks the running and queued runs FAILED (interrupted) and serves new runs', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { path: databasePath, env } = await seededDb(dir.dir, 'kill.db');
    const child = await spawnServer({ ...env, STRATEGIES_DIR: FIXTURE_STRATEGIES, WORKERS: '2' });
    children.push(child);
    const slow = { strategy: 'slow', params: { microsPerBar: 5 }, ...SYNTHETIC_ALL };
    const running = [await runOver(child.url, slow), await runOver(child.url, slow)];
    await Promise.all(running.map((r) => waitStatus(child.url, r.id, ['RUNNING'], 0)));
    const queued = await runOver(child.url, slow);
    expect(queued.status).toBe('QUEUED');
    const finished = await runOver(child.url, { ...SMA_SPX }); // queued behind the slow ones: never runs either
    expect(finished.status).toBe('QUEUED');

    child.child.kill('SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const server = await startServer({ dir: dir.dir, databasePath, strategiesDir: FIXTURE_STRATEGIES });
    try {
      for (const r of [...running, queued, finished]) {
        const after = await readRun(server.url, r.id);
        expect(after, `run ${r.id}`).toMatchObject({ status: 'FAILED', error: 'interrupted' });
        expect(after!.finishedAt).not.toBeNull();
      }
      for (const r of running) expect((await readRun(server.url, r.id))!.startedAt).not.toBeNull();
      expect((await readRun(server.url, queued.id))!.startedAt).toBeNull();
      // Subscriptions to an interrupted run end at once with its final state.
      const s = await server.subscribe<{ runStatus: { status: string } }>(`subscription($id: ID!) { runStatus(id: $id) { status } }`, { id: running[0]!.id });
      expect(s.events.map((e) => e.runStatus.status)).toEqual(['FAILED']);

      const fresh = await runOver(server.url, SMA_SPX);
      const done = await waitStatus(server.url, fresh.id, ENDED);
      expect(done).toMatchObject({ status: 'COMPLETED', barsProcessed: 5105 });
      expect(Number(fresh.id)).toBeGreaterThan(Number(finished.id));
    } finally {
      await server.stop();
    }
  });

  it('on SIGTERM, runs that fit the grace period complete and the process exits 0 as soon as they have', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { path: databasePath, env } = await seededDb(dir.dir, 'term.db');
    const child = await spawnServer({ ...env, STRATEGIES_DIR: FIXTURE_STRATEGIES, WORKERS: '2' });
    children.push(child);
    // ~2.5 s each, well inside the 10 s grace of `serve`.
    const runs = await Promise.all(
      ['AAA', 'BBB'].map((symbol) => runOver(child.url, { strategy: 'slow', params: { microsPerBar: 10 }, symbols: [symbol], period: 'MINUTE', dataset: 'synthetic' })),
    );
    await Promise.all(runs.map((r) => waitStatus(child.url, r.id, ['RUNNING'])));

    const t0 = Date.now();
    child.child.kill('SIGTERM');
    const exit = await child.exited;
    const took = Date.now() - t0;
    expect(exit, child.output()).toEqual({ code: 0, signal: null });
    expect(child.output()).toMatch(/SIGTERM: shutting down/);
    expect(took, 'it should not wait out the whole grace period').toBeLessThan(9_000);

    // Read the database the process left behind (a restart would mark anything unfinished as interrupted).
    const server = await startServer({ dir: dir.dir, databasePath, strategiesDir: FIXTURE_STRATEGIES });
    try {
      for (const r of runs) {
        const s = await readRun(server.url, r.id, 'fills { totalCount }');
        expect(s, `run ${r.id}`).toMatchObject({ status: 'COMPLETED', error: null, barsProcessed: 250_000, progress: 1 });
        // One market order every 5000 bars (bars 5000..245000), each filled on the next bar.
        expect(s!.fills.totalCount).toBe(49);
      }
    } finally {
      await server.stop();
    }
  });

  it('stop() after its grace period cancels running runs (keeping partial results) and queued ones', async () => {
    const server = await startServer({ strategiesDir: FIXTURE_STRATEGIES, workers: 2, shutdownGraceMs: 1_000 });
    dirs.push({ remove: () => rmSync(server.dir, { recursive: true, force: true }) });
    // ~5 s each (0.33 s per engine chunk): they cannot finish within the grace period.
    const long = { strategy: 'slow', params: { microsPerBar: 20 }, period: 'MINUTE', dataset: 'synthetic' };
    const running = [await runOver(server.url, { ...long, symbols: ['AAA'] }), await runOver(server.url, { ...long, symbols: ['BBB'] })];
    await Promise.all(running.map((r) => waitStatus(server.url, r.id, ['RUNNING'], 0)));
    const queued = await runOver(server.url, { ...long, symbols: ['CCC'] });
    expect(queued.status).toBe('QUEUED');

    const t0 = Date.now();
    await server.stop({ keepDir: true });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(4_000);

    const reopened = await startServer({ dir: server.dir, databasePath: server.databasePath, strategiesDir: FIXTURE_STRATEGIES });
    try {
      for (const r of running) {
        const s = await readRun(reopened.url, r.id, 'fills { totalCount } equityCurve(maxPoints: 10) { time }');
        expect(s!.status, `run ${r.id}`).toBe('CANCELLED');
        expect(s!.error).toBeNull();
        expect(s!.barsProcessed).toBeGreaterThan(0);
        expect(s!.barsProcessed).toBeLessThan(250_000);
        expect(s!.equityCurve.length).toBeGreaterThan(1);
        expect(s!.finishedAt).not.toBeNull();
      }
      const q = await readRun(reopened.url, queued.id, 'fills { totalCount }');
      expect(q).toMatchObject({ status: 'CANCELLED', error: 'server shut down', startedAt: null, barsProcessed: 0, fills: { totalCount: 0 } });
    } finally {
      await reopened.stop();
    }
  });
});
