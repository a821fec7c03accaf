/**
 * The run form, generated from the strategies' typed parameter specs: a number field per int or
 * float (min, max, step, default), a checkbox per bool, a choice per enum, each with its
 * description; datasets, symbols and periods from `datasets` with their coverage; dates, cash,
 * commission, slippage. In sweep mode each parameter is fixed, a range (min/max/step) or a list.
 * The browser does not validate: the server does, and its field errors appear next to the field.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { ApiProblem, FieldError } from '../api/errors';
import { METRICS_FIELDS, type BarPeriod, type CatalogData, type ParamSpec, type Strategy } from '../api/queries';
import { date } from '../format';

export type FormMode = 'run' | 'sweep';

interface GridChoice {
  mode: 'fixed' | 'range' | 'list';
  min: string;
  max: string;
  step: string;
  list: string;
}

interface FormState {
  strategy: string;
  params: Record<string, string | boolean>;
  grid: Record<string, GridChoice>;
  dataset: string;
  symbols: string[];
  period: BarPeriod | '';
  start: string;
  end: string;
  initialCash: string;
  perUnit: string;
  minimumPerOrder: string;
  percentOfNotional: string;
  slippageBps: string;
  objective: string;
  maximize: boolean;
  keepTop: string;
}

const PERIOD_ORDER: BarPeriod[] = ['SECOND', 'MINUTE', 'HOUR', 'DAY'];
const OBJECTIVES = METRICS_FIELDS.split(' ');

function defaultOf(p: ParamSpec): string | boolean {
  switch (p.__typename) {
    case 'IntParam':
      return String(p.intDefault);
    case 'FloatParam':
      return String(p.floatDefault);
    case 'BoolParam':
      return p.boolDefault;
    case 'EnumParam':
      return p.enumDefault;
  }
}

function gridDefault(p: ParamSpec): GridChoice {
  const d = defaultOf(p);
  const step = p.__typename === 'IntParam' ? String(p.intStep ?? 1) : p.__typename === 'FloatParam' ? String(p.floatStep ?? '') : '';
  return { mode: 'fixed', min: String(d), max: String(d), step, list: p.__typename === 'EnumParam' ? p.choices.join(', ') : p.__typename === 'BoolParam' ? 'true, false' : String(d) };
}

function initialState(catalog: CatalogData): FormState {
  const strategy = catalog.strategies.find((s) => s.id === 'sma-crossover') ?? catalog.strategies[0];
  const dataset = catalog.datasets.find((d) => d.id === 'demo') ?? catalog.datasets[0];
  const periods = periodsOf(dataset?.instruments ?? []);
  const period = periods.includes('DAY') ? 'DAY' : (periods[0] ?? '');
  const first = dataset?.instruments.find((i) => i.coverage.some((c) => c.period === period));
  return {
    strategy: strategy?.id ?? '',
    params: Object.fromEntries((strategy?.params ?? []).map((p) => [p.name, defaultOf(p)])),
    grid: Object.fromEntries((strategy?.params ?? []).map((p) => [p.name, gridDefault(p)])),
    dataset: dataset?.id ?? '',
    symbols: first ? [first.symbol] : [],
    period,
    start: '',
    end: '',
    initialCash: '100000',
    perUnit: '0',
    minimumPerOrder: '0',
    percentOfNotional: '0',
    slippageBps: '0',
    objective: 'sharpe',
    maximize: true,
    keepTop: '5',
  };
}

function periodsOf(instruments: CatalogData['datasets'][number]['instruments']): BarPeriod[] {
  const have = new Set(instruments.flatMap((i) => i.coverage.map((c) => c.period)));
  return PERIOD_ORDER.filter((p) => have.has(p));
}

/** A number field's text as a number; absent when empty, the text itself when it is not a number (the server names it). */
function numberOrText(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function paramValue(p: ParamSpec, raw: string | boolean): unknown {
  if (p.__typename === 'BoolParam') return raw === true;
  if (p.__typename === 'EnumParam') return raw;
  return numberOrText(String(raw));
}

function listValues(p: ParamSpec, text: string): unknown[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (p.__typename === 'BoolParam' ? s === 'true' : p.__typename === 'EnumParam' ? s : numberOrText(s)));
}

/** The GraphQL input for runBacktest (or runSweep in sweep mode). */
export function inputOf(state: FormState, strategy: Strategy | undefined, mode: FormMode): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const grid: Record<string, unknown> = {};
  for (const p of strategy?.params ?? []) {
    const g = state.grid[p.name];
    if (mode === 'sweep' && g && g.mode === 'range') grid[p.name] = { min: numberOrText(g.min), max: numberOrText(g.max), step: numberOrText(g.step) };
    else if (mode === 'sweep' && g && g.mode === 'list') grid[p.name] = listValues(p, g.list);
    else {
      const v = paramValue(p, state.params[p.name] ?? defaultOf(p));
      if (v !== undefined) params[p.name] = v;
    }
  }
  const input: Record<string, unknown> = {
    strategy: state.strategy,
    params,
    dataset: state.dataset || undefined,
    symbols: state.symbols,
    period: state.period || undefined,
    start: state.start || undefined,
    end: state.end || undefined,
    initialCash: numberOrText(state.initialCash),
    commission: {
      perUnit: numberOrText(state.perUnit),
      minimumPerOrder: numberOrText(state.minimumPerOrder),
      percentOfNotional: numberOrText(state.percentOfNotional),
    },
    slippageBps: numberOrText(state.slippageBps),
  };
  if (mode === 'sweep') Object.assign(input, { grid, objective: state.objective, maximize: state.maximize, keepTop: numberOrText(state.keepTop) });
  return input;
}

/** Server field paths (`input.params.fastPeriod`) without the argument name. */
const fieldPath = (e: FieldError) => e.field.replace(/^input\./, '');
const belongsTo = (path: string, name: string) => path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);

export function RunForm({
  catalog,
  mode,
  problem,
  busy,
  onSubmit,
}: {
  catalog: CatalogData;
  mode: FormMode;
  problem: ApiProblem | null;
  busy: boolean;
  onSubmit: (input: Record<string, unknown>) => void;
}) {
  const [state, setState] = useState(() => initialState(catalog));
  const strategy = catalog.strategies.find((s) => s.id === state.strategy);
  const dataset = catalog.datasets.find((d) => d.id === state.dataset);
  const periods = periodsOf(dataset?.instruments ?? []);
  const instruments = (dataset?.instruments ?? []).filter((i) => i.coverage.some((c) => c.period === state.period));
  const set = (patch: Partial<FormState>) => setState((s) => ({ ...s, ...patch }));

  // A new strategy brings its own parameters with their defaults.
  useEffect(() => {
    if (!strategy) return;
    setState((s) => ({
      ...s,
      params: Object.fromEntries(strategy.params.map((p) => [p.name, s.params[p.name] ?? defaultOf(p)])),
      grid: Object.fromEntries(strategy.params.map((p) => [p.name, s.grid[p.name] ?? gridDefault(p)])),
    }));
  }, [strategy?.id]);

  const fieldErrors = problem?.kind === 'bad-input' ? problem.fields : [];
  const shownNames = useMemo(() => {
    const names = ['strategy', 'dataset', 'symbols', 'period', 'start', 'end', 'initialCash', 'commission', 'slippageBps'];
    for (const p of strategy?.params ?? []) names.push(`params.${p.name}`, `grid.${p.name}`);
    if (mode === 'sweep') names.push('objective', 'maximize', 'keepTop');
    return names;
  }, [strategy, mode]);
  const errorsFor = (...names: string[]) => fieldErrors.filter((e) => names.some((n) => belongsTo(fieldPath(e), n)));
  const unclaimed = fieldErrors.filter((e) => !shownNames.some((n) => belongsTo(fieldPath(e), n)));

  const submit = (e: Event) => {
    e.preventDefault();
    onSubmit(inputOf(state, strategy, mode));
  };

  return (
    <form class="run-form" onSubmit={submit} noValidate data-testid={`${mode}-form`}>
      <section class="form-section">
        <h3>Strategy</h3>
        <Field label="Strategy" name="strategy" errors={errorsFor('strategy')}>
          <select id="f-strategy" name="strategy" value={state.strategy} onChange={(e) => set({ strategy: e.currentTarget.value })}>
            {catalog.strategies.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({s.id})
              </option>
            ))}
          </select>
        </Field>
        {strategy ? <p class="description">{strategy.description}</p> : null}
        <div class="params">
          {(strategy?.params ?? []).map((p) => (
            <ParamField
              key={p.name}
              spec={p}
              mode={mode}
              value={state.params[p.name] ?? defaultOf(p)}
              grid={state.grid[p.name] ?? gridDefault(p)}
              errors={errorsFor(`params.${p.name}`, `grid.${p.name}`)}
              onValue={(v) => setState((s) => ({ ...s, params: { ...s.params, [p.name]: v } }))}
              onGrid={(g) => setState((s) => ({ ...s, grid: { ...s.grid, [p.name]: g } }))}
            />
          ))}
        </div>
      </section>

      <section class="form-section">
        <h3>Data</h3>
        <div class="row">
          <Field label="Dataset" name="dataset" errors={errorsFor('dataset')}>
            <select
              id="f-dataset"
              name="dataset"
              value={state.dataset}
              onChange={(e) => {
                const d = catalog.datasets.find((x) => x.id === e.currentTarget.value);
                const ps = periodsOf(d?.instruments ?? []);
                const period = ps.includes(state.period as BarPeriod) ? state.period : (ps[0] ?? '');
                const first = d?.instruments.find((i) => i.coverage.some((c) => c.period === period));
                set({ dataset: e.currentTarget.value, period, symbols: first ? [first.symbol] : [] });
              }}
            >
              {catalog.datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.id})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Period" name="period" errors={errorsFor('period')}>
            <select
              id="f-period"
              name="period"
              value={state.period}
              onChange={(e) => {
                const period = e.currentTarget.value as BarPeriod;
                const keep = state.symbols.filter((s) => dataset?.instruments.some((i) => i.symbol === s && i.coverage.some((c) => c.period === period)));
                set({ period, symbols: keep });
              }}
            >
              {periods.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field label="Symbols" name="symbols" errors={errorsFor('symbols')}>
          <div class="symbols" data-testid="symbols">
            {instruments.map((i) => {
              const cov = i.coverage.find((c) => c.period === state.period)!;
              const checked = state.symbols.includes(i.symbol);
              return (
                <label key={i.symbol} class="symbol">
                  <input
                    type="checkbox"
                    name="symbols"
                    value={i.symbol}
                    checked={checked}
                    onChange={() => set({ symbols: checked ? state.symbols.filter((s) => s !== i.symbol) : [...state.symbols, i.symbol] })}
                  />
                  <strong>{i.symbol}</strong>
                  <span class="coverage">
                    {date(cov.first)} … {date(cov.last)}, {cov.bars.toLocaleString('en-US')} bars
                  </span>
                </label>
              );
            })}
            {instruments.length === 0 ? <span class="muted">No instrument of this dataset has {state.period || 'any'} bars.</span> : null}
          </div>
        </Field>
        <div class="row">
          <Field label="Start (inclusive)" name="start" errors={errorsFor('start')}>
            <input id="f-start" name="start" type="date" value={state.start} onInput={(e) => set({ start: e.currentTarget.value })} />
          </Field>
          <Field label="End (inclusive)" name="end" errors={errorsFor('end')}>
            <input id="f-end" name="end" type="date" value={state.end} onInput={(e) => set({ end: e.currentTarget.value })} />
          </Field>
        </div>
      </section>

      <section class="form-section">
        <h3>Account and costs</h3>
        <div class="row">
          <Field label="Initial cash" name="initialCash" errors={errorsFor('initialCash')}>
            <input id="f-initialCash" name="initialCash" type="number" step="any" value={state.initialCash} onInput={(e) => set({ initialCash: e.currentTarget.value })} />
          </Field>
          <Field label="Slippage (bps)" name="slippageBps" errors={errorsFor('slippageBps')}>
            <input id="f-slippageBps" name="slippageBps" type="number" step="any" value={state.slippageBps} onInput={(e) => set({ slippageBps: e.currentTarget.value })} />
          </Field>
        </div>
        <div class="row">
          <Field label="Commission per unit" name="commission.perUnit" errors={errorsFor('commission.perUnit')}>
            <input id="f-commission.perUnit" name="commission.perUnit" type="number" step="any" value={state.perUnit} onInput={(e) => set({ perUnit: e.currentTarget.value })} />
          </Field>
          <Field label="Minimum per order" name="commission.minimumPerOrder" errors={errorsFor('commission.minimumPerOrder')}>
            <input id="f-commission.minimumPerOrder" name="commission.minimumPerOrder" type="number" step="any" value={state.minimumPerOrder} onInput={(e) => set({ minimumPerOrder: e.currentTarget.value })} />
          </Field>
          <Field label="% of notional" name="commission.percentOfNotional" errors={errorsFor('commission.percentOfNotional', 'commission')}>
            <input id="f-commission.percentOfNotional" name="commission.percentOfNotional" type="number" step="any" value={state.percentOfNotional} onInput={(e) => set({ percentOfNotional: e.currentTarget.value })} />
          </Field>
        </div>
      </section>

      {mode === 'sweep' ? (
        <section class="form-section">
          <h3>Sweep</h3>
          <div class="row">
            <Field label="Objective" name="objective" errors={errorsFor('objective')}>
              <select id="f-objective" name="objective" value={state.objective} onChange={(e) => set({ objective: e.currentTarget.value })}>
                {OBJECTIVES.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Direction" name="maximize" errors={errorsFor('maximize')}>
              <select id="f-maximize" name="maximize" value={state.maximize ? 'max' : 'min'} onChange={(e) => set({ maximize: e.currentTarget.value === 'max' })}>
                <option value="max">maximize</option>
                <option value="min">minimize</option>
              </select>
            </Field>
            <Field label="Re-run the best" name="keepTop" errors={errorsFor('keepTop')}>
              <input id="f-keepTop" name="keepTop" type="number" step="1" value={state.keepTop} onInput={(e) => set({ keepTop: e.currentTarget.value })} />
            </Field>
          </div>
        </section>
      ) : null}

      {unclaimed.length > 0 ? (
        <ul class="field-errors other" data-testid="other-errors">
          {unclaimed.map((e) => (
            <li key={e.field}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="submit">
          {mode === 'sweep' ? 'Start sweep' : 'Start run'}
        </button>
        {busy ? <span class="muted">starting…</span> : null}
      </div>
    </form>
  );
}

function Field({ label, name, errors, children }: { label: string; name: string; errors: readonly FieldError[]; children: ComponentChildren }) {
  return (
    <div class={`field${errors.length > 0 ? ' invalid' : ''}`} data-field={name}>
      <label for={`f-${name}`}>{label}</label>
      {children}
      <FieldErrors errors={errors} name={name} />
    </div>
  );
}

function FieldErrors({ errors, name }: { errors: readonly FieldError[]; name: string }) {
  if (errors.length === 0) return null;
  return (
    <ul class="field-errors" data-testid={`error-${name}`}>
      {errors.map((e) => (
        <li key={e.field + e.message}>{e.message}</li>
      ))}
    </ul>
  );
}

function ParamField({
  spec,
  mode,
  value,
  grid,
  errors,
  onValue,
  onGrid,
}: {
  spec: ParamSpec;
  mode: FormMode;
  value: string | boolean;
  grid: GridChoice;
  errors: readonly FieldError[];
  onValue: (v: string | boolean) => void;
  onGrid: (g: GridChoice) => void;
}) {
  const id = `f-params.${spec.name}`;
  const numeric = spec.__typename === 'IntParam' || spec.__typename === 'FloatParam';
  const bounds = rangeText(spec);
  const fixed = mode === 'run' || grid.mode === 'fixed';
  return (
    <div class={`field param${errors.length > 0 ? ' invalid' : ''}`} data-field={`params.${spec.name}`} data-testid={`param-${spec.name}`}>
      <label for={id}>
        {spec.name} <span class="type">{spec.__typename.replace('Param', '').toLowerCase()}</span>
        {bounds ? <span class="bounds">{bounds}</span> : null}
      </label>
      {mode === 'sweep' ? (
        <select class="grid-mode" name={`grid.${spec.name}.mode`} value={grid.mode} onChange={(e) => onGrid({ ...grid, mode: e.currentTarget.value as GridChoice['mode'] })}>
          <option value="fixed">fixed</option>
          {numeric ? <option value="range">range</option> : null}
          <option value="list">list</option>
        </select>
      ) : null}
      {fixed ? (
        spec.__typename === 'BoolParam' ? (
          <input id={id} name={`params.${spec.name}`} type="checkbox" checked={value === true} onChange={(e) => onValue(e.currentTarget.checked)} />
        ) : spec.__typename === 'EnumParam' ? (
          <select id={id} name={`params.${spec.name}`} value={String(value)} onChange={(e) => onValue(e.currentTarget.value)}>
            {spec.choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            name={`params.${spec.name}`}
            type="number"
            step={spec.__typename === 'IntParam' ? (spec.intStep ?? 1) : (spec.floatStep ?? 'any')}
            min={spec.__typename === 'IntParam' ? (spec.intMin ?? undefined) : (spec.floatMin ?? undefined)}
            max={spec.__typename === 'IntParam' ? (spec.intMax ?? undefined) : (spec.floatMax ?? undefined)}
            value={String(value)}
            onInput={(e) => onValue(e.currentTarget.value)}
          />
        )
      ) : grid.mode === 'range' ? (
        <div class="range">
          <input aria-label={`${spec.name} from`} name={`grid.${spec.name}.min`} type="number" step="any" value={grid.min} onInput={(e) => onGrid({ ...grid, min: e.currentTarget.value })} />
          <span>to</span>
          <input aria-label={`${spec.name} to`} name={`grid.${spec.name}.max`} type="number" step="any" value={grid.max} onInput={(e) => onGrid({ ...grid, max: e.currentTarget.value })} />
          <span>step</span>
          <input aria-label={`${spec.name} step`} name={`grid.${spec.name}.step`} type="number" step="any" value={grid.step} onInput={(e) => onGrid({ ...grid, step: e.currentTarget.value })} />
        </div>
      ) : (
        <input aria-label={`${spec.name} values`} name={`grid.${spec.name}.list`} type="text" value={grid.list} placeholder="comma separated" onInput={(e) => onGrid({ ...grid, list: e.currentTarget.value })} />
      )}
      {spec.description ? <p class="help">{spec.description}</p> : null}
      <FieldErrors errors={errors} name={`params.${spec.name}`} />
    </div>
  );
}

function rangeText(p: ParamSpec): string {
  if (p.__typename === 'IntParam') return bounds(p.intMin, p.intMax, p.intStep, false);
  if (p.__typename === 'FloatParam') return bounds(p.floatMin, p.floatMax, p.floatStep, p.minExclusive);
  return '';
}

function bounds(min: number | null, max: number | null, step: number | null, minExclusive: boolean): string {
  const parts: string[] = [];
  if (min != null || max != null) parts.push(`${min ?? '−∞'}${minExclusive ? ' <' : ' ≤'} x ≤ ${max ?? '∞'}`);
  if (step != null) parts.push(`step ${step}`);
  return parts.join(', ');
}
