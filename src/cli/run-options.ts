/**
 * The flags that describe a backtest, shared by `run` and `sweep`: declared once with their help,
 * turned into a RunInput for the shared validation, and validation fields mapped back to flags.
 */
import { Option, type Command } from 'commander';
import { BAR_PERIODS, type BarPeriod } from '../engine/bars.js';
import type { RunInput } from '../jobs/run-input.js';
import { choiceFlag, collect, numberFlag, symbolListFlag } from './flag-parsers.js';
import { UsageError } from './usage-error.js';
import { ACCOUNT_RISK_FLAG_OF } from './account-risk-options.js';

export interface RunFlags {
  readonly strategy: string;
  readonly dataset?: string;
  readonly symbols: string[];
  readonly period: BarPeriod;
  readonly start?: string;
  readonly end?: string;
  readonly from?: string;
  readonly to?: string;
  readonly param?: string[];
  readonly cash?: number;
  readonly commissionPerUnit?: number;
  readonly commissionMin?: number;
  readonly commissionPct?: number;
  readonly slippageBps?: number;
  readonly periodsPerYear?: number;
  /** DATASET/SYMBOL, or SYMBOL in the run's dataset. */
  readonly benchmark?: string;
  readonly riskFreeRate?: number;
  readonly json: boolean;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--strategy <id>', 'strategy id, as listed by `backtest strategies` (required)').makeOptionMandatory())
    .addOption(new Option('--symbols <list>', 'comma-separated symbols, e.g. SPX or AAA,BBB (required)').argParser(symbolListFlag('--symbols')).makeOptionMandatory())
    .addOption(new Option('--period <period>', `bar period: ${BAR_PERIODS.join(', ')}, any case (required)`).argParser(choiceFlag('--period', BAR_PERIODS)).makeOptionMandatory())
    .addOption(new Option('--dataset <id>', 'dataset id (default: the one dataset holding every symbol for the period)'))
    .addOption(new Option('--start <date>', 'first day, inclusive, YYYY-MM-DD (UTC); alias --from'))
    .addOption(new Option('--end <date>', 'last day, inclusive, YYYY-MM-DD (UTC); alias --to'))
    .addOption(new Option('--from <date>').hideHelp())
    .addOption(new Option('--to <date>').hideHelp())
    .addOption(new Option('--param <name=value>', 'strategy parameter, repeatable; enum choices and true/false in any case').argParser(collect))
    .addOption(new Option('--cash <amount>', 'initial cash (default 100000)').argParser(numberFlag('--cash', { min: 0, minExclusive: true })))
    .addOption(new Option('--commission-per-unit <amount>', 'commission per unit traded (default 0)').argParser(numberFlag('--commission-per-unit', { min: 0 })))
    .addOption(new Option('--commission-min <amount>', 'minimum commission per order (default 0)').argParser(numberFlag('--commission-min', { min: 0 })))
    .addOption(new Option('--commission-pct <percent>', 'commission in percent of the notional, 0.1 = 0.1 % (default 0)').argParser(numberFlag('--commission-pct', { min: 0 })))
    .addOption(new Option('--slippage-bps <bps>', 'slippage per side in basis points (default 0)').argParser(numberFlag('--slippage-bps', { min: 0 })))
    .addOption(new Option('--periods-per-year <n>', 'bars per year for annualised metrics (default: by period, e.g. 252 for DAY)').argParser(numberFlag('--periods-per-year', { min: 0, minExclusive: true })))
    .addOption(new Option('--benchmark <[dataset/]symbol>', "buy-and-hold of this symbol for the analytics (alpha, beta, ...); default dataset: the run's"))
    .addOption(new Option('--risk-free-rate <fraction>', 'annual risk-free rate for Sharpe, Sortino and alpha, 0.02 = 2 % (default 0)').argParser(numberFlag('--risk-free-rate', { min: -0.1, max: 1 })))
    .addOption(new Option('--json', 'print JSON (the GraphQL shapes) instead of tables'));
}

/** `--start` wins over its alias `--from` (same for `--end`/`--to`); both with different values is an error. */
function aliased(main: string, alias: string, a: string | undefined, b: string | undefined): string | undefined {
  if (a !== undefined && b !== undefined && a !== b) throw new UsageError(`${main}: given twice, as ${main} ${a} and ${alias} ${b}`);
  return a ?? b;
}

export function runInputFromFlags(f: RunFlags, params: Record<string, unknown>): RunInput {
  return {
    strategy: f.strategy,
    params,
    symbols: f.symbols,
    period: f.period,
    dataset: f.dataset,
    start: aliased('--start', '--from', f.start, f.from),
    end: aliased('--end', '--to', f.end, f.to),
    initialCash: f.cash,
    commission: { perUnit: f.commissionPerUnit, minimumPerOrder: f.commissionMin, percentOfNotional: f.commissionPct },
    slippageBps: f.slippageBps,
    periodsPerYear: f.periodsPerYear,
    benchmark: f.benchmark === undefined ? undefined : benchmarkFlag(f.benchmark),
    riskFreeRate: f.riskFreeRate,
  };
}

/** `--benchmark SPX` (the run's dataset) or `--benchmark demo/SPX`. */
function benchmarkFlag(text: string): { dataset?: string; symbol: string } {
  const slash = text.indexOf('/');
  return slash < 0 ? { symbol: text } : { dataset: text.slice(0, slash), symbol: text.slice(slash + 1) };
}

/** Input field -> the flag that sets it, so validation errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  strategy: '--strategy',
  dataset: '--dataset',
  symbols: '--symbols',
  period: '--period',
  start: '--start',
  end: '--end',
  initialCash: '--cash',
  'commission.perUnit': '--commission-per-unit',
  'commission.minimumPerOrder': '--commission-min',
  'commission.percentOfNotional': '--commission-pct',
  slippageBps: '--slippage-bps',
  periodsPerYear: '--periods-per-year',
  benchmark: '--benchmark',
  'benchmark.dataset': '--benchmark',
  'benchmark.symbol': '--benchmark',
  riskFreeRate: '--risk-free-rate',
  objective: '--objective',
  keepTop: '--keep-top',
  maxCombinations: '--max-combinations',
  grid: '--grid',
  params: '--param',
  ...ACCOUNT_RISK_FLAG_OF,
};

/** The flag for a validation field; `--from`/`--to` when the user typed the alias. */
export function flagFor(field: string, f?: Pick<RunFlags, 'start' | 'from' | 'end' | 'to'>): string {
  if (field.startsWith('params.')) return `--param ${field.slice('params.'.length)}`;
  if (field.startsWith('grid.')) return `--grid ${field.slice('grid.'.length)}`;
  if (/^symbols\[\d+\]$/.test(field)) return '--symbols';
  if (field === 'start' && f?.start === undefined && f?.from !== undefined) return '--from';
  if (field === 'end' && f?.end === undefined && f?.to !== undefined) return '--to';
  return FLAG_OF[field] ?? field;
}
