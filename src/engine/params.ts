/**
 * Typed parameter specs. A strategy declares its params once; the same spec drives validation,
 * the GraphQL `ParamSpec` types, the CLI and sweeps, and types the values the strategy receives.
 */
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
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a finite number, got ${describe(value)}`;
      if (spec.kind === 'int' && !Number.isInteger(value)) return `must be an integer, got ${value}`;
      if (spec.min !== undefined) {
        if (spec.kind === 'float' && spec.minExclusive === true && value <= spec.min) return `must be > ${spec.min}`;
        if (value < spec.min) return `must be >= ${spec.min}`;
      }
      if (spec.max !== undefined && value > spec.max) return `must be <= ${spec.max}`;
      return null;
    }
    case 'bool':
      return typeof value === 'boolean' ? null : `must be a boolean, got ${describe(value)}`;
    case 'enum':
      return typeof value === 'string' && spec.choices.includes(value)
        ? null
        : `must be one of ${spec.choices.join(', ')}, got ${describe(value)}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
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
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ field: path, message: `must be an object of parameter values, got ${describe(input)}` }] };
  }
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
