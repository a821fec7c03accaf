/** `backtest sweep`: a parameter sweep on a local worker pool, with a progress bar and a table of the best. */
import { parseArgs } from 'node:util';
import { parseParamString, type ParamSpec } from '../engine/params.js';
import type { AnyStrategy } from '../engine/strategy.js';
import { seedDemoData } from '../data/demo.js';
import { openDatabase } from '../data/db.js';
import { getBestSweepResults, getSweep } from '../data/sweep-store.js';
import { JobManager } from '../jobs/job-manager.js';
import { RunInputError } from '../jobs/run-input.js';
import { loadStrategies, strategiesDir } from '../jobs/strategy-loader.js';
import { validateSweepInput } from '../jobs/sweep-input.js';
import { SweepManager } from '../jobs/sweep-manager.js';
import { ProgressBar } from './progress-bar.js';
import { flagFor, parseParams, RUN_OPTIONS, runInputFromFlags } from './run-command.js';
import { formatNumber, formatTable } from './table.js';
import { parseIntegerFlag, requireFlag, UsageError } from './usage-error.js';

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...RUN_OPTIONS,
      grid: { type: 'string', multiple: true },
      objective: { type: 'string' },
      minimize: { type: 'boolean', default: false },
      'keep-top': { type: 'string' },
      'max-combinations': { type: 'string' },
      top: { type: 'string', default: '10' },
    },
  });
  const app = openDatabase();
  const dir = strategiesDir();
  let jobs: JobManager | undefined;
  try {
    seedDemoData(app);
    const { registry, problems } = await loadStrategies(dir);
    for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
    const strategy = registry.get(requireFlag('--strategy', values.strategy));
    const grids = values.grid ?? [];
    if (grids.length === 0) throw new UsageError('--grid is required, e.g. --grid fastPeriod=10:100:10 --grid slowPeriod=50,100,200');
    const input = {
      ...runInputFromFlags(values, parseParams(strategy, values.param ?? [])),
      grid: parseGrid(strategy, grids),
      objective: values.objective,
      maximize: !values.minimize,
      keepTop: parseIntegerFlag('--keep-top', values['keep-top'], 0),
      maxCombinations: parseIntegerFlag('--max-combinations', values['max-combinations'], 1),
    };
    jobs = new JobManager({ app, databasePath: app.path, strategiesDir: dir });
    const sweeps = new SweepManager({ app, jobs, strategiesDir: dir });
    let validated;
    try {
      validated = validateSweepInput({ app, strategies: registry }, input);
    } catch (e) {
      if (e instanceof RunInputError) throw new UsageError(e.errors.map((x) => `${flagFor(x.field)}: ${x.message}`).join('; '));
      throw e;
    }
    const record = sweeps.start(validated);
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
    // The best combinations' full runs were queued at the end: let them finish before exiting.
    await jobs.shutdown(24 * 3_600_000);
    jobs = undefined;
    const sweep = getSweep(app, record.id);
    if (!sweep) throw new Error(`sweep ${record.id} vanished`);
    const top = getBestSweepResults(app, sweep, parseIntegerFlag('--top', values.top, 1) as number);
    if (values.json) {
      process.stdout.write(JSON.stringify({ sweep: { ...sweep, id: String(sweep.id) }, results: top.map((r) => ({ ...r, runId: r.runId === null ? null : String(r.runId) })) }, null, 2) + '\n');
    } else {
      const swept = Object.keys(sweep.grid);
      console.log(
        `sweep ${sweep.id}: ${sweep.status}${sweep.error ? ` (${sweep.error})` : ''}, ${sweep.completed} run, ${sweep.skipped} skipped, ${sweep.failed} failed of ${sweep.total}; ` +
          `${sweep.maximize ? 'max' : 'min'}imizing ${sweep.objective}`,
      );
      const header = ['#', ...swept, sweep.objective, 'totalReturn', 'maxDrawdown', 'trades', 'run'];
      const rows = top.map((r, k) => [
        String(k + 1),
        ...swept.map((name) => String(r.params[name])),
        formatNumber(r.objectiveValue),
        formatNumber(r.metrics.totalReturn),
        formatNumber(r.metrics.maxDrawdown),
        String(r.metrics.trades),
        r.runId === null ? '-' : String(r.runId),
      ]);
      console.log(formatTable(header, rows));
    }
    return sweep.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await jobs?.shutdown(0);
    app.close();
  }
}

/** `name=min:max:step`, `name=min:max` (step from the spec), or `name=a,b,c` (typed by the spec). */
function parseGrid(strategy: AnyStrategy | undefined, entries: readonly string[]): Record<string, unknown> {
  const grid: Record<string, unknown> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--grid: expected name=min:max:step or name=a,b,c, got ${JSON.stringify(entry)}`);
    const name = entry.slice(0, eq);
    const text = entry.slice(eq + 1);
    const spec: ParamSpec | undefined = strategy?.params[name];
    if (text.includes(':')) {
      const parts = text.split(':');
      if (parts.length > 3) throw new UsageError(`--grid ${name}: expected min:max[:step], got ${text}`);
      const [min, max, step] = parts.map((p) => (p === '' ? undefined : Number(p)));
      grid[name] = { min, max, ...(step === undefined ? {} : { step }) };
    } else {
      grid[name] = text.split(',').map((v) => (spec ? parseParamString(spec, v.trim()) : v.trim()));
    }
  }
  return grid;
}
