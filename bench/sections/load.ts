/** load.barsPerSec: stored bars -> typed arrays (loadBars of a whole 5M-bar instrument). */
import { bestOf, type BenchSection } from '../figure.js';
import { loadBars, writeBars } from '../../src/data/bar-store.js';
import { generateSyntheticBars } from '../../src/data/synthetic.js';
import { withTempDb } from '../temp-db.js';

const BARS = 5_000_000;

export const run: BenchSection = () =>
  withTempDb(async (app) => {
    const key = { dataset: 'bench', symbol: 'X', period: 'MINUTE' } as const;
    writeBars(app, { ...key, series: generateSyntheticBars({ symbol: 'X', bars: BARS, period: 'MINUTE', seed: 1 }) });
    let loaded = 0;
    const ms = bestOf(3, () => {
      loaded = loadBars(app, key).length;
    });
    if (loaded !== BARS) throw new Error(`loaded ${loaded} bars, expected ${BARS}`);
    return [{ name: 'load.barsPerSec', value: BARS / (ms / 1000), unit: 'bars/s' }];
  });
