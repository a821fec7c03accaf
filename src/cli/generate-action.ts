/** `backtest generate`: synthetic bars (a seeded random walk) for trying things at any size. */
import type { BarPeriod } from '../engine/bars.js';
import { writeBars } from '../data/bar-store.js';
import { openDatabase } from '../data/db.js';
import { generateSyntheticBars } from '../data/synthetic.js';

export interface GenerateFlags {
  readonly dataset: string;
  readonly symbols: string[];
  readonly period: BarPeriod;
  readonly bars: number;
  readonly seed: number;
  readonly start?: number;
  readonly replace: boolean;
}

export function generate(flags: GenerateFlags): void {
  const app = openDatabase();
  try {
    flags.symbols.forEach((symbol, k) => {
      const seed = flags.seed + k;
      const series = generateSyntheticBars({ symbol, bars: flags.bars, period: flags.period, seed, start: flags.start ?? Date.UTC(2020, 0, 1) });
      writeBars(app, { dataset: flags.dataset, symbol, period: flags.period, series, replace: flags.replace });
      console.log(`generated ${flags.bars.toLocaleString('en-US')} ${flags.period} bars of ${symbol} in ${flags.dataset} (seed ${seed})`);
    });
  } finally {
    app.close();
  }
}
