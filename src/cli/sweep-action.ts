/** `backtest sweep`: a parameter sweep on a local worker pool, with a progress bar and a table of the best. */
import type { RunMetrics } from '../engine/results.js';
import { openStorage, storageConfigFromEnv } from '../data/open-storage.js';
import type { Storage } from '../data/storage.js';
import type { SweepRecord } from '../data/sweep-store.js';
import { JobManager } from '../jobs/job-manager.js';
import { RunInputError } from '../jobs/run-input.js';
import { loadStrategies, strategiesDir } from '../jobs/strategy-loader.js';
import { METRIC_NAMES, validateSweepInput } from '../jobs/sweep-input.js';
import { SweepManager } from '../jobs/sweep-manager.js';
import { formatMetric } from './metric-format.js';
import { parseGridEntries, parseParamPairs } from './param-text.js';
import { ProgressBar } from './progress-bar.js';
import { flagFor, runInputFromFlags, type RunFlags } from './run-options.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

const CONTEXT_METRICS: readonly (keyof RunMetrics)[] = ['totalReturn', 'maxDrawdown', 'trades'];

export interface SweepFlags extends RunFlags {
  readonly grid: string[];
  /** As typed; matched to a metric name ignoring case. */
  readonly objective?: string;
  readonly minimize: boolean;
  readonly keepTop?: number;
  readonly maxCombinations?: number;
  readonly top: number;
}

export async function runSweep(flags: SweepFlags): Promise<number> {
  const storage = await openStorage(storageConfigFromEnv());
  const dir = strategiesDir();
  let jobs: JobManager | undefined;
  try {
    await storage.seedDemoData();
    const { registry, problems } = await loadStrategies(dir);
    for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
    const strategy = registry.get(flags.strategy);
    const input = {
      ...runInputFromFlags(flags, parseParamPairs(strategy, flags.param ?? [])),
      grid: parseGridEntries(strategy, flags.grid),
      objective: flags.objective === undefined ? undefined : (METRIC_NAMES.find((m) => m.toLowerCase() === flags.objective!.toLowerCase()) ?? flags.objective),
      maximize: !flags.minimize,
      // The CLI re-runs the best combinations only when asked (the service's default is 10).
      keepTop: flags.keepTop ?? 0,
      maxCombinations: flags.maxCombinations,
    };
    let validated;
    try {
      validated = validateSweepInput({ datasets: await storage.listDatasets(), strategies: registry }, input);
    } catch (e) {
      if (e instanceof RunInputError) throw new UsageError(e.errors.map((x) => `${flagFor(x.field, flags)}: ${x.message}`).join('; '));
      throw e;
    }
    jobs = new JobManager({ storage, strategiesDir: dir });
    const sweeps = new SweepManager({ storage, jobs });
    const record = await sweeps.start(validated);
    const bar = new ProgressBar(`sweep ${record.id}`);
    const events = sweeps.pubsub.subscribe('sweep', record.id);
    const following = (async () => {
      for await (const e of events) {
        bar.update(e.snapshot.progress, `${e.snapshot.completed}/${validated.combinations.length} combinations`);
        if (e.kind === 'end') return;
      }
    })();
    await sweeps.activeSweep(record.id)?.finished;
    await following;
    bar.done();
    const sweep = await storage.getSweep(record.id);
    if (!sweep) throw new Error(`sweep ${record.id} vanished`);
    // The answer goes out as soon as the sweep has ended; the best combinations' full runs (only
    // with --keep-top) were queued at its end and are awaited after it.
    await printSweep(storage, sweep, flags);
    const reruns = (await storage.getBestSweepResults(sweep, sweep.keepTop)).flatMap((r) => (r.runId === null ? [] : [r.runId]));
    const rerunsOk = await awaitReruns(storage, jobs, reruns);
    return sweep.status === 'COMPLETED' && rerunsOk ? 0 : 1;
  } finally {
    // Nothing is left to wait for: the pool and the storage (its thread or connections) stop now, so the process exits.
    await jobs?.shutdown(0);
    await storage.close();
  }
}

/** The sweep's summary line and its best `--top` combinations, as a table or JSON. */
async function printSweep(storage: Storage, sweep: SweepRecord, flags: SweepFlags): Promise<void> {
  const top = await storage.getBestSweepResults(sweep, flags.top);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ sweep: { ...sweep, id: String(sweep.id) }, results: top.map((r) => ({ ...r, runId: r.runId === null ? null : String(r.runId) })) }, null, 2) + '\n');
  } else {
    const swept = Object.keys(sweep.grid);
    console.log(
      `sweep ${sweep.id}: ${sweep.status}${sweep.error ? ` (${sweep.error})` : ''}${took(sweep)}, ${sweep.completed} run, ${sweep.skipped} skipped, ${sweep.failed} failed of ${sweep.total}; ` +
        `${sweep.maximize ? 'max' : 'min'}imizing ${sweep.objective}`,
    );
    // The objective first, then a few context metrics (each once, even when it is the objective).
    const shown = [sweep.objective, ...CONTEXT_METRICS.filter((m) => m !== sweep.objective)];
    const header = ['#', ...swept, ...shown, 'run'];
    const rows = top.map((r, k) => [
      String(k + 1),
      ...swept.map((name) => String(r.params[name])),
      ...shown.map((m) => formatMetric(m, m === sweep.objective ? r.objectiveValue : r.metrics[m])),
      r.runId === null ? '-' : String(r.runId),
    ]);
    console.log(formatTable(header, rows));
  }
}

/** ` in 9.2 s`: from start to end of the sweep itself (stored), when both are known. */
function took(sweep: SweepRecord): string {
  return sweep.startedAt === null || sweep.finishedAt === null ? '' : ` in ${((sweep.finishedAt - sweep.startedAt) / 1000).toFixed(1)} s`;
}

/** Waits for the re-runs of the best combinations; false when one did not complete (said on stderr). */
async function awaitReruns(storage: Storage, jobs: JobManager, runIds: readonly number[]): Promise<boolean> {
  if (runIds.length === 0) return true;
  const bar = new ProgressBar(`re-running the best ${runIds.length}`);
  let done = 0;
  bar.update(0, `0/${runIds.length} runs`);
  await Promise.all(
    runIds.map(async (id) => {
      await jobs.activeRun(id)?.finished;
      done++;
      bar.update(done / runIds.length, `${done}/${runIds.length} runs`);
    }),
  );
  bar.done();
  let ok = true;
  for (const id of runIds) {
    const run = await storage.getRun(id);
    if (run?.status === 'COMPLETED') continue;
    ok = false;
    process.stderr.write(`run ${id}: ${run ? `${run.status}${run.error ? ` (${run.error})` : ''}` : 'deleted'}\n`);
  }
  return ok;
}
