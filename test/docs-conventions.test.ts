/**
 * docs/CONVENTIONS.md must keep up with the code: every built-in strategy (with each param's type,
 * default and bounds), every indicator factory, every RunMetrics field and every bar period's
 * annualisation factor is read from the code at run time and looked up in the document.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BAR_PERIODS,
  BarClock,
  PERIODS_PER_YEAR,
  barSeriesFromRows,
  builtinStrategies,
  createIndicatorFactory,
  runBacktest,
  type ParamSpec,
} from '../src/engine/index.js';

const DOC_PATH = fileURLToPath(new URL('../docs/CONVENTIONS.md', import.meta.url));
const doc = readFileSync(DOC_PATH, 'utf8');

/** The text of a section: from its heading line to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = heading.match(/^#+/)?.[0].length ?? 0;
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`docs/CONVENTIONS.md has no heading ${JSON.stringify(heading)}`);
  let end = start + 1;
  while (end < lines.length) {
    const m = lines[end].match(/^(#+) /);
    if (m && m[1].length <= level) break;
    end++;
  }
  return lines.slice(start + 1, end).join('\n');
}

/** Table rows of a section whose first cell starts with `prefix`, split into trimmed cells. */
function rows(text: string, prefix: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`| ${prefix}`))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

/** First-column names written as `name` in the table rows of a section. */
function namesInFirstColumn(text: string): string[] {
  return rows(text, '`').map((cells) => cells[0].replace(/^`([^`(]+).*$/, '$1'));
}

describe('docs/CONVENTIONS.md', () => {
  it('exists and has every section users are pointed to', () => {
    for (const heading of [
      '## Timestamps and data periods',
      '## Orders',
      '## Fills',
      '## Costs: commission and slippage',
      '## Event order inside a bar',
      '## Portfolio accounting',
      '## Round trips',
      '## Equity curve and metrics',
      '## Indicators',
      '## Built-in strategies',
      '## Parameter sweeps',
    ]) {
      expect(section(heading).trim().length, heading).toBeGreaterThan(200);
    }
  });

  describe('built-in strategies', () => {
    const strategies = builtinStrategies().list();

    it('the registry has strategies to check', () => {
      expect(strategies.length).toBeGreaterThan(0);
    });

    for (const strategy of strategies) {
      it(`${strategy.id}: documented with exactly its params, their types, defaults and bounds`, () => {
        const text = section(`### \`${strategy.id}\``);
        const specs = strategy.params as Record<string, ParamSpec>;
        expect(namesInFirstColumn(text).sort()).toEqual(Object.keys(specs).sort());
        for (const [name, spec] of Object.entries(specs)) {
          const [, type, dflt, range] = rows(text, `\`${name}\``)[0];
          expect(type.startsWith(spec.kind), `${name} type`).toBe(true);
          expect(dflt.replace(/`/g, ''), `${name} default`).toBe(String(spec.default));
          if (spec.kind === 'int' || spec.kind === 'float') {
            if (spec.min !== undefined) expect(range, `${name} min`).toContain(String(spec.min));
            if (spec.max !== undefined) expect(range, `${name} max`).toContain(String(spec.max));
          }
          if (spec.kind === 'enum') for (const choice of spec.choices) expect(type, `${name} choices`).toContain(choice);
        }
      });
    }
  });

  it('every indicator factory is in the indicator table, and nothing else', () => {
    const factory = createIndicatorFactory(1, { clock: new BarClock(1, 1), add: () => {}, addBlock: () => {} });
    const names = Object.keys(factory);
    expect(names).toContain('sma');
    const documented = namesInFirstColumn(section('## Indicators'));
    expect(documented.sort()).toEqual(names.sort());
  });

  it('every RunMetrics field is in the metrics table, and nothing else', () => {
    // The fields as the engine really returns them, from a small run of a built-in strategy.
    const day = 86_400_000;
    const series = barSeriesFromRows(
      'X',
      [100, 102, 101].map((close, i) => ({ time: i * day, open: close, high: close + 1, low: close - 1, close })),
    );
    const result = runBacktest({ series: [series], strategy: builtinStrategies().get('buy-and-hold')!, params: { quantity: 1 }, initialCash: 1000, periodsPerYear: 252 });
    const fields = Object.keys(result.metrics);
    expect(fields).toContain('sharpe');
    const metricsSection = section('## Equity curve and metrics');
    const table = rows(metricsSection, '`').filter((cells) => cells.length === 4);
    expect(table.map((cells) => cells[0].replace(/`/g, '')).sort()).toEqual(fields.sort());
  });

  it('every bar period is listed with its default periodsPerYear', () => {
    const text = section('## Timestamps and data periods');
    // The period table has three columns: period, bar length, periodsPerYear default.
    for (const period of BAR_PERIODS) {
      const row = rows(text, `\`${period}\``).find((cells) => cells.length === 3);
      expect(row, period).toBeDefined();
      expect(row![2], period).toContain(PERIODS_PER_YEAR[period].toLocaleString('en-US'));
    }
  });
});
