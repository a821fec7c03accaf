/**
 * The one validation of a backtest request, shared by the GraphQL mutation and the CLI so both
 * refuse exactly the same inputs with the same field-level messages, before anything is stored.
 */
import { BAR_PERIODS, PERIODS_PER_YEAR, type BarPeriod } from '../engine/bars.js';
import type { FieldError } from '../engine/params.js';
import { validateStrategyParams, type AnyStrategy } from '../engine/strategy.js';
import type { StrategyRegistry } from '../engine/strategy-registry.js';
import { getCoverage, listDatasets } from '../data/bar-store.js';
import type { AppDatabase } from '../data/db.js';
import { dayRange, DayRangeError } from '../data/day-range.js';
import type { CommissionSpec, NewRun } from '../data/run-types.js';

export const MAX_SYMBOLS = 100;

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

export interface RunInputContext {
  readonly app: AppDatabase;
  readonly strategies: StrategyRegistry;
}

/** Validates a request against the registry and the stored data; throws RunInputError listing every bad field. */
export function validateRunInput(ctx: RunInputContext, input: RunInput, path = ''): ValidatedRun {
  const errors: FieldError[] = [];
  const field = (name: string) => (path ? `${path}.${name}` : name);
  const fail = (name: string, message: string) => errors.push({ field: field(name), message });

  const strategy = ctx.strategies.get(input.strategy);
  let params: Record<string, unknown> = {};
  if (strategy === undefined) {
    const known = ctx.strategies.list().map((s) => s.id).join(', ');
    fail('strategy', `unknown strategy ${JSON.stringify(input.strategy)} (known: ${known})`);
  } else {
    const checked = validateStrategyParams(strategy, input.params);
    if (checked.ok) params = checked.values;
    else for (const e of checked.errors) errors.push({ field: field(e.field), message: e.message });
  }

  const period = BAR_PERIODS.includes(input.period as BarPeriod) ? (input.period as BarPeriod) : null;
  if (period === null) fail('period', `must be one of ${BAR_PERIODS.join(', ')}`);

  const datasets = listDatasets(ctx.app);
  let dataset: string | undefined = input.dataset ?? datasets[0]?.id;
  if (dataset === undefined) fail('dataset', 'no datasets are loaded');
  else if (!datasets.some((d) => d.id === dataset)) {
    fail('dataset', `unknown dataset ${JSON.stringify(dataset)} (known: ${datasets.map((d) => d.id).join(', ')})`);
    dataset = undefined;
  }

  const symbols = input.symbols;
  if (!Array.isArray(symbols) || symbols.length === 0) fail('symbols', 'must list at least one symbol');
  else if (symbols.length > MAX_SYMBOLS) fail('symbols', `at most ${MAX_SYMBOLS} symbols per run, got ${symbols.length}`);
  else {
    const seen = new Set<string>();
    symbols.forEach((symbol, i) => {
      if (typeof symbol !== 'string' || symbol.trim() === '') fail(`symbols[${i}]`, 'must be a non-empty symbol');
      else if (seen.has(symbol)) fail(`symbols[${i}]`, `${symbol} is listed twice`);
      seen.add(symbol);
    });
  }

  let range: { from?: number; to?: number } = {};
  try {
    range = dayRange(input.start, input.end);
  } catch (e) {
    if (!(e instanceof DayRangeError)) throw e;
    fail(e.field, e.message);
  }

  // Coverage: each symbol must have bars of this period, and the range must overlap them.
  if (dataset !== undefined && period !== null && errors.every((e) => !e.field.startsWith(field('symbols')))) {
    symbols.forEach((symbol, i) => {
      const cov = getCoverage(ctx.app, { dataset: dataset as string, symbol, period });
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

  const initialCash = input.initialCash ?? DEFAULT_CASH;
  if (!isFiniteNumber(initialCash) || initialCash <= 0) fail('initialCash', `must be a finite number > 0, got ${String(initialCash)}`);
  const commission: CommissionSpec = {
    perUnit: input.commission?.perUnit ?? 0,
    minimumPerOrder: input.commission?.minimumPerOrder ?? 0,
    percentOfNotional: input.commission?.percentOfNotional ?? 0,
  };
  for (const [name, value] of Object.entries(commission)) {
    if (!isFiniteNumber(value) || value < 0) fail(`commission.${name}`, `must be a finite number >= 0, got ${String(value)}`);
  }
  const slippageBps = input.slippageBps ?? 0;
  if (!isFiniteNumber(slippageBps) || slippageBps < 0) fail('slippageBps', `must be a finite number >= 0, got ${String(slippageBps)}`);
  if (input.periodsPerYear != null && (!isFiniteNumber(input.periodsPerYear) || input.periodsPerYear <= 0)) {
    fail('periodsPerYear', `must be a finite number > 0, got ${String(input.periodsPerYear)}`);
  }

  if (errors.length > 0) throw new RunInputError(errors);
  const p = period as BarPeriod;
  return {
    strategy: strategy as AnyStrategy,
    from: range.from,
    to: range.to,
    run: {
      strategy: (strategy as AnyStrategy).id,
      params,
      symbols: [...symbols],
      dataset: dataset as string,
      period: p,
      start: input.start ?? null,
      end: input.end ?? null,
      initialCash,
      commission,
      slippageBps,
      periodsPerYear: input.periodsPerYear ?? PERIODS_PER_YEAR[p],
    },
  };
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
