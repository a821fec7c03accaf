/**
 * The sentences that document the input ranges in the GraphQL schema (and may serve the CLI's help),
 * written from the very constants the validators check, so the documentation cannot drift.
 */
import { MAX_PARAM_KEYS, MAX_PARAMS_JSON_CHARS, PARAM_NUMBER_LIMIT } from '../engine/params.js';
import { describeRange, formatBound } from './number-range.js';
import { MAX_ID_CHARS, MAX_SYMBOLS, RUN_RANGES, SYMBOL_RULE } from './run-input.js';
import { MAX_COMBINATIONS_LIMIT, MAX_GRID_JSON_CHARS, MAX_GRID_PARAMS, MAX_GRID_VALUES, MAX_KEEP_TOP } from './sweep-input.js';

export const RUN_INPUT_DOCS = {
  strategy: `A strategy id (at most ${MAX_ID_CHARS} characters).`,
  params:
    `Overrides of the defaults, validated against the specs: at most ${MAX_PARAM_KEYS} known names and ` +
    `${MAX_PARAMS_JSON_CHARS} characters as JSON; numbers also within ±${formatBound(PARAM_NUMBER_LIMIT)}.`,
  symbols: `1 to ${MAX_SYMBOLS} distinct symbols, each ${SYMBOL_RULE}.`,
  dataset:
    `At most ${MAX_ID_CHARS} characters. Default: the one dataset that holds bars of this period for every symbol; ` +
    'when none or several do, the input is refused naming the candidates.',
  start: 'Inclusive; default: the first bar.',
  end: 'Inclusive (whole day), not before start; default: the last bar.',
  initialCash: `Starting cash, ${describeRange(RUN_RANGES.initialCash)}.`,
  slippageBps:
    `Basis points per side on market and stop fills, ${describeRange(RUN_RANGES.slippageBps)} ` +
    '(at most 10 % per side, so fill prices stay positive).',
  periodsPerYear:
    `Annualisation of volatility, Sharpe and Sortino, ${describeRange(RUN_RANGES.periodsPerYear)}; ` +
    'default by period (252 for DAY).',
} as const;

export const COMMISSION_INPUT_DOCS = {
  perUnit: `Per unit traded, ${describeRange(RUN_RANGES.perUnit)}.`,
  minimumPerOrder: `The least the per-unit part costs a fill, ${describeRange(RUN_RANGES.minimumPerOrder)}.`,
  percentOfNotional: `Percent of quantity × price (1 = 1 %), ${describeRange(RUN_RANGES.percentOfNotional)}.`,
} as const;

export const SWEEP_INPUT_DOCS = {
  params: `Fixed overrides shared by every combination; the limits of RunBacktestInput.params.`,
  grid:
    `Param name -> a list of values, or { min, max, step } (each defaulting to the spec): at most ` +
    `${MAX_GRID_PARAMS} parameters of at most ${MAX_GRID_VALUES} values each, ${MAX_GRID_JSON_CHARS} characters as JSON.`,
  keepTop: `The best N (0 to ${MAX_KEEP_TOP}) are also stored as full runs (linked by runId).`,
  maxCombinations: `From 1 to ${formatBound(MAX_COMBINATIONS_LIMIT)}; a larger grid is refused.`,
} as const;
