/**
 * Validation and expansion of a parameter sweep, shared by the GraphQL mutation and the CLI.
 * Everything is checked before anything runs: the base run input, each grid entry (unknown param,
 * wrong type or range, a step that does not divide its range), the objective and the size limit.
 * Combinations that break a strategy's cross-parameter rule are skipped and counted, not refused.
 */
import { brief, briefList } from '../engine/brief.js';
import type { ParamSpec, FieldError } from '../engine/params.js';
import { checkParamsShape, checkParamValue, validateParams } from '../engine/params.js';
import type { RunMetrics } from '../engine/results.js';
import { RunInputError, validateRunInput, type RunInput, type RunInputContext, type ValidatedRun } from './run-input.js';

export const METRIC_NAMES: readonly (keyof RunMetrics)[] = [
  'finalEquity', 'totalReturn', 'cagr', 'volatility', 'sharpe', 'sortino', 'maxDrawdown',
  'maxDrawdownDuration', 'trades', 'winRate', 'profitFactor', 'totalCommission', 'exposure',
];

export const DEFAULT_MAX_COMBINATIONS = 10_000;
export const MAX_COMBINATIONS_LIMIT = 1_000_000;
export const MAX_KEEP_TOP = 100;
/** A grid sweeps at most this many parameters... */
export const MAX_GRID_PARAMS = 16;
/** ...each over at most this many values (listed or from { min, max, step })... */
export const MAX_GRID_VALUES = 10_000;
/** ...and takes at most this many characters as JSON (checked before any per-entry work). */
export const MAX_GRID_JSON_CHARS = 64 * 1024;

export interface SweepInput extends RunInput {
  readonly grid: unknown;
  readonly objective?: string | null;
  readonly maximize?: boolean | null;
  readonly keepTop?: number | null;
  readonly maxCombinations?: number | null;
}

export interface Combination {
  /** Index in grid order (the cartesian product, first grid param varying slowest). */
  readonly seq: number;
  /** The full resolved parameter set. */
  readonly params: Record<string, unknown>;
}

export interface ValidatedSweep {
  /** The run every combination shares, with the default params (each combination brings its own). */
  readonly base: ValidatedRun;
  readonly baseParams: Record<string, unknown>;
  readonly grid: Record<string, unknown[]>;
  readonly combinations: readonly Combination[];
  readonly total: number;
  readonly skipped: number;
  readonly objective: keyof RunMetrics;
  readonly maximize: boolean;
  readonly keepTop: number;
}

const EPSILON = 1e-9;

export function validateSweepInput(ctx: RunInputContext, input: SweepInput): ValidatedSweep {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });

  // The base run with default params: every other field is checked exactly as for a single run.
  let base: ValidatedRun | undefined;
  try {
    base = validateRunInput(ctx, { ...input, params: {} });
  } catch (e) {
    if (!(e instanceof RunInputError)) throw e;
    errors.push(...e.errors);
  }
  const specs: Record<string, ParamSpec> = base ? (base.strategy.params as Record<string, ParamSpec>) : {};
  const known = briefList(Object.keys(specs));

  const maxCombinations = input.maxCombinations ?? DEFAULT_MAX_COMBINATIONS;
  if (!Number.isInteger(maxCombinations) || maxCombinations < 1 || maxCombinations > MAX_COMBINATIONS_LIMIT) {
    fail('maxCombinations', `must be an integer from 1 to ${MAX_COMBINATIONS_LIMIT}, got ${brief(maxCombinations)}`);
  }
  const keepTop = input.keepTop ?? 10;
  if (!Number.isInteger(keepTop) || keepTop < 0 || keepTop > MAX_KEEP_TOP) fail('keepTop', `must be an integer from 0 to ${MAX_KEEP_TOP}, got ${brief(keepTop)}`);
  const objective = (input.objective ?? 'sharpe') as keyof RunMetrics;
  if (!METRIC_NAMES.includes(objective)) fail('objective', `unknown metric ${brief(input.objective, 40)} (known: ${METRIC_NAMES.join(', ')})`);

  // Fixed overrides: each must be a known param with a valid value.
  const baseParams: Record<string, unknown> = {};
  const overrides = input.params ?? {};
  const overridesShape = checkParamsShape(overrides, 'params');
  if (overridesShape) errors.push(overridesShape);
  else if (base) {
    for (const [name, value] of Object.entries(overrides as Record<string, unknown>)) {
      const spec = specs[name];
      if (!spec) fail(`params.${name}`, `unknown parameter (known: ${known})`);
      else {
        const problem = checkParamValue(spec, value);
        if (problem) fail(`params.${name}`, problem);
        else baseParams[name] = value;
      }
    }
  }

  const grid: Record<string, unknown[]> = {};
  const gridShape = checkParamsShape(input.grid, 'grid', { maxKeys: MAX_GRID_PARAMS, maxJsonChars: MAX_GRID_JSON_CHARS });
  if (gridShape || Object.keys(input.grid as object).length === 0) {
    fail('grid', `must be an object mapping 1 to ${MAX_GRID_PARAMS} parameters to a list of values or to { min, max, step }${gridShape ? ` (${gridShape.message})` : ''}`);
  } else if (base) {
    for (const [name, entry] of Object.entries(input.grid as Record<string, unknown>)) {
      const spec = specs[name];
      if (!spec) {
        fail(`grid.${name}`, `unknown parameter (known: ${known})`);
        continue;
      }
      if (Object.hasOwn(baseParams, name)) fail(`grid.${name}`, 'is also fixed in params; give it in one place');
      const values = expandEntry(`grid.${name}`, spec, entry, Math.min(maxCombinations, MAX_GRID_VALUES), fail);
      if (values) grid[name] = values;
    }
  }

  const names = Object.keys(grid);
  const total = names.reduce((n, name) => n * grid[name].length, 1);
  if (errors.length === 0 && total > maxCombinations) {
    fail('grid', `${total} combinations exceed maxCombinations (${maxCombinations})`);
  }
  if (errors.length > 0 || !base) throw new RunInputError(errors);

  const combinations: Combination[] = [];
  let skipped = 0;
  const index = new Array<number>(names.length).fill(0);
  for (let seq = 0; seq < total; seq++) {
    const combo: Record<string, unknown> = { ...baseParams };
    names.forEach((name, k) => (combo[name] = grid[name][index[k]]));
    const resolved = validateParams(base.strategy.params, combo, base.strategy.validate);
    if (resolved.ok) combinations.push({ seq, params: resolved.values as Record<string, unknown> });
    else skipped++;
    // Odometer: the last grid param varies fastest.
    for (let k = names.length - 1; k >= 0; k--) {
      if (++index[k] < grid[names[k]].length) break;
      index[k] = 0;
    }
  }
  return { base, baseParams, grid, combinations, total, skipped, objective, maximize: input.maximize ?? true, keepTop };
}

/** One grid entry as its list of values, or null after reporting what is wrong with it. */
function expandEntry(
  field: string,
  spec: ParamSpec,
  entry: unknown,
  maxValues: number,
  fail: (field: string, message: string) => void,
): unknown[] | null {
  if (Array.isArray(entry)) {
    if (entry.length === 0) {
      fail(field, 'must list at least one value');
      return null;
    }
    if (entry.length > MAX_GRID_VALUES) {
      fail(field, `at most ${MAX_GRID_VALUES} values, got ${entry.length}`);
      return null;
    }
    // The first bad value only: one message, not one per entry of a long list.
    const bad = entry.findIndex((value) => checkParamValue(spec, value) !== null);
    if (bad >= 0) {
      const more = entry.filter((value) => checkParamValue(spec, value) !== null).length - 1;
      fail(`${field}[${bad}]`, `${checkParamValue(spec, entry[bad])}${more > 0 ? ` (and ${more} more bad values)` : ''}`);
      return null;
    }
    if (new Set(entry).size !== entry.length) {
      fail(field, 'lists a value twice');
      return null;
    }
    return entry;
  }
  if (typeof entry !== 'object' || entry === null) {
    fail(field, 'must be a list of values or { min, max, step }');
    return null;
  }
  if (spec.kind !== 'int' && spec.kind !== 'float') {
    fail(field, `a { min, max, step } range needs an int or float parameter; list the values of this ${spec.kind} parameter`);
    return null;
  }
  const range = entry as Record<string, unknown>;
  const unknownKeys = Object.keys(range).filter((key) => !['min', 'max', 'step'].includes(key));
  if (unknownKeys.length > 0) {
    const key = unknownKeys[0]!;
    const more = unknownKeys.length > 1 ? `; ${unknownKeys.length - 1} more unknown` : '';
    fail(`${field}.${key.length <= 40 ? key : `${key.slice(0, 40)}...`}`, `unknown key (use min, max, step)${more}`);
  }
  const min = range.min ?? spec.min;
  const max = range.max ?? spec.max;
  const step = range.step ?? spec.step;
  const bounds = { min, max, step };
  let ok = true;
  for (const [key, v] of Object.entries(bounds)) {
    if (v === undefined) {
      fail(`${field}.${key}`, `is required (the parameter's spec has no ${key})`);
      ok = false;
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      fail(`${field}.${key}`, `must be a finite number, got ${brief(v)}`);
      ok = false;
    }
  }
  if (!ok) return null;
  const [lo, hi, by] = [min, max, step] as number[];
  if (by <= 0) {
    fail(`${field}.step`, `must be > 0, got ${by}`);
    return null;
  }
  if (lo > hi) {
    fail(`${field}.min`, `${lo} is greater than max ${hi}`);
    return null;
  }
  const steps = (hi - lo) / by;
  if (Math.abs(steps - Math.round(steps)) > EPSILON * Math.max(1, steps)) {
    fail(`${field}.step`, `${by} does not divide the range ${lo}..${hi}`);
    return null;
  }
  const count = Math.round(steps) + 1;
  if (count > maxValues) {
    fail(field, `${count} values exceed the limit of ${maxValues} (maxCombinations, at most ${MAX_GRID_VALUES} per parameter)`);
    return null;
  }
  // min + k × step, computed from k each time so float error does not accumulate.
  const values = Array.from({ length: count }, (_, k) => (k === count - 1 ? hi : lo + k * by));
  const bad = values.findIndex((value) => checkParamValue(spec, value) !== null);
  if (bad >= 0) {
    fail(`${field}`, `value ${values[bad]} (#${bad}) ${checkParamValue(spec, values[bad])}`);
    return null;
  }
  return values;
}
