/**
 * `--param name=value` and `--grid name=...` texts typed by the strategy's parameter spec. Only the
 * spelling is checked here (an integer, a number, true/false, a choice in any case); ranges and
 * cross-parameter rules are left to the shared validation (src/engine/params.ts via
 * validateRunInput / validateSweepInput), whose field names the CLI maps back to flags.
 */
import type { ParamSpec } from '../engine/params.js';
import type { AnyStrategy } from '../engine/strategy.js';
import { UsageError, quote } from './usage-error.js';

/** One value for `spec`; `flag` names it in errors, e.g. `--param fastPeriod`. Unknown params pass through as text. */
export function parseParamText(flag: string, spec: ParamSpec | undefined, text: string): unknown {
  if (spec === undefined) return text;
  const t = text.trim();
  switch (spec.kind) {
    case 'int': {
      const v = Number(t);
      if (t === '' || !Number.isInteger(v)) throw new UsageError(`${flag}: expected an integer, got ${quote(text)}`);
      return v;
    }
    case 'float': {
      const v = Number(t);
      if (t === '' || !Number.isFinite(v)) throw new UsageError(`${flag}: expected a number, got ${quote(text)}`);
      return v;
    }
    case 'bool': {
      const lower = t.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new UsageError(`${flag}: expected true or false, got ${quote(text)}`);
      return lower === 'true';
    }
    case 'enum': {
      const hit = spec.choices.find((c) => c.toLowerCase() === t.toLowerCase());
      if (hit === undefined) throw new UsageError(`${flag}: expected one of ${spec.choices.join(', ')}, got ${quote(text)}`);
      return hit;
    }
  }
}

/** Splits `name=rest`; `flag` is `--param` or `--grid`. */
function splitAssignment(flag: string, pair: string, shape: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag}: expected ${shape}, got ${quote(pair)}`);
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
}

function specOf(strategy: AnyStrategy | undefined, name: string): ParamSpec | undefined {
  const specs = strategy?.params as Record<string, ParamSpec> | undefined;
  return specs !== undefined && Object.hasOwn(specs, name) ? specs[name] : undefined;
}

/** `--param name=value ...` -> a params object for validation. */
export function parseParamPairs(strategy: AnyStrategy | undefined, pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [name, text] = splitAssignment('--param', pair, 'name=value');
    if (Object.hasOwn(out, name)) throw new UsageError(`--param ${name}: given twice`);
    out[name] = parseParamText(`--param ${name}`, specOf(strategy, name), text);
  }
  return out;
}

const RANGE_PARTS = ['min', 'max', 'step'] as const;

/** `--grid name=min:max[:step]` (numeric params) or `--grid name=a,b,c` -> a grid object for validateSweepInput. */
export function parseGridEntries(strategy: AnyStrategy | undefined, entries: readonly string[]): Record<string, unknown> {
  const grid: Record<string, unknown> = {};
  for (const entry of entries) {
    const [name, text] = splitAssignment('--grid', entry, 'name=min:max[:step] or name=a,b,c');
    const flag = `--grid ${name}`;
    if (Object.hasOwn(grid, name)) throw new UsageError(`${flag}: given twice`);
    const spec = specOf(strategy, name);
    if (text.includes(':')) {
      const parts = text.split(':');
      if (parts.length < 2 || parts.length > 3) throw new UsageError(`${flag}: expected min:max or min:max:step, got ${quote(text)}`);
      if (spec !== undefined && spec.kind !== 'int' && spec.kind !== 'float') {
        throw new UsageError(`${flag}: a min:max range needs a numeric parameter; list the values instead, e.g. ${name}=a,b`);
      }
      // An empty part takes the spec's own bound or step: `fastPeriod=:100` starts at the spec's min.
      const [min, max, step] = parts.map((p, k) =>
        p.trim() === '' ? undefined : parseParamText(`${flag}.${RANGE_PARTS[k]}`, spec ?? { kind: 'float', default: 0 }, p),
      );
      grid[name] = { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }), ...(step === undefined ? {} : { step }) };
    } else {
      grid[name] = text.split(',').map((v) => parseParamText(flag, spec, v));
    }
  }
  return grid;
}
