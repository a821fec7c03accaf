/**
 * Demo content for a fresh database: the S&P 500 daily bars shipped with vega-datasets
 * (real OHLCV, Yahoo layout), four synthetic minute-bar symbols on a shared clock, and a synthetic
 * daily multi-asset portfolio for the `rebalance` strategy. No npm package ships real daily OHLC
 * for several symbols (vega-datasets' stocks.csv has monthly closes only), so the portfolio is
 * seeded synthetic data, and its name says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeBars, type WriteBarsInput } from './bar-store.js';
import { parseBarCsv } from './csv-parse.js';
import type { AppDatabase } from './db.js';
import { datasets } from './schema/index.js';
import { generateSyntheticBars } from './synthetic.js';
import type { BarSeries } from '../engine/bars.js';

export const DEMO_DATASET = 'demo';
export const SYNTHETIC_DATASET = 'synthetic';
export const SYNTHETIC_BARS = 250_000;
export const PORTFOLIO_DATASET = 'synthetic-daily';
export const PORTFOLIO_DATASET_NAME = 'Synthetic daily portfolio (seeded, not real prices): EQUITY, BONDS, GOLD';
/** Weekdays from 2010-01-04 (a Monday): about ten years. */
export const PORTFOLIO_BARS = 2_610;

/** Three asset-like random walks: the 60/40 default of `rebalance` holds the first two. */
const PORTFOLIO = [
  { symbol: 'EQUITY', seed: 11, startPrice: 100, drift: 0.07, volatility: 0.17 },
  { symbol: 'BONDS', seed: 12, startPrice: 50, drift: 0.03, volatility: 0.05 },
  { symbol: 'GOLD', seed: 13, startPrice: 120, drift: 0.04, volatility: 0.15 },
] as const;

/** The portfolio dataset's bars: daily random walks moved onto weekdays (Monday..Friday, 00:00 UTC). */
export function portfolioDemoSeries(): BarSeries[] {
  return PORTFOLIO.map((p) => {
    const s = generateSyntheticBars({ ...p, bars: PORTFOLIO_BARS, period: 'DAY' });
    const monday = Date.UTC(2010, 0, 4);
    for (let i = 0; i < s.length; i++) s.time[i] = monday + (Math.floor(i / 5) * 7 + (i % 5)) * 86_400_000;
    return s;
  });
}

/** Fixed seeds and shapes so every fresh database gets the same synthetic bars. */
const SYNTHETIC = [
  { symbol: 'AAA', seed: 1, startPrice: 100, drift: 0.08, volatility: 0.2 },
  { symbol: 'BBB', seed: 2, startPrice: 50, drift: 0.02, volatility: 0.35 },
  { symbol: 'CCC', seed: 3, startPrice: 250, drift: -0.03, volatility: 0.15 },
  { symbol: 'DDD', seed: 4, startPrice: 20, drift: 0.12, volatility: 0.5 },
] as const;

/** data/sp500-2000.csv: daily S&P 500, 2000-01-03..2020-04-17, columns date,open,high,low,close,adjclose,volume. */
export function sp500CsvPath(): string {
  return join(vegaDatasetsRoot(), 'data', 'sp500-2000.csv');
}

/**
 * vega-datasets 3 lists no './package.json' in "exports", so resolving it throws;
 * resolve the main entry instead and walk up to the folder holding package.json.
 */
function vegaDatasetsRoot(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('vega-datasets/package.json'));
  } catch {
    let dir = dirname(require.resolve('vega-datasets'));
    while (!existsSync(join(dir, 'package.json'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error('cannot locate the vega-datasets package folder');
      dir = up;
    }
    return dir;
  }
}

/** The demo content as the writes that store it, in order; each series is built when its write is taken. */
export function* demoWrites(): Generator<WriteBarsInput> {
  const spx = parseBarCsv(readFileSync(sp500CsvPath(), 'utf8'), 'SPX', { format: 'yahoo' });
  yield { dataset: DEMO_DATASET, datasetName: 'Demo: S&P 500 daily', symbol: 'SPX', period: 'DAY', series: spx };
  for (const s of SYNTHETIC) {
    const series = generateSyntheticBars({ ...s, bars: SYNTHETIC_BARS, period: 'MINUTE', start: Date.UTC(2020, 0, 1) });
    yield {
      dataset: SYNTHETIC_DATASET,
      datasetName: 'Synthetic: 4 symbols, minute bars',
      symbol: s.symbol,
      period: 'MINUTE',
      series,
    };
  }
  for (const series of portfolioDemoSeries()) {
    yield { dataset: PORTFOLIO_DATASET, datasetName: PORTFOLIO_DATASET_NAME, symbol: series.symbol, period: 'DAY', series };
  }
}

/** Seeds only when no dataset exists yet; check and writes share one write transaction, so concurrent callers seed once. */
export function seedDemoData(app: AppDatabase): { seeded: boolean } {
  const seed = app.sqlite.transaction((): boolean => {
    if (app.db.select({ id: datasets.id }).from(datasets).limit(1).get()) return false;
    for (const write of demoWrites()) writeBars(app, write);
    return true;
  });
  return { seeded: seed.immediate() };
}
