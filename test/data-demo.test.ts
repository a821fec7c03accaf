import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { listDatasets, loadBars } from '../src/data/bar-store.js';
import { seedDemoData, sp500CsvPath, SYNTHETIC_BARS } from '../src/data/demo.js';
import { tempDb, type TempDb } from './data-fixtures.js';

describe('seedDemoData', () => {
  let t: TempDb;
  afterEach(() => t.dispose());

  it('seeds an empty database once; SPX has one bar per CSV data row', () => {
    t = tempDb();
    const t0 = performance.now();
    expect(seedDemoData(t.app)).toEqual({ seeded: true });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(seedDemoData(t.app)).toEqual({ seeded: false });

    const lines = readFileSync(sp500CsvPath(), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const dataRows = lines.slice(1);
    const spx = loadBars(t.app, { dataset: 'demo', symbol: 'SPX', period: 'DAY' });
    expect(spx.length).toBe(dataRows.length);
    const [date, open, high, low, close, , volume] = dataRows[0]!.split(',');
    expect(spx.time[0]).toBe(Date.parse(`${date}T00:00:00Z`));
    expect([spx.open[0], spx.high[0], spx.low[0], spx.close[0], spx.volume[0]]).toEqual([open, high, low, close, volume].map(Number));

    const ds = listDatasets(t.app);
    expect(ds.map((d) => [d.id, d.name])).toEqual([
      ['demo', 'Demo: S&P 500 daily'],
      ['synthetic', 'Synthetic: 4 symbols, minute bars'],
      ['synthetic-daily', 'Synthetic daily portfolio (seeded, not real prices): EQUITY, BONDS, GOLD'],
    ]);
    expect(ds[2]!.instruments.map((i) => [i.symbol, i.coverage[0]!.period, i.coverage[0]!.bars])).toEqual([
      ['BONDS', 'DAY', 2610],
      ['EQUITY', 'DAY', 2610],
      ['GOLD', 'DAY', 2610],
    ]);
    const syn = ds[1]!.instruments;
    expect(syn.map((i) => i.symbol)).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    for (const i of syn) expect(i.coverage).toEqual([{ period: 'MINUTE', first: syn[0]!.coverage[0]!.first, last: syn[0]!.coverage[0]!.last, bars: SYNTHETIC_BARS }]);
  });

  it('leaves a database that already has data alone', () => {
    t = tempDb();
    t.app.sqlite.prepare("insert into datasets (id, name) values ('mine', 'Mine')").run();
    expect(seedDemoData(t.app)).toEqual({ seeded: false });
    expect(listDatasets(t.app).map((d) => d.id)).toEqual(['mine']);
  });
});
