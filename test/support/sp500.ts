import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { barSeriesFromRows, type BarSeries } from '../../src/engine/bars.js';

/** The real S&P 500 daily bars of vega-datasets@3.2.1 (data/sp500-2000.csv), read straight from the package. */
export function sp500Csv(): string {
  // The package exports only build/index.js; the data folder sits beside build/.
  const main = createRequire(import.meta.url).resolve('vega-datasets');
  return join(dirname(main), '..', 'data', 'sp500-2000.csv');
}

/** Parses the file with a plain split, independent of the project's importer. */
export function loadSp500(): BarSeries {
  const lines = readFileSync(sp500Csv(), 'utf8').trim().split('\n');
  const rows = lines.slice(1).map((line) => {
    const [date, open, high, low, close, , volume] = line.split(',');
    return { time: Date.parse(`${date}T00:00:00Z`), open: +open, high: +high, low: +low, close: +close, volume: +volume };
  });
  return barSeriesFromRows('SPX', rows);
}

export interface ReferenceFile {
  input: {
    strategy: string;
    params: Record<string, unknown>;
    initialCash: number;
    commission: { perUnit: number; minimumPerOrder: number; percentOfNotional: number };
    slippageBps: number;
  };
  tolerance: { money_relative: number; ratios_absolute: number };
  fills: { date: string; side: 'BUY' | 'SELL'; quantity: number; price: number; commission: number }[];
  metrics: Record<string, number>;
  equity: { points: number; first: number; last: number; min: number; max: number };
  roundTrips: { symbol: string; side: string; quantity: number; entryDate: string; exitDate: string; entryPrice: number; exitPrice: number; pnl: number; bars: number }[];
}

const REFERENCE = join('reference', 'sma-crossover-spx-market.json');

/**
 * The shared reference result: from shared/ beside the repository (SHARED_DIR to point elsewhere),
 * or, in a checkout without it, the copy kept in test/fixtures (same file, taken from shared/).
 */
export function loadReference(): ReferenceFile {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const candidates = [process.env.SHARED_DIR, join(repo, '..', 'shared'), join(repo, 'test', 'fixtures')].filter((d): d is string => !!d);
  const found = candidates.map((d) => join(d, REFERENCE)).find((p) => existsSync(p));
  if (!found) throw new Error(`reference file not found in ${candidates.join(', ')}`);
  return JSON.parse(readFileSync(found, 'utf8')) as ReferenceFile;
}

export const MONEY_METRICS = ['finalEquity', 'totalCommission'] as const;
