/**
 * Typed parameter specs. A strategy declares its params once; the same spec drives validation,
 * the GraphQL `ParamSpec` types, the CLI and sweeps, and types the values the strategy receives.
 */
import { brief } from './brief.js';
import { fitsJsonBudget } from './json-size.js';

/** A params object may name at most this many parameters (refused before any per-key work). */
export const MAX_PARAM_KEYS = 64;
/** ...and take at most this many characters as JSON. */
export const MAX_PARAMS_JSON_CHARS = 16 * 1024;
/** A parameter name is at most this long (strategy param names are identifiers). */
export const MAX_PARAM_NAME_CHARS = 64;
/**
 * Every int or float parameter lies within ±this, whatever its spec allows: a quantity of 1e300 would
 * overflow notionals and cash to Infinity. Specs may narrow it; an unbounded spec means this range.
 */
export const PARAM_NUMBER_LIMIT = 1e12;
interface ParamSpecBase {
  readonly description?: string;
}
export interface IntParamSpec extends ParamSpecBase {
  readonly kind: 'int';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  /** Granularity for sweeps; single values are not required to be on the grid. */
  readonly step?: number;
}
export interface FloatParamSpec extends ParamSpecBase {
  readonly kind: 'float';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  /** When true, `min` itself is not allowed (e.g. quantity > 0). */
  readonly minExclusive?: boolean;
}
export interface BoolParamSpec extends ParamSpecBase {
  readonly kind: 'bool';
  readonly default: boolean;
}
export interface EnumParamSpec<C extends readonly string[] = readonly string[]> extends ParamSpecBase {
  readonly kind: 'enum';
  readonly choices: C;
  readonly default: C[number];
}
export type ParamSpec = IntParamSpec | FloatParamSpec | BoolParamSpec | EnumParamSpec;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The values a strategy receives, typed from its specs. */
export type ParamValues<S extends ParamSpecs> = {
  readonly [K in keyof S]: S[K] extends BoolParamSpec
    ? boolean
    : S[K] extends EnumParamSpec<infer C>
      ? C[number]
      : number;
};

export function intParam(spec: Omit<IntParamSpec, 'kind'>): IntParamSpec {
  return { kind: 'int', ...spec };
}
export function floatParam(spec: Omit<FloatParamSpec, 'kind'>): FloatParamSpec {
  return { kind: 'float', ...spec };
}
export function boolParam(spec: Omit<BoolParamSpec, 'kind'>): BoolParamSpec {
  return { kind: 'bool', ...spec };
}
export function enumParam<const C extends readonly string[]>(
  choices: C,
  spec: { readonly default: C[number]; readonly description?: string },
): EnumParamSpec<C> {
  return { kind: 'enum', choices, ...spec };
}

/** A field-level problem: `field` is a path such as `params.fastPeriod`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A cross-parameter rule violation reported by a strategy's `validate`. */
export interface ParamIssue {
  readonly param: string;
  readonly message: string;
}

export type ParamValidation<S extends ParamSpecs> =
  | { readonly ok: true; readonly values: ParamValues<S> }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/** Checks one value against its spec; returns the reason it is bad, or null. */
export function checkParamValue(spec: ParamSpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'int':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a finite number, got ${brief(value)}`;
      if (spec.kind === 'int' && !Number.isInteger(value)) return `must be an integer, got ${value}`;
      if (spec.min !== undefined) {
        if (spec.kind === 'float' && spec.minExclusive === true && value <= spec.min) return `must be > ${spec.min}`;
        if (value < spec.min) return `must be >= ${spec.min}`;
      }
      if (spec.max !== undefined && value > spec.max) return `must be <= ${spec.max}`;
      if (Math.abs(value) > PARAM_NUMBER_LIMIT) return `must be within ±${PARAM_NUMBER_LIMIT} (the engine-wide bound for numeric parameters), got ${value}`;
      return null;
    }
    case 'bool':
      return typeof value === 'boolean' ? null : `must be a boolean, got ${brief(value)}`;
    case 'enum':
      return typeof value === 'string' && spec.choices.includes(value)
        ? null
        : `must be one of ${spec.choices.join(', ')}, got ${brief(value)}`;
  }
}

/**
 * The size limits of a params-like object (params overrides, a sweep grid): an object, at most
 * `maxKeys` names of at most MAX_PARAM_NAME_CHARS, at most `maxJsonChars` as JSON. Checked before any
 * per-key work, so a million keys cost one refusal, not a million errors.
 */
export function checkParamsShape(
  input: unknown,
  path: string,
  limits: { readonly maxKeys: number; readonly maxJsonChars: number } = { maxKeys: MAX_PARAM_KEYS, maxJsonChars: MAX_PARAMS_JSON_CHARS },
): FieldError | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { field: path, message: `must be an object of parameter values, got ${brief(input)}` };
  }
  let keys = 0;
  for (const name in input) {
    if (!Object.hasOwn(input, name)) continue;
    if (++keys > limits.maxKeys) return { field: path, message: `at most ${limits.maxKeys} parameters, got more` };
    if (name.length > MAX_PARAM_NAME_CHARS) {
      return { field: path, message: `parameter names are at most ${MAX_PARAM_NAME_CHARS} characters, got ${brief(name, 40)}` };
    }
  }
  if (!fitsJsonBudget(input, limits.maxJsonChars)) return { field: path, message: `at most ${limits.maxJsonChars} characters as JSON` };
  return null;
}

/**
 * Validates user overrides against the specs and fills in defaults. Reports every problem at once:
 * unknown names, wrong types, non-integers, out-of-range values, unknown choices, then (only when each
 * value is fine on its own) the strategy's cross-parameter rules.
 */
export function validateParams<S extends ParamSpecs>(
  specs: S,
  input: unknown,
  crossRules?: (values: ParamValues<S>) => readonly ParamIssue[],
  path = 'params',
): ParamValidation<S> {
  const errors: FieldError[] = [];
  if (input === undefined || input === null) input = {};
  const shape = checkParamsShape(input, path);
  if (shape !== null) return { ok: false, errors: [shape] };
  const given = input as Record<string, unknown>;
  const known = Object.keys(specs);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      errors.push({ field: `${path}.${name}`, message: `unknown parameter (known: ${known.join(', ') || 'none'})` });
    }
  }
  const values: Record<string, unknown> = {};
  for (const name of known) {
    const spec = specs[name];
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    const problem = checkParamValue(spec, value);
    if (problem !== null) errors.push({ field: `${path}.${name}`, message: problem });
    values[name] = value;
  }
  if (errors.length === 0 && crossRules) {
    for (const issue of crossRules(values as ParamValues<S>)) errors.push({ field: `${path}.${issue.param}`, message: issue.message });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values: values as ParamValues<S> };
}

/** Parses a command-line string (`--param name=value`) into the spec's type; the result still goes through validateParams. */
export function parseParamString(spec: ParamSpec, text: string): unknown {
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const trimmed = text.trim();
      return trimmed === '' ? text : Number(trimmed);
    }
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'enum':
      return text;
  }
}
