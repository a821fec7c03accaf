/** `backtest run`: validates like the service, stores the run like the service, then prints a summary or JSON. */
import { mixedSides } from '../analytics/exposure.js';
import { analyticsSettings, hasAnalytics, readRunAnalytics } from '../analytics/load-run-analytics.js';
import type { BacktestResult, RunMetrics } from '../engine/results.js';
import { seedDemoData } from '../data/demo.js';
import { openDatabase, type AppDatabase } from '../data/db.js';
import { createRun, type RunRecord } from '../data/run-store.js';
import { fillShape, roundTripShape, runShape } from '../jobs/contract-shapes.js';
import { RunInputError, validateRunInput } from '../jobs/run-input.js';
import { loadStrategies } from '../jobs/strategy-loader.js';
import { executeRun } from '../workers/execute-run.js';
import { formatMetric } from './metric-format.js';
import { parseParamPairs } from './param-text.js';
import { ProgressBar } from './progress-bar.js';
import { flagFor, runInputFromFlags, type RunFlags } from './run-options.js';
import { accountRiskInput, type AccountRiskFlags } from './account-risk-options.js';
import { formatNumber, formatTable } from './table.js';
import { analyticsJson, tearsheetTable } from './tearsheet.js';
import type { TearsheetFormat } from './tearsheet-messages.js';
import { TearsheetThread, type RenderedAnalytics } from './tearsheet-thread.js';
import { UsageError } from './usage-error.js';

/** Bars to simulate from which a run's analytics get a thread of their own (below, its start-up would not pay). */
const TEARSHEET_THREAD_MIN_BARS = 200_000;

export async function runBacktest(flags: RunFlags & AccountRiskFlags): Promise<number> {
  let thread = null as TearsheetThread | null;
  const app = openDatabase();
  try {
    seedDemoData(app);
    const { registry, problems } = await loadStrategies();
    for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
    const input = { ...runInputFromFlags(flags, parseParamPairs(registry.get(flags.strategy), flags.param ?? [])), ...accountRiskInput(flags) };
    let validated;
    try {
      validated = validateRunInput({ app, strategies: registry }, input);
    } catch (e) {
      if (e instanceof RunInputError) throw new UsageError(e.errors.map((x) => `${flagFor(x.field, flags)}: ${x.message}`).join('; '));
      throw e;
    }
    const record = createRun(app, validated.run);
    const bar = new ProgressBar(`run ${record.id}`);
    const format: TearsheetFormat = flags.json ? 'json' : 'table';
    // Analytics that need no bars are computed by a thread of their own on large runs (see tearsheet-thread.ts).
    const threadable = !validated.run.benchmark;
    const { record: finished, result } = executeRun(
      app,
      { runId: record.id, ...validated },
      {
        onProgress: (p) => {
          bar.update(p.progress, () => `${p.barsProcessed.toLocaleString('en-US')} bars`);
          if (thread === null && threadable && p.totalBars >= TEARSHEET_THREAD_MIN_BARS) {
            thread = TearsheetThread.start({ ...analyticsSettings(record), symbols: record.symbols });
          }
          if (p.progress >= 1) thread?.curve(p.curve);
        },
      },
    );
    bar.done();
    if (finished === null || result === null) throw new Error(`run ${record.id} did not run`);
    const analytics = await renderAnalytics(app, finished, result, format, thread);
    if (flags.json) {
      const doc = {
        run: runShape(finished),
        metrics: finished.metrics,
        analytics: analytics?.kind === 'json' ? analytics.analytics : null,
        fills: result.fills.map((f) => fillShape(finished.id, f)),
        roundTrips: result.roundTrips.map(roundTripShape),
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      process.stdout.write(summary(finished.id, finished.status, finished.error, result.metrics, result.fills.length) + '\n');
      if (analytics?.kind === 'table') process.stdout.write('\n' + analytics.text + '\n');
    }
    return finished.status === 'COMPLETED' ? 0 : 1;
  } finally {
    thread?.stop();
    app.close();
  }
}

/**
 * The analytics of a run that has them, from the results in memory (identical to what was just
 * stored: nothing is read back), rendered for the output. When the tearsheet thread has the curve
 * and the run needs no bars, the thread renders them while this thread checkpoints the database
 * (the waiting on the disk close would do); otherwise, or should the thread fail, here.
 */
async function renderAnalytics(app: AppDatabase, run: RunRecord, result: BacktestResult, format: TearsheetFormat, thread: TearsheetThread | null): Promise<RenderedAnalytics | null> {
  if (!hasAnalytics(run)) return null;
  if (thread && !mixedSides(result.fills)) {
    const rendered = thread.render(result, format);
    app.sqlite.pragma('wal_checkpoint(PASSIVE)');
    const r = await rendered;
    if (r.kind !== 'failed') return r;
    process.stderr.write(`warning: the tearsheet thread failed (${r.message}); computing the analytics here\n`);
  }
  const a = readRunAnalytics(app, run, result);
  if (!a) return null;
  return format === 'json' ? { kind: 'json', analytics: analyticsJson(a) } : { kind: 'table', text: tearsheetTable(a) };
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
