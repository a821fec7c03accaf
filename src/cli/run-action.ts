/** `backtest run`: validates like the service, stores the run like the service, then prints a summary or JSON. */
import type { RunMetrics } from '../engine/results.js';
import { openStorage, storageConfigFromEnv } from '../data/open-storage.js';
import { SqliteStorage } from '../data/sqlite-storage.js';
import { fillShape, roundTripShape, runShape } from '../jobs/contract-shapes.js';
import { RunInputError, validateRunInput } from '../jobs/run-input.js';
import { loadStrategies } from '../jobs/strategy-loader.js';
import { executeRun, type RunProgress } from '../workers/execute-run.js';
import { formatMetric } from './metric-format.js';
import { parseParamPairs } from './param-text.js';
import { ProgressBar } from './progress-bar.js';
import { flagFor, runInputFromFlags, type RunFlags } from './run-options.js';
import { accountRiskInput, type AccountRiskFlags } from './account-risk-options.js';
import { formatNumber, formatTable } from './table.js';
import { analyticsJson, tearsheetTable } from './tearsheet.js';
import { readRunAnalytics } from '../analytics/load-run-analytics.js';
import { CheckpointThread } from './checkpoint-thread.js';
import { UsageError } from './usage-error.js';

export async function runBacktest(flags: RunFlags & AccountRiskFlags): Promise<number> {
  const storage = await openStorage(storageConfigFromEnv());
  // SQLite only: the file's WAL is checkpointed on another thread while the analytics are computed.
  const checkpoint = storage instanceof SqliteStorage ? CheckpointThread.start(storage.app.path) : null;
  try {
    await storage.seedDemoData();
    const { registry, problems } = await loadStrategies();
    for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
    const input = { ...runInputFromFlags(flags, parseParamPairs(registry.get(flags.strategy), flags.param ?? [])), ...accountRiskInput(flags) };
    let validated;
    try {
      validated = validateRunInput({ datasets: await storage.listDatasets(), strategies: registry }, input);
    } catch (e) {
      if (e instanceof RunInputError) throw new UsageError(e.errors.map((x) => `${flagFor(x.field, flags)}: ${x.message}`).join('; '));
      throw e;
    }
    const record = await storage.createRun(validated.run);
    const bar = new ProgressBar(`run ${record.id}`);
    const job = { runId: record.id, ...validated };
    const hooks = { onProgress: (p: RunProgress) => bar.update(p.progress, () => `${p.barsProcessed.toLocaleString('en-US')} bars`) };
    // SQLite: synchronously on the file's own connection, progress stored as the run goes (what
    // `npm run bench -- cli` measures). Any other storage: the same run through the interface.
    const { record: finished, result, series } =
      storage instanceof SqliteStorage ? executeRun(storage.app, job, hooks) : await (await import('../workers/execute-run-on-storage.js')).executeRunOnStorage(storage, job, hooks);
    bar.done();
    if (finished === null || result === null) throw new Error(`run ${record.id} did not run`);
    // The run is stored: its checkpoint overlaps the analytics below.
    void checkpoint?.checkpoint();
    // From the results in memory, identical to what was just stored: nothing is read back.
    const analytics = await readRunAnalytics(storage, finished, { equity: result.equity, roundTrips: result.roundTrips, fills: result.fills, bars: series });
    if (flags.json) {
      const doc = {
        run: runShape(finished),
        metrics: finished.metrics,
        analytics: analytics ? analyticsJson(analytics) : null,
        fills: result.fills.map((f) => fillShape(finished.id, f)),
        roundTrips: result.roundTrips.map(roundTripShape),
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      process.stdout.write(summary(finished.id, finished.status, finished.error, result.metrics, result.fills.length) + '\n');
      if (analytics) process.stdout.write('\n' + tearsheetTable(analytics) + '\n');
    }
    return finished.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await checkpoint?.stop();
    await storage.close();
  }
}

function summary(id: number, status: string, error: string | null, m: RunMetrics, fills: number): string {
  const rows: [string, string][] = [
    ['run', `${id} (${status}${error ? `: ${error}` : ''})`],
    ['final equity', formatMetric('finalEquity', m.finalEquity)],
    ['total return', formatMetric('totalReturn', m.totalReturn)],
    ['CAGR', formatMetric('cagr', m.cagr)],
    ['volatility', formatMetric('volatility', m.volatility)],
    ['Sharpe', formatMetric('sharpe', m.sharpe)],
    ['Sortino', formatMetric('sortino', m.sortino)],
    ['max drawdown', formatMetric('maxDrawdown', m.maxDrawdown)],
    ['max drawdown duration', formatMetric('maxDrawdownDuration', m.maxDrawdownDuration)],
    ['round trips', String(m.trades)],
    ['win rate', formatMetric('winRate', m.winRate)],
    ['profit factor', formatMetric('profitFactor', m.profitFactor)],
    ['fills', String(fills)],
    ['total commission', formatNumber(m.totalCommission)],
    ['exposure', formatMetric('exposure', m.exposure)],
  ];
  return formatTable(['metric', 'value'], rows);
}
