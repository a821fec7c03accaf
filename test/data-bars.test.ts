import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barSeriesFromRows, PERIOD_MS } from '../src/engine/bars.js';
import { CHUNK_BARS, getCoverage, listDatasets, loadBars, writeBars } from '../src/data/bar-store.js';
import { dayRange } from '../src/data/day-range.js';
import { BarsExistError, BarsNotFoundError, InvalidBarsError } from '../src/data/errors.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { firstDifference, tempDb, type TempDb } from './data-fixtures.js';

describe('bar store', () => {
  let t: TempDb;
  // Spans three chunks so range loads cross chunk boundaries.
  const N = 2 * CHUNK_BARS + 1000;
  const series = generateSyntheticBars({ symbol: 'AAA', bars: N, period: 'MINUTE', seed: 7 });
  const key = { dataset: 'syn', symbol: 'AAA', period: 'MINUTE' as const };
  beforeAll(() => {
    t = tempDb();
    writeBars(t.app, { ...key, series });
  });
  afterAll(() => t.dispose());

  it('loads back exactly what was written', () => {
    const s = loadBars(t.app, key);
    expect(s.length).toBe(N);
    expect(s.symbol).toBe('AAA');
    for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(firstDifference(s[c], series[c])).toBe(-1);
  });

  it('from is inclusive, to is exclusive, across chunk boundaries', () => {
    const cases: Array<[number, number]> = [
      [0, N],
      [5, 6],
      [CHUNK_BARS - 3, CHUNK_BARS + 3],
      [CHUNK_BARS, 2 * CHUNK_BARS],
      [100, N - 100],
      [N - 1, N],
    ];
    for (const [a, b] of cases) {
      const s = loadBars(t.app, { ...key, from: series.time[a], to: series.time[b] ?? series.time[N - 1]! + 1 });
      expect(s.length).toBe(b - a);
      expect(s.time[0]).toBe(series.time[a]);
      expect(s.time[s.length - 1]).toBe(series.time[b - 1]);
      expect(firstDifference(s.close, series.close.subarray(a, b))).toBe(-1);
    }
  });

  it('bounds between bars, outside the data, and empty ranges', () => {
    const t0 = series.time[0]!;
    expect(loadBars(t.app, { ...key, from: t0 + 1, to: t0 + PERIOD_MS.MINUTE + 1 }).length).toBe(1);
    expect(loadBars(t.app, { ...key, from: t0 - 1e9 }).length).toBe(N);
    expect(loadBars(t.app, { ...key, to: t0 }).length).toBe(0);
    expect(loadBars(t.app, { ...key, from: series.time[N - 1]! + 1 }).length).toBe(0);
    expect(loadBars(t.app, { ...key, from: t0 + 10, to: t0 + 10 }).length).toBe(0);
  });

  it('unknown instrument or period is BarsNotFoundError', () => {
    expect(() => loadBars(t.app, { ...key, symbol: 'NOPE' })).toThrow(BarsNotFoundError);
    expect(() => loadBars(t.app, { ...key, period: 'DAY' })).toThrow(/no DAY bars for syn\/AAA/);
  });

  it('refuses to overwrite without replace; validates time order', () => {
    expect(() => writeBars(t.app, { ...key, series })).toThrow(BarsExistError);
    const bad = barSeriesFromRows('Z', [
      { time: 2, open: 1, high: 1, low: 1, close: 1 },
      { time: 2, open: 1, high: 1, low: 1, close: 1 },
    ]);
    expect(() => writeBars(t.app, { ...key, symbol: 'Z', series: bad })).toThrow(InvalidBarsError);
    expect(getCoverage(t.app, { ...key, symbol: 'Z' })).toBeNull();
  });

  it('replace rewrites the coverage; coverage and listDatasets describe the stored bars', () => {
    const small = barSeriesFromRows('B', [
      { time: Date.UTC(2020, 0, 2), open: 1, high: 2, low: 1, close: 2, volume: 3 },
      { time: Date.UTC(2020, 0, 3), open: 2, high: 2, low: 1, close: 1, volume: 4 },
    ]);
    writeBars(t.app, { dataset: 'syn', symbol: 'BBB', period: 'DAY', series: small });
    const one = barSeriesFromRows('B', [{ time: 5, open: 1, high: 1, low: 1, close: 1 }]);
    writeBars(t.app, { dataset: 'syn', symbol: 'BBB', period: 'DAY', series: one, replace: true });
    expect(Array.from(loadBars(t.app, { dataset: 'syn', symbol: 'BBB', period: 'DAY' }).time)).toEqual([5]);
    expect(getCoverage(t.app, { dataset: 'syn', symbol: 'BBB', period: 'DAY' })).toEqual({
      dataset: 'syn', symbol: 'BBB', period: 'DAY', first: 5, last: 5, bars: 1,
    });
    writeBars(t.app, { dataset: 'other', datasetName: 'Other data', symbol: 'Q', period: 'HOUR', series: small });
    expect(listDatasets(t.app)).toEqual([
      { id: 'other', name: 'Other data', instruments: [{ symbol: 'Q', coverage: [{ period: 'HOUR', first: small.time[0], last: small.time[1], bars: 2 }] }] },
      {
        id: 'syn',
        name: 'syn',
        instruments: [
          { symbol: 'AAA', coverage: [{ period: 'MINUTE', first: series.time[0], last: series.time[N - 1], bars: N }] },
          { symbol: 'BBB', coverage: [{ period: 'DAY', first: 5, last: 5, bars: 1 }] },
        ],
      },
    ]);
  });
});

describe('dayRange', () => {
  it('is whole UTC days, both inclusive, as [from, to)', () => {
    expect(dayRange('2020-01-02', '2020-01-03')).toEqual({ from: Date.UTC(2020, 0, 2), to: Date.UTC(2020, 0, 4) });
    expect(dayRange(undefined, '2020-02-29')).toEqual({ to: Date.UTC(2020, 2, 1) });
    expect(dayRange('2020-12-31')).toEqual({ from: Date.UTC(2020, 11, 31) });
    expect(dayRange()).toEqual({});
    expect(dayRange('2020-01-05', '2020-01-05')).toEqual({ from: Date.UTC(2020, 0, 5), to: Date.UTC(2020, 0, 6) });
  });

  it('names the bad bound', () => {
    expect(() => dayRange('2021-02-29')).toThrow(expect.objectContaining({ name: 'DayRangeError', field: 'start' }));
    expect(() => dayRange('2020-01-01', '2020-1-5')).toThrow(expect.objectContaining({ field: 'end', message: expect.stringMatching(/^end '2020-1-5'/) }));
    expect(() => dayRange('2020-13-01')).toThrow(/start '2020-13-01' is not a valid YYYY-MM-DD date/);
    expect(() => dayRange('2020-01-01T00:00')).toThrow(/start/);
    expect(() => dayRange('2020-02-01', '2020-01-31')).toThrow(expect.objectContaining({ field: 'end' }));
  });

  it('with loadBars selects exactly the bars of those days', () => {
    const t = tempDb();
    try {
      const s = generateSyntheticBars({ symbol: 'H', bars: 24 * 10, period: 'HOUR', seed: 1, start: Date.UTC(2020, 0, 1) });
      writeBars(t.app, { dataset: 'h', symbol: 'H', period: 'HOUR', series: s });
      const got = loadBars(t.app, { dataset: 'h', symbol: 'H', period: 'HOUR', ...dayRange('2020-01-03', '2020-01-04') });
      expect(got.length).toBe(48);
      expect(got.time[0]).toBe(Date.UTC(2020, 0, 3));
      expect(got.time[47]).toBe(Date.UTC(2020, 0, 4, 23));
    } finally {
      t.dispose();
    }
  });
});
