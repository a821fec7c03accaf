/** Parameter specs, field-level validation, strategy definitions and the registry. */
import { describe, expect, it } from 'vitest';
import {
  StrategyRegistry,
  bollingerBreakout,
  boolParam,
  buyAndHold,
  builtinStrategies,
  defineStrategy,
  enumParam,
  floatParam,
  intParam,
  parseParamString,
  rsiReversion,
  smaCrossover,
  validateParams,
  validateStrategyParams,
  type AnyStrategy,
  type FieldError,
} from '../src/engine/index.js';
import { MAX_PARAM_KEYS, MAX_PARAMS_JSON_CHARS, PARAM_NUMBER_LIMIT } from '../src/engine/params.js';

const specs = {
  period: intParam({ default: 10, min: 2, max: 100 }),
  size: floatParam({ default: 1, min: 0, minExclusive: true, max: 1000 }),
  ratio: floatParam({ default: 0.5, min: 0, max: 1 }),
  flag: boolParam({ default: false }),
  mode: enumParam(['FAST', 'SLOW'], { default: 'FAST' }),
};

function errorsOf(v: ReturnType<typeof validateParams>): readonly FieldError[] {
  expect(v.ok).toBe(false);
  return v.ok ? [] : v.errors;
}
const fields = (v: ReturnType<typeof validateParams>) => errorsOf(v).map((e) => e.field);

describe('validateParams', () => {
  it('fills in defaults for absent values and keeps given ones', () => {
    const v = validateParams(specs, { period: 20, mode: 'SLOW' });
    expect(v).toEqual({ ok: true, values: { period: 20, size: 1, ratio: 0.5, flag: false, mode: 'SLOW' } });
    expect(validateParams(specs, {})).toEqual({ ok: true, values: { period: 10, size: 1, ratio: 0.5, flag: false, mode: 'FAST' } });
    expect(validateParams(specs, undefined).ok).toBe(true); // absent params = all defaults
  });

  it('an unknown name is a field-level error that lists the known names', () => {
    const errs = errorsOf(validateParams(specs, { perod: 5 }));
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('params.perod');
    expect(errs[0].message).toMatch(/unknown parameter/);
    expect(errs[0].message).toMatch(/period, size, ratio, flag, mode/);
  });

  it('wrong types: a string for an int, a number for a bool, a number for an enum', () => {
    const errs = errorsOf(validateParams(specs, { period: '12', flag: 1, mode: 3 }));
    expect(errs.map((e) => e.field)).toEqual(['params.period', 'params.flag', 'params.mode']);
    expect(errs[0].message).toMatch(/finite number.*"12"/);
    expect(errs[1].message).toMatch(/boolean/);
    expect(errs[2].message).toMatch(/one of FAST, SLOW/);
  });

  it('NaN and Infinity are not numbers for a float', () => {
    expect(fields(validateParams(specs, { ratio: Number.NaN }))).toEqual(['params.ratio']);
    expect(fields(validateParams(specs, { size: Number.POSITIVE_INFINITY }))).toEqual(['params.size']);
  });

  it('a non-integer for an int is refused', () => {
    const errs = errorsOf(validateParams(specs, { period: 12.5 }));
    expect(errs).toEqual([{ field: 'params.period', message: expect.stringMatching(/integer/) }]);
  });

  it('below min and above max are refused; the bounds themselves are allowed', () => {
    expect(errorsOf(validateParams(specs, { period: 1 }))).toEqual([{ field: 'params.period', message: 'must be >= 2' }]);
    expect(errorsOf(validateParams(specs, { period: 101 }))).toEqual([{ field: 'params.period', message: 'must be <= 100' }]);
    expect(errorsOf(validateParams(specs, { ratio: -0.01 }))).toEqual([{ field: 'params.ratio', message: 'must be >= 0' }]);
    expect(validateParams(specs, { period: 2, ratio: 0 }).ok).toBe(true); // inclusive min
    expect(validateParams(specs, { period: 100, ratio: 1 }).ok).toBe(true); // inclusive max
  });

  it('minExclusive refuses the minimum itself (quantity 0) but accepts anything above', () => {
    expect(errorsOf(validateParams(specs, { size: 0 }))).toEqual([{ field: 'params.size', message: 'must be > 0' }]);
    expect(fields(validateParams(specs, { size: -1 }))).toEqual(['params.size']);
    expect(validateParams(specs, { size: 1e-9 }).ok).toBe(true);
    // the built-in strategies' quantity
    const v = validateStrategyParams(smaCrossover, { quantity: 0 });
    expect(errorsOf(v)).toEqual([{ field: 'params.quantity', message: 'must be > 0' }]);
  });

  it('a value that is not one of the choices is refused', () => {
    const errs = errorsOf(validateStrategyParams(smaCrossover, { entry: 'STOP' }));
    expect(errs).toEqual([{ field: 'params.entry', message: 'must be one of MARKET, LIMIT, got "STOP"' }]);
    expect(fields(validateParams(specs, { mode: 'fast' }))).toEqual(['params.mode']); // case matters
  });

  it('reports several errors at once, one per field', () => {
    const errs = errorsOf(validateParams(specs, { period: 1.5, size: 0, flag: 'yes', mode: 'X', extra: true }));
    expect(errs.map((e) => e.field).sort()).toEqual(['params.extra', 'params.flag', 'params.mode', 'params.period', 'params.size']);
  });

  it('params that are not an object are one error on the path itself', () => {
    for (const bad of ['fast=5', 42, true, [1, 2]]) {
      const errs = errorsOf(validateParams(specs, bad));
      expect(errs).toHaveLength(1);
      expect(errs[0].field).toBe('params');
      expect(errs[0].message).toMatch(/must be an object/);
    }
  });

  it('uses a custom path for nested fields', () => {
    expect(fields(validateParams(specs, { period: 0 }, undefined, 'input.params'))).toEqual(['input.params.period']);
  });
});

describe('cross-parameter rules', () => {
  it('sma-crossover: fastPeriod >= slowPeriod is an error on params.slowPeriod', () => {
    const same = errorsOf(validateStrategyParams(smaCrossover, { fastPeriod: 50, slowPeriod: 50 }));
    expect(same).toEqual([{ field: 'params.slowPeriod', message: expect.stringMatching(/greater than fastPeriod \(50\)/) }]);
    expect(fields(validateStrategyParams(smaCrossover, { fastPeriod: 60, slowPeriod: 50 }))).toEqual(['params.slowPeriod']);
    // default slowPeriod 100: fastPeriod 100 breaks the rule too
    expect(fields(validateStrategyParams(smaCrossover, { fastPeriod: 100 }))).toEqual(['params.slowPeriod']);
    const ok = validateStrategyParams(smaCrossover, { fastPeriod: 50, slowPeriod: 200 });
    expect(ok).toEqual({ ok: true, values: { fastPeriod: 50, slowPeriod: 200, quantity: 1, entry: 'MARKET', limitOffsetPct: 1, equityPct: 0 } });
  });

  it('cross rules run only once every value is valid on its own', () => {
    // fastPeriod 600 is above its max 500; the cross rule (600 >= 50) would fail too but is not consulted: one error only
    expect(fields(validateStrategyParams(smaCrossover, { fastPeriod: 600, slowPeriod: 50 }))).toEqual(['params.fastPeriod']);
  });

  it('rsi-reversion: overbought must exceed oversold', () => {
    expect(fields(validateStrategyParams(rsiReversion, { oversold: 70, overbought: 70 }))).toEqual(['params.overbought']);
    expect(validateStrategyParams(rsiReversion, { oversold: 20, overbought: 80 }).ok).toBe(true);
  });

  it('built-in defaults are valid', () => {
    for (const s of [smaCrossover, rsiReversion, bollingerBreakout, buyAndHold] as AnyStrategy[]) expect(validateStrategyParams(s, {}).ok).toBe(true);
    expect(validateStrategyParams(bollingerBreakout, {})).toEqual({ ok: true, values: { period: 20, k: 2, stopPct: 2, quantity: 1, equityPct: 0, riskPct: 0 } });
  });
});

describe('defineStrategy', () => {
  const base = { title: 'T', description: 'D', params: {}, create: () => ({ onBar() {} }) };

  it('accepts a well-formed id', () => {
    for (const id of ['a', 'my-strategy', '9lives', 'x'.repeat(64)]) expect(defineStrategy({ ...base, id }).id).toBe(id);
  });

  it('refuses bad ids', () => {
    for (const id of ['', 'Bad', 'under_score', '-lead', 'has space', 'x'.repeat(65), 'é']) {
      expect(() => defineStrategy({ ...base, id }), id).toThrow(TypeError);
    }
  });

  it('refuses a definition without a create function', () => {
    expect(() => defineStrategy({ ...base, id: 'no-create', create: undefined as never })).toThrow(/create must be a function/);
  });

  it('refuses invalid defaults and defaults that break its own cross rules', () => {
    expect(() => defineStrategy({ ...base, id: 'bad-int', params: { n: intParam({ default: 1.5 }) } })).toThrow(/params\.n: must be an integer/);
    expect(() => defineStrategy({ ...base, id: 'bad-min', params: { n: intParam({ default: 1, min: 2 }) } })).toThrow(/params\.n: must be >= 2/);
    expect(() => defineStrategy({ ...base, id: 'bad-excl', params: { q: floatParam({ default: 0, min: 0, minExclusive: true }) } })).toThrow(
      /params\.q: must be > 0/,
    );
    expect(() =>
      defineStrategy({
        ...base,
        id: 'bad-cross',
        params: { a: intParam({ default: 5 }), b: intParam({ default: 3 }) },
        validate: (p) => (p.a < p.b ? [] : [{ param: 'b', message: 'must exceed a' }]),
      }),
    ).toThrow(/bad-cross: its defaults are invalid: params\.b: must exceed a/);
  });
});

describe('StrategyRegistry', () => {
  it('holds strategies by id in registration order and refuses duplicates', () => {
    const reg = new StrategyRegistry();
    reg.register(buyAndHold);
    reg.register(smaCrossover);
    expect(reg.has('buy-and-hold')).toBe(true);
    expect(reg.get('sma-crossover')).toBe(smaCrossover);
    expect(reg.get('nope')).toBeUndefined();
    expect(() => reg.register(buyAndHold)).toThrow(/already registered/);
    const twin = defineStrategy({ id: 'sma-crossover', title: 'Other', description: 'Same id', params: {}, create: () => ({ onBar() {} }) });
    expect(() => reg.register(twin)).toThrow(/"sma-crossover" is already registered/);
    expect(reg.list().map((s) => s.id)).toEqual(['buy-and-hold', 'sma-crossover']);
  });

  it('builtinStrategies registers the five built-ins', () => {
    expect(builtinStrategies().list().map((s) => s.id)).toEqual(['sma-crossover', 'rsi-reversion', 'bollinger-breakout', 'buy-and-hold', 'rebalance']);
  });
});

describe('parseParamString', () => {
  it('parses numbers, booleans and enums; leaves the rest for validation to refuse', () => {
    expect(parseParamString(specs.period, '12')).toBe(12);
    expect(parseParamString(specs.period, ' 7 ')).toBe(7);
    expect(parseParamString(specs.size, '0.25')).toBe(0.25);
    expect(parseParamString(specs.size, '1e3')).toBe(1000);
    expect(parseParamString(specs.period, '')).toBe(''); // not silently 0
    expect(parseParamString(specs.period, '  ')).toBe('  ');
    expect(Number.isNaN(parseParamString(specs.period, 'abc'))).toBe(true);
    expect(parseParamString(specs.flag, 'true')).toBe(true);
    expect(parseParamString(specs.flag, 'false')).toBe(false);
    expect(parseParamString(specs.flag, 'yes')).toBe('yes');
    expect(parseParamString(specs.mode, 'SLOW')).toBe('SLOW');
  });

  it('feeds validateParams: bad strings become field errors', () => {
    const input = {
      period: parseParamString(specs.period, ''),
      size: parseParamString(specs.size, 'abc'),
      flag: parseParamString(specs.flag, 'yes'),
      mode: parseParamString(specs.mode, 'MEDIUM'),
      ratio: parseParamString(specs.ratio, '0.75'),
    };
    expect(fields(validateParams(specs, input))).toEqual(['params.period', 'params.size', 'params.flag', 'params.mode']);
    const good = validateParams(specs, { period: parseParamString(specs.period, '30'), flag: parseParamString(specs.flag, 'true') });
    expect(good).toEqual({ ok: true, values: { period: 30, size: 1, ratio: 0.5, flag: true, mode: 'FAST' } });
  });
});

describe('params limits (checked before any per-key work)', () => {
  it('more than MAX_PARAM_KEYS names is one error on the path, however many there are', () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 1_000_000; i++) many[`k${i}`] = i;
    const errs = errorsOf(validateParams(specs, many));
    expect(errs).toEqual([{ field: 'params', message: `at most ${MAX_PARAM_KEYS} parameters, got more` }]);
    // 64 unknown names are still reported one by one (the list is bounded).
    const sixtyFour = Object.fromEntries(Array.from({ length: MAX_PARAM_KEYS }, (_, i) => [`u${i}`, 1]));
    expect(errorsOf(validateParams(specs, sixtyFour))).toHaveLength(MAX_PARAM_KEYS);
  });

  it('a params object over MAX_PARAMS_JSON_CHARS as JSON is refused, and its value is not echoed', () => {
    const errs = errorsOf(validateParams(specs, { mode: 'x'.repeat(MAX_PARAMS_JSON_CHARS) }));
    expect(errs).toEqual([{ field: 'params', message: `at most ${MAX_PARAMS_JSON_CHARS} characters as JSON` }]);
  });

  it('a long name is refused without showing all of it', () => {
    const errs = errorsOf(validateParams(specs, { ['n'.repeat(5_000)]: 1 }));
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('params');
    expect(errs[0].message).toMatch(/names are at most 64 characters/);
    expect(errs[0].message.length).toBeLessThan(150);
  });

  it('an enum value is shown briefly in the error', () => {
    const errs = errorsOf(validateParams(specs, { mode: 'z'.repeat(10_000) }));
    expect(errs[0].message).toMatch(/^must be one of FAST, SLOW, got "z{100}"\.\.\. \(10000 characters\)$/);
  });

  it('numbers lie within ±PARAM_NUMBER_LIMIT even when the spec has no max (a 1e300 quantity would overflow)', () => {
    expect(PARAM_NUMBER_LIMIT).toBe(1e12);
    expect(validateStrategyParams(smaCrossover, { quantity: 1e12 }).ok).toBe(true);
    const errs = errorsOf(validateStrategyParams(smaCrossover, { quantity: 1e300 }));
    expect(errs).toEqual([{ field: 'params.quantity', message: expect.stringMatching(/^must be within ±1000000000000 .*got 1e\+300$/) }]);
    expect(fields(validateParams({ n: intParam({ default: 0 }) }, { n: -2e12 }))).toEqual(['params.n']);
  });
});
