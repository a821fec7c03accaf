/** `backtest import`, `generate` and `datasets`: getting bars in and seeing what is there. */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BAR_PERIODS, type BarPeriod } from '../engine/bars.js';
import { listDatasets, writeBars } from '../data/bar-store.js';
import { importCsv, type CsvColumns, type CsvFormat, type TimeFormat } from '../data/csv-import.js';
import { openDatabase } from '../data/db.js';
import { dayRange } from '../data/day-range.js';
import { generateSyntheticBars } from '../data/synthetic.js';
import { ProgressBar } from './progress-bar.js';
import { formatTable } from './table.js';
import { parseIntegerFlag, requireFlag, UsageError } from './usage-error.js';

const TIME_FORMATS: readonly TimeFormat[] = ['iso-date', 'iso-datetime', 'epoch-s', 'epoch-ms'];

function periodFlag(text: string | undefined): BarPeriod {
  const p = requireFlag('--period', text).toUpperCase();
  if (!BAR_PERIODS.includes(p as BarPeriod)) throw new UsageError(`--period: must be one of ${BAR_PERIODS.join(', ')}, got ${text}`);
  return p as BarPeriod;
}

function symbolFlag(flag: string, text: string): string {
  if (!/^[A-Za-z0-9._^=-]{1,32}$/.test(text)) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a valid symbol (letters, digits, . _ ^ = -; at most 32)`);
  return text;
}

function datasetFlag(text: string | undefined): string {
  const id = requireFlag('--dataset', text);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) throw new UsageError(`--dataset: ${JSON.stringify(id)} must be lowercase letters, digits, _ or -`);
  return id;
}

/** `--columns time=Date,open=Open,...` for the generic layout. */
function parseColumns(text: string | undefined): CsvColumns | undefined {
  if (text === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [role, name] = part.split('=').map((s) => s?.trim());
    if (!role || !name || !['time', 'open', 'high', 'low', 'close', 'volume'].includes(role)) {
      throw new UsageError(`--columns: expected role=Header pairs with roles time, open, high, low, close[, volume], got ${JSON.stringify(part)}`);
    }
    map[role] = name;
  }
  for (const role of ['time', 'open', 'high', 'low', 'close']) if (!map[role]) throw new UsageError(`--columns: missing ${role}=<header>`);
  return map as unknown as CsvColumns;
}

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      symbol: { type: 'string' },
      period: { type: 'string' },
      format: { type: 'string', default: 'yahoo' },
      columns: { type: 'string' },
      'time-format': { type: 'string' },
      replace: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('import: expected exactly one CSV file');
  const format = values.format as CsvFormat;
  if (format !== 'yahoo' && format !== 'generic') throw new UsageError(`--format: must be yahoo or generic, got ${values.format}`);
  const timeFormat = values['time-format'] as TimeFormat | undefined;
  if (timeFormat !== undefined && !TIME_FORMATS.includes(timeFormat)) throw new UsageError(`--time-format: must be one of ${TIME_FORMATS.join(', ')}`);
  const columns = parseColumns(values.columns);
  if (format === 'generic' && columns === undefined) throw new UsageError('--columns is required with --format generic');
  const dataset = datasetFlag(values.dataset);
  const symbol = symbolFlag('--symbol', requireFlag('--symbol', values.symbol));
  const period = periodFlag(values.period);
  if (!existsSync(positionals[0]) || !statSync(positionals[0]).isFile()) throw new UsageError(`import: no such file: ${positionals[0]}`);
  const app = openDatabase();
  try {
    const bar = new ProgressBar(`import ${symbol}`);
    const t0 = performance.now();
    const cov = await importCsv(app, {
      file: positionals[0],
      dataset,
      symbol,
      period,
      format,
      columns,
      timeFormat,
      replace: values.replace,
      onProgress: (rows, bytes, total) => bar.update(total === 0 ? 1 : bytes / total, `${rows.toLocaleString('en-US')} rows`),
    });
    bar.done();
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `imported ${cov.bars.toLocaleString('en-US')} ${period} bars of ${symbol} into ${dataset} ` +
        `(${iso(cov.first)} .. ${iso(cov.last)}) in ${secs.toFixed(2)} s`,
    );
    return 0;
  } finally {
    app.close();
  }
}

export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      dataset: { type: 'string' },
      symbols: { type: 'string' },
      period: { type: 'string' },
      bars: { type: 'string' },
      seed: { type: 'string', default: '1' },
      start: { type: 'string' },
      replace: { type: 'boolean', default: false },
    },
  });
  const dataset = datasetFlag(values.dataset);
  const symbols = requireFlag('--symbols', values.symbols).split(',').map((s) => symbolFlag('--symbols', s.trim()));
  const period = periodFlag(values.period);
  const bars = parseIntegerFlag('--bars', requireFlag('--bars', values.bars), 1) as number;
  if (bars > 50_000_000) throw new UsageError('--bars: at most 50,000,000 per symbol');
  const seed = parseIntegerFlag('--seed', values.seed, 0) as number;
  let start = Date.UTC(2020, 0, 1);
  if (values.start !== undefined) {
    try {
      start = dayRange(values.start).from as number;
    } catch (e) {
      throw new UsageError(`--start: ${(e as Error).message}`);
    }
  }
  const app = openDatabase();
  try {
    symbols.forEach((symbol, k) => {
      const series = generateSyntheticBars({ symbol, bars, period, seed: seed + k, start });
      writeBars(app, { dataset, symbol, period, series, replace: values.replace });
      console.log(`generated ${bars.toLocaleString('en-US')} ${period} bars of ${symbol} in ${dataset} (seed ${seed + k})`);
    });
    return 0;
  } finally {
    app.close();
  }
}

export async function datasetsCommand(argv: string[]): Promise<number> {
  parseArgs({ args: argv, strict: true, options: {} });
  const app = openDatabase();
  try {
    const rows: string[][] = [];
    for (const d of listDatasets(app)) {
      for (const inst of d.instruments) {
        for (const c of inst.coverage) rows.push([d.id, inst.symbol, c.period, iso(c.first), iso(c.last), c.bars.toLocaleString('en-US')]);
      }
    }
    console.log(rows.length === 0 ? 'no datasets (run `backtest serve` once to load the demo data, or `backtest import`)' : formatTable(['dataset', 'symbol', 'period', 'first', 'last', 'bars'], rows));
    return 0;
  } finally {
    app.close();
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T00:00:00.000Z', '');
}
