/**
 * The command line as users feel it, through `node bin/backtest.js` on a temp database holding
 * 1,000,000 random-walk minute bars of one symbol:
 * cli.strategiesMs: wall time of `backtest strategies` (best of 5).
 * cli.runOverhead: wall time of `backtest run` (sma-crossover, defaults) over those bars (best of 5)
 *   divided by the in-process time of the same run in this process, warm: load + simulate + store
 *   (executeRun, the function `backtest run` calls), best of 3 (cli.runInProcessMs).
 * cli.runOverheadCold: the same wall time divided by the same call made once in a fresh process
 *   (best of 5, interleaved with the command, cli.runInProcessColdMs): both run the engine as code
 *   V8 has not optimised yet, so this ratio is what the command adds to the run (Node's start,
 *   loading modules, validation, the printed analytics, closing the database), and the difference
 *   between the two is V8 warming up and fresh memory, which any single run in a new process pays.
 * The in-process runs load the TypeScript sources through tsx (transpiled by esbuild, as the bin's
 *   bundle is); the bin runs dist/.
 * cli.sweepOverhead: wall time of a 64-combination `backtest sweep` (sma-crossover 8 x 8 periods,
 *   2 workers, the command's default flags) divided by the sweep's own duration, as stored and
 *   printed by the command (startedAt..finishedAt); the better of 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listDatasets, writeBars } from '../../src/data/bar-store.js';
import { createRun } from '../../src/data/run-store.js';
import { generateSyntheticBars } from '../../src/data/synthetic.js';
import { builtinStrategies } from '../../src/engine/strategies/index.js';
import { validateRunInput } from '../../src/jobs/run-input.js';
import { executeRun } from '../../src/workers/execute-run.js';
import type { BenchSection, Figure } from '../figure.js';
import { withTempDb } from '../temp-db.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'backtest.js');
const BARS = 1_000_000;
const RUN = ['--strategy', 'sma-crossover', '--dataset', 'bench', '--symbols', 'X', '--period', 'minute'];
// 8 fast x 8 slow periods = 64 combinations, none skipped (as the sweep section).
const SWEEP = [...RUN, '--grid', 'fastPeriod=5:40:5', '--grid', 'slowPeriod=50:225:25', '--json'];

/** ms of executeRun called once in a fresh process (the sources through tsx). */
function coldRunMs(env: NodeJS.ProcessEnv): number {
  const mod = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', `${path}.ts`)).href);
  const script = `
    const { openDatabase } = await import(${mod('data/db')});
    const { createRun } = await import(${mod('data/run-store')});
    const { builtinStrategies } = await import(${mod('engine/strategies/index')});
    const { validateRunInput } = await import(${mod('jobs/run-input')});
    const { listDatasets } = await import(${mod('data/bar-store')});
    const { executeRun } = await import(${mod('workers/execute-run')});
    const app = openDatabase(process.env.DATABASE_PATH);
    const validated = validateRunInput({ datasets: listDatasets(app), strategies: builtinStrategies() }, { strategy: 'sma-crossover', dataset: 'bench', symbols: ['X'], period: 'MINUTE' });
    const record = createRun(app, validated.run);
    const t0 = performance.now();
    const { record: done } = executeRun(app, { runId: record.id, ...validated });
    const ms = performance.now() - t0;
    app.close();
    if (done?.status !== 'COMPLETED') throw new Error('the run ended ' + done?.status);
    process.stdout.write(String(ms));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the cold in-process run failed: ${r.stderr}`);
  return Number(r.stdout);
}

/** Wall ms of one `node bin/backtest.js ...`; throws with its stderr when it fails. */
function timeBin(args: readonly string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`backtest ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export const run: BenchSection = () =>
  withTempDb(async (app, dir): Promise<Figure[]> => {
    // The bin runs dist/: build it when a source is newer (a checkout without the build script runs from the sources).
    const build = join(ROOT, 'scripts', 'build.mjs');
    if (existsSync(build)) spawnSync(process.execPath, [build, '--if-outdated'], { cwd: ROOT, stdio: 'inherit' });
    writeBars(app, { dataset: 'bench', symbol: 'X', period: 'MINUTE', series: generateSyntheticBars({ symbol: 'X', bars: BARS, period: 'MINUTE', seed: 7 }) });
    const env = { ...process.env, DATABASE_PATH: app.path, STRATEGIES_DIR: join(dir, 'none'), WORKERS: '2' };

    let strategiesMs = Infinity;
    for (let k = 0; k < 5; k++) strategiesMs = Math.min(strategiesMs, timeBin(['strategies'], env).ms);

    let inProcessMs = Infinity;
    const strategies = builtinStrategies();
    for (let k = 0; k < 3; k++) {
      const validated = validateRunInput({ datasets: listDatasets(app), strategies }, { strategy: 'sma-crossover', dataset: 'bench', symbols: ['X'], period: 'MINUTE' });
      const record = createRun(app, validated.run);
      const t0 = performance.now();
      const { record: done } = executeRun(app, { runId: record.id, ...validated });
      inProcessMs = Math.min(inProcessMs, performance.now() - t0);
      if (done?.status !== 'COMPLETED' || done.barsProcessed !== BARS) throw new Error(`in-process run ended ${done?.status} after ${done?.barsProcessed} bars`);
    }
    let coldMs = Infinity;
    let runWallMs = Infinity;
    for (let k = 0; k < 5; k++) {
      coldMs = Math.min(coldMs, coldRunMs(env));
      runWallMs = Math.min(runWallMs, timeBin(['run', ...RUN], env).ms);
    }

    let sweep = { overhead: Infinity, wallMs: 0, sweepMs: 0 };
    for (let k = 0; k < 2; k++) {
      const { ms, stdout } = timeBin(['sweep', ...SWEEP], env);
      const s = (JSON.parse(stdout) as { sweep: { status: string; total: number; completed: number; startedAt: number; finishedAt: number } }).sweep;
      if (s.status !== 'COMPLETED' || s.completed !== 64) throw new Error(`sweep ended ${s.status} with ${s.completed} of ${s.total} combinations`);
      const sweepMs = s.finishedAt - s.startedAt;
      if (ms / sweepMs < sweep.overhead) sweep = { overhead: ms / sweepMs, wallMs: ms, sweepMs };
    }

    return [
      { name: 'cli.strategiesMs', value: strategiesMs, unit: 'ms' },
      { name: 'cli.runOverhead', value: runWallMs / inProcessMs, unit: 'ratio' },
      { name: 'cli.runOverheadCold', value: runWallMs / coldMs, unit: 'ratio' },
      { name: 'cli.runWallMs', value: runWallMs, unit: 'ms' },
      { name: 'cli.runInProcessMs', value: inProcessMs, unit: 'ms' },
      { name: 'cli.runInProcessColdMs', value: coldMs, unit: 'ms' },
      { name: 'cli.sweepOverhead', value: sweep.overhead, unit: 'ratio' },
      { name: 'cli.sweepWallMs', value: sweep.wallMs, unit: 'ms' },
      { name: 'cli.sweepMs', value: sweep.sweepMs, unit: 'ms' },
    ];
  });
