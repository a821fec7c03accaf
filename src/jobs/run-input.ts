/**
 * The one validation of a backtest request, shared by the GraphQL mutation and the CLI so both
 * refuse exactly the same inputs with the same field-level messages, before anything is stored.
 * Every number and string that reaches the engine or storage has a documented range here (the
 * schema descriptions are built from the same constants), and no message shows more than a brief
 * part of what the client sent.
 */
import { BAR_PERIODS, PERIODS_PER_YEAR, type BarPeriod } from '../engine/bars.js';
import { brief, briefList } from '../engine/brief.js';
import type { FieldError } from '../engine/params.js';
import { validateStrategyParams, type AnyStrategy } from '../engine/strategy.js';
import type { StrategyRegistry } from '../engine/strategy-registry.js';
import { coverageIn, type DatasetInfo } from '../data/bar-store.js';
import { dayRange, DayRangeError } from '../data/day-range.js';
import type { CommissionSpec, NewRun } from '../data/run-types.js';
import { checkRange, type NumberRange } from './number-range.js';
import { RISK_FREE_RATE_RANGE, validateBenchmark, type BenchmarkInput } from './benchmark-input.js';
import { validateAccountInput, validateRiskInput, type AccountInput, type RiskInput } from './account-risk-input.js';

export const MAX_SYMBOLS = 100;
/** Symbols as the importer accepts them: 1 to 32 of letters, digits and `. _ ^ = -`. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9._^=-]{1,32}$/;
export const SYMBOL_RULE = '1 to 32 letters, digits or . _ ^ = -';
/** Strategy and dataset ids are at most this long (both are lowercase slugs). */
export const MAX_ID_CHARS = 64;

/**
 * The numeric ranges. Wide enough for any real account, narrow enough that prices, cash and
 * statistics stay finite: at most 1e12 units (the params bound) × 1e12 cash-sized prices is far from
 * overflow, and slippage at most 10 % per side keeps every fill price positive.
 */
export const RUN_RANGES = {
  initialCash: { min: 0, minExclusive: true, max: 1e12 },
  perUnit: { min: 0, max: 1e6 },
  minimumPerOrder: { min: 0, max: 1e6 },
  /** A percent of the notional (1 = 1 %). */
  percentOfNotional: { min: 0, max: 10 },
  /** Basis points per side; 1000 = 10 %, so a sell at price p fills at >= 0.9 p. */
  slippageBps: { min: 0, max: 1000 },
  /** From yearly bars to more than one per second of a 24/7 year (SECOND is 252 × 23,400 = 5.9e6). */
  periodsPerYear: { min: 1, max: 1e7 },
} as const satisfies Record<string, NumberRange>;

/** What a client may send; every field is checked, nothing is trusted. */
export interface RunInput {
  readonly strategy: string;
  readonly params?: unknown;
  readonly symbols: readonly string[];
  readonly period: string;
  readonly dataset?: string | null;
  readonly start?: string | null;
  readonly end?: string | null;
  readonly initialCash?: number | null;
  readonly commission?: Partial<Record<keyof CommissionSpec, number | null>> | null;
  readonly slippageBps?: number | null;
  readonly periodsPerYear?: number | null;
  /** Buy-and-hold of this symbol as the analytics' benchmark (default: none). */
  readonly benchmark?: BenchmarkInput | null;
  /** Annual, a fraction; Sharpe, Sortino and alpha use it (default 0). */
  readonly riskFreeRate?: number | null;
  /** CASH or MARGIN with a leverage (default MARGIN, 1). */
  readonly account?: AccountInput | null;
  /** Risk limits checked before the broker (default none). */
  readonly risk?: RiskInput | null;
}

/** A request that passed validation: what to store, plus what the run needs. */
export interface ValidatedRun {
  readonly run: NewRun & { readonly periodsPerYear: number };
  readonly strategy: AnyStrategy;
  /** Epoch ms bounds for loading bars: from inclusive, to exclusive. */
  readonly from?: number;
  readonly to?: number;
}

export class RunInputError extends Error {
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'RunInputError';
  }
}

const DEFAULT_CASH = 100_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What a run is checked against: the stored datasets with their coverage (listDatasets), and the strategies. */
export interface RunInputContext {
  readonly datasets: readonly DatasetInfo[];
  readonly strategies: StrategyRegistry;
}

/** Validates a request against the registry and the stored data; throws RunInputError listing every bad field. */
export function validateRunInput(ctx: RunInputContext, input: RunInput, path = ''): ValidatedRun {
  const errors: FieldError[] = [];
  const field = (name: string) => (path ? `${path}.${name}` : name);
  const fail = (name: string, message: string) => errors.push({ field: field(name), message });

  const strategy = typeof input.strategy === 'string' && input.strategy.length <= MAX_ID_CHARS ? ctx.strategies.get(input.strategy) : undefined;
  let params: Record<string, unknown> = {};
  if (strategy === undefined) {
    const known = briefList(ctx.strategies.list().map((s) => s.id));
    fail('strategy', `unknown strategy ${brief(input.strategy, MAX_ID_CHARS)} (known: ${known})`);
  } else {
    const checked = validateStrategyParams(strategy, input.params);
    if (checked.ok) params = checked.values;
    else for (const e of checked.errors) errors.push({ field: field(e.field), message: e.message });
  }

  const period = BAR_PERIODS.includes(input.period as BarPeriod) ? (input.period as BarPeriod) : null;
  if (period === null) fail('period', `must be one of ${BAR_PERIODS.join(', ')}, got ${brief(input.period, 20)}`);

  const symbols = checkSymbols(input.symbols, (name, message) => fail(name, message));

  const datasets = ctx.datasets;
  let dataset: string | undefined;
  if (input.dataset != null) {
    if (typeof input.dataset === 'string' && input.dataset.length <= MAX_ID_CHARS && datasets.some((d) => d.id === input.dataset)) dataset = input.dataset;
    else fail('dataset', `unknown dataset ${brief(input.dataset, MAX_ID_CHARS)} (known: ${briefList(datasets.map((d) => d.id)) || 'none'})`);
  } else if (datasets.length === 0) {
    fail('dataset', 'no datasets are loaded');
  } else if (symbols !== null && period !== null) {
    const chosen = defaultDataset(datasets, symbols, period);
    if (typeof chosen === 'string') dataset = chosen;
    else fail('dataset', chosen.problem);
  }

  let range: { from?: number; to?: number } = {};
  const dates = { start: input.start, end: input.end };
  for (const [name, value] of Object.entries(dates)) {
    if (value != null && (typeof value !== 'string' || !DATE.test(value))) fail(name, `must be a YYYY-MM-DD date, got ${brief(value, 20)}`);
  }
  if (errors.every((e) => e.field !== field('start') && e.field !== field('end'))) {
    try {
      range = dayRange(input.start, input.end);
    } catch (e) {
      if (!(e instanceof DayRangeError)) throw e;
      fail(e.field, e.message);
    }
  }

  // Coverage: each symbol must have bars of this period, and the range must overlap them.
  if (dataset !== undefined && period !== null && symbols !== null) {
    symbols.forEach((symbol, i) => {
      const cov = coverageIn(datasets, { dataset: dataset as string, symbol, period });
      if (cov === null) {
        fail(`symbols[${i}]`, `no ${period} bars for ${symbol} in dataset ${dataset}`);
        return;
      }
      if (range.from !== undefined && range.from > cov.last) {
        fail('start', `${input.start} is after the last ${period} bar of ${symbol} (${isoDay(cov.last)})`);
      }
      if (range.to !== undefined && range.to <= cov.first) {
        fail('end', `${input.end} is before the first ${period} bar of ${symbol} (${isoDay(cov.first)})`);
      }
    });
  }

  const checkNumber = (name: string, value: unknown, r: NumberRange) => {
    const problem = checkRange(value, r);
    if (problem !== null) fail(name, problem);
  };
  const initialCash = input.initialCash ?? DEFAULT_CASH;
  checkNumber('initialCash', initialCash, RUN_RANGES.initialCash);
  const commission: CommissionSpec = {
    perUnit: input.commission?.perUnit ?? 0,
    minimumPerOrder: input.commission?.minimumPerOrder ?? 0,
    percentOfNotional: input.commission?.percentOfNotional ?? 0,
  };
  for (const name of ['perUnit', 'minimumPerOrder', 'percentOfNotional'] as const) {
    checkNumber(`commission.${name}`, commission[name], RUN_RANGES[name]);
  }
  const slippageBps = input.slippageBps ?? 0;
  checkNumber('slippageBps', slippageBps, RUN_RANGES.slippageBps);
  if (input.periodsPerYear != null) checkNumber('periodsPerYear', input.periodsPerYear, RUN_RANGES.periodsPerYear);
  const riskFreeRate = input.riskFreeRate ?? 0;
  checkNumber('riskFreeRate', riskFreeRate, RISK_FREE_RATE_RANGE);
  const benchmark = validateBenchmark(datasets, input.benchmark, dataset, period, fail);
  const account = validateAccountInput(input.account, fail);
  const risk = validateRiskInput(input.risk, fail);

  if (errors.length > 0) throw new RunInputError(errors);
  const p = period as BarPeriod;
  return {
    strategy: strategy as AnyStrategy,
    from: range.from,
    to: range.to,
    run: {
      strategy: (strategy as AnyStrategy).id,
      params,
      symbols: [...(symbols as string[])],
      dataset: dataset as string,
      period: p,
      start: input.start ?? null,
      end: input.end ?? null,
      initialCash,
      commission,
      slippageBps,
      periodsPerYear: input.periodsPerYear ?? PERIODS_PER_YEAR[p],
      benchmark,
      riskFreeRate,
      account,
      risk,
    },
  };
}

/** The symbols when the list is well-formed (1..MAX_SYMBOLS distinct valid names), else null after reporting why. */
function checkSymbols(symbols: unknown, fail: (name: string, message: string) => void): string[] | null {
  if (!Array.isArray(symbols) || symbols.length === 0) {
    fail('symbols', 'must list at least one symbol');
    return null;
  }
  if (symbols.length > MAX_SYMBOLS) {
    fail('symbols', `at most ${MAX_SYMBOLS} symbols per run, got ${symbols.length}`);
    return null;
  }
  let ok = true;
  const seen = new Set<string>();
  symbols.forEach((symbol: unknown, i) => {
    if (typeof symbol !== 'string' || symbol.trim() === '') fail(`symbols[${i}]`, `must be a non-empty symbol (${SYMBOL_RULE})`);
    else if (!SYMBOL_PATTERN.test(symbol)) fail(`symbols[${i}]`, `must be ${SYMBOL_RULE}, got ${brief(symbol, 40)}`);
    else if (seen.has(symbol)) fail(`symbols[${i}]`, `${symbol} is listed twice`);
    else {
      seen.add(symbol);
      return;
    }
    ok = false;
  });
  return ok ? (symbols as string[]) : null;
}

/**
 * Without an explicit dataset: the one dataset holding bars of this period for every symbol. None or
 * several is the caller's choice to make, so it is refused with the candidates named.
 */
function defaultDataset(datasets: readonly DatasetInfo[], symbols: readonly string[], period: BarPeriod): string | { problem: string } {
  const holds = (d: DatasetInfo, symbol: string) => d.instruments.some((i) => i.symbol === symbol && i.coverage.some((c) => c.period === period));
  const complete = datasets.filter((d) => symbols.every((s) => holds(d, s))).map((d) => d.id);
  if (complete.length === 1) return complete[0]!;
  const wanted = briefList(symbols as string[], 5);
  if (complete.length > 1) {
    return { problem: `${complete.length} datasets hold ${period} bars of ${wanted}: ${briefList(complete)}; name one` };
  }
  const partial = datasets.filter((d) => symbols.some((s) => holds(d, s))).map((d) => d.id);
  return {
    problem:
      partial.length > 0
        ? `no dataset holds ${period} bars of every symbol (${wanted}); some are in ${briefList(partial)}`
        : `no dataset holds ${period} bars of ${wanted} (datasets: ${briefList(datasets.map((d) => d.id))})`,
  };
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
