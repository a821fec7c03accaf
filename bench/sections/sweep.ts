/**
 * sweep.combinationsPerSec and sweep.speedup: a 64-combination sma-crossover sweep over 4 synthetic
 * symbols of 250,000 minute bars, on a pool of 1 worker and on a pool of 2, in the same process.
 * Bars are loaded once per sweep and shared with the workers; only the pool size differs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listDatasets, writeBars } from '../../src/data/bar-store.js';
import { SqliteStorage } from '../../src/data/sqlite-storage.js';
import { openDatabase, type AppDatabase } from '../../src/data/db.js';
import { generateSyntheticBars } from '../../src/data/synthetic.js';
import { builtinStrategies } from '../../src/engine/strategies/index.js';
import { JobManager } from '../../src/jobs/job-manager.js';
import { validateSweepInput } from '../../src/jobs/sweep-input.js';
import { SweepManager } from '../../src/jobs/sweep-manager.js';
import type { BenchSection } from '../figure.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const BARS = 250_000;
// 8 fast × 8 slow periods = 64 combinations, none skipped (every fast < every slow).
const GRID = { fastPeriod: { min: 5, max: 40, step: 5 }, slowPeriod: { min: 50, max: 225, step: 25 } };

async function timeSweep(app: AppDatabase, dir: string, workers: number): Promise<number> {
  // Not closed here (that would close `app`): a sweep without keepTop never starts its storage thread.
  const storage = new SqliteStorage(app);
  const jobs = new JobManager({ storage, strategiesDir: join(dir, 'none'), workers });
  const sweeps = new SweepManager({ storage, jobs });
  try {
    // Warm the pool threads (module loading) before timing.
    await Promise.all(Array.from({ length: workers }, () => jobs.runTask('runSweepChunk', { strategy: 'sma-crossover', strategiesDir: join(dir, 'none'), series: [], initialCash: 1, commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0, periodsPerYear: 1, combinations: [], cancelFlag: new Int32Array(new SharedArrayBuffer(4)) })));
    const v = validateSweepInput({ datasets: listDatasets(app), strategies: builtinStrategies() }, { strategy: 'sma-crossover', dataset: 'bench', symbols: SYMBOLS, period: 'MINUTE', grid: GRID, keepTop: 0 });
    if (v.combinations.length !== 64) throw new Error(`expected 64 combinations, got ${v.combinations.length}`);
    const t0 = performance.now();
    const record = await sweeps.start(v);
    await sweeps.activeSweep(record.id)?.finished;
    return performance.now() - t0;
  } finally {
    await jobs.shutdown(0);
  }
}

export const run: BenchSection = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backtest-sweep-'));
  const app = openDatabase(join(dir, 'bench.db'));
  try {
    SYMBOLS.forEach((symbol, k) => writeBars(app, { dataset: 'bench', symbol, period: 'MINUTE', series: generateSyntheticBars({ symbol, bars: BARS, period: 'MINUTE', seed: 20 + k }) }));
    let one = Infinity;
    let two = Infinity;
    for (let round = 0; round < 2; round++) {
      one = Math.min(one, await timeSweep(app, dir, 1));
      two = Math.min(two, await timeSweep(app, dir, 2));
    }
    return [
      { name: 'sweep.combinationsPerSec', value: 64 / (two / 1000), unit: 'combinations/s' },
      { name: 'sweep.combinationsPerSecOneWorker', value: 64 / (one / 1000), unit: 'combinations/s' },
      { name: 'sweep.speedup', value: one / two, unit: 'ratio' },
      { name: 'sweep.barsPerSec', value: (64 * BARS * SYMBOLS.length) / (two / 1000), unit: 'bars/s' },
    ];
  } finally {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
