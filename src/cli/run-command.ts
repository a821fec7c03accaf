/** `backtest run`: validates like the service, stores the run like the service, then prints a summary or JSON. */
import { parseArgs } from 'node:util';
import { parseParamString } from '../engine/params.js';
import type { AnyStrategy } from '../engine/strategy.js';
import type { RunMetrics } from '../engine/results.js';
import { seedDemoData } from '../data/demo.js';
import { openDatabase } from '../data/db.js';
import { createRun } from '../data/run-store.js';
import { fillShape, roundTripShape, runShape } from '../jobs/contract-shapes.js';
import { RunInputError, validateRunInput, type RunInput } from '../jobs/run-input.js';
import { loadStrategies } from '../jobs/strategy-loader.js';
import { executeRun } from '../workers/execute-run.js';
import { ProgressBar } from './progress-bar.js';
import { formatNumber, formatTable } from './table.js';
import { parseNumberFlag, requireFlag, UsageError } from './usage-error.js';

/** Input field -> the flag that sets it, so validation errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  strategy: '--strategy',
  dataset: '--dataset',
  symbols: '--symbols',
  period: '--period',
  start: '--from',
  end: '--to',
  initialCash: '--cash',
  'commission.perUnit': '--commission-per-unit',
  'commission.minimumPerOrder': '--commission-min',
  'commission.percentOfNotional': '--commission-pct',
  slippageBps: '--slippage-bps',
  periodsPerYear: '--periods-per-year',
  objective: '--objective',
  keepTop: '--keep-top',
  maxCombinations: '--max-combinations',
  grid: '--grid',
};

export function flagFor(field: string): string {
  if (field.startsWith('params.')) return `--param ${field.slice('params.'.length)}`;
  if (field.startsWith('grid.')) return `--grid ${field.slice('grid.'.length)}`;
  if (/^symbols\[\d+\]$/.test(field)) return '--symbols';
  return FLAG_OF[field] ?? field;
}

/** The flags of a run, shared with `sweep`. */
export const RUN_OPTIONS = {
  strategy: { type: 'string' },
  dataset: { type: 'string' },
  symbols: { type: 'string' },
  period: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  param: { type: 'string', multiple: true },
  cash: { type: 'string' },
  'commission-per-unit': { type: 'string' },
  'commission-min': { type: 'string' },
  'commission-pct': { type: 'string' },
  'slippage-bps': { type: 'string' },
  'periods-per-year': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type RunFlags = { [K in keyof typeof RUN_OPTIONS]?: (typeof RUN_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof RUN_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

export function runInputFromFlags(values: RunFlags, params: Record<string, unknown>): RunInput {
  return {
    strategy: requireFlag('--strategy', values.strategy),
    params,
    symbols: requireFlag('--symbols', values.symbols).split(',').map((s) => s.trim()),
    period: requireFlag('--period', values.period).toUpperCase(),
    dataset: values.dataset,
    start: values.from,
    end: values.to,
    initialCash: parseNumberFlag('--cash', values.cash),
    commission: {
      perUnit: parseNumberFlag('--commission-per-unit', values['commission-per-unit']),
      minimumPerOrder: parseNumberFlag('--commission-min', values['commission-min']),
      percentOfNotional: parseNumberFlag('--commission-pct', values['commission-pct']),
    },
    slippageBps: parseNumberFlag('--slippage-bps', values['slippage-bps']),
    periodsPerYear: parseNumberFlag('--periods-per-year', values['periods-per-year']),
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: RUN_OPTIONS });
  const app = openDatabase();
  try {
    seedDemoData(app);
    const { registry, problems } = await loadStrategies();
    for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
    const strategyId = requireFlag('--strategy', values.strategy);
    const input = runInputFromFlags(values, parseParams(registry.get(strategyId), values.param ?? []));
    let validated;
    try {
      validated = validateRunInput({ app, strategies: registry }, input);
    } catch (e) {
      if (e instanceof RunInputError) throw new UsageError(e.errors.map((x) => `${flagFor(x.field)}: ${x.message}`).join('; '));
      throw e;
    }
    const record = createRun(app, validated.run);
    const bar = new ProgressBar(`run ${record.id}`);
    const { record: finished, result } = executeRun(
      app,
      { runId: record.id, ...validated },
      { onProgress: (p) => bar.update(p.progress, `${p.barsProcessed.toLocaleString('en-US')} bars`) },
    );
    bar.done();
    if (finished === null || result === null) throw new Error(`run ${record.id} did not run`);
    if (values.json) {
      const doc = {
        run: runShape(finished),
        metrics: finished.metrics,
        fills: result.fills.map((f) => fillShape(finished.id, f)),
        roundTrips: result.roundTrips.map(roundTripShape),
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      process.stdout.write(summary(finished.id, finished.status, finished.error, result.metrics, result.fills.length) + '\n');
    }
    return finished.status === 'COMPLETED' ? 0 : 1;
  } finally {
    app.close();
  }
}

/** `--param name=value` pairs, each typed by the strategy's spec; validation happens later, in one place. */
export function parseParams(strategy: AnyStrategy | undefined, pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected name=value, got ${JSON.stringify(pair)}`);
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const spec = strategy?.params[name];
    out[name] = spec ? parseParamString(spec, text) : text;
  }
  return out;
}

function summary(id: number, status: string, error: string | null, m: RunMetrics, fills: number): string {
  const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(2)}%`);
  const rows: [string, string][] = [
    ['run', `${id} (${status}${error ? `: ${error}` : ''})`],
    ['final equity', formatNumber(m.finalEquity)],
    ['total return', pct(m.totalReturn)],
    ['CAGR', pct(m.cagr)],
    ['volatility', pct(m.volatility)],
    ['Sharpe', formatNumber(m.sharpe)],
    ['Sortino', formatNumber(m.sortino)],
    ['max drawdown', pct(m.maxDrawdown)],
    ['max drawdown duration', `${m.maxDrawdownDuration} bars`],
    ['round trips', String(m.trades)],
    ['win rate', pct(m.winRate)],
    ['profit factor', formatNumber(m.profitFactor)],
    ['fills', String(fills)],
    ['total commission', formatNumber(m.totalCommission)],
    ['exposure', pct(m.exposure)],
  ];
  return formatTable(['metric', 'value'], rows);
}
