/** `backtest generate`: synthetic bars (a seeded random walk) for trying things at any size. */
import type { BarPeriod } from '../engine/bars.js';
import { generateSyntheticBars } from '../data/synthetic.js';
import { withStorage } from './with-storage.js';

export interface GenerateFlags {
  readonly dataset: string;
  readonly symbols: string[];
  readonly period: BarPeriod;
  readonly bars: number;
  readonly seed: number;
  readonly start?: number;
  readonly replace: boolean;
}

export function generate(flags: GenerateFlags): Promise<void> {
  return withStorage(async (storage) => {
    for (const [k, symbol] of flags.symbols.entries()) {
      const seed = flags.seed + k;
      const series = generateSyntheticBars({ symbol, bars: flags.bars, period: flags.period, seed, start: flags.start ?? Date.UTC(2020, 0, 1) });
      await storage.writeBars({ dataset: flags.dataset, symbol, period: flags.period, series, replace: flags.replace });
      console.log(`generated ${flags.bars.toLocaleString('en-US')} ${flags.period} bars of ${symbol} in ${flags.dataset} (seed ${seed})`);
    }
  });
}
