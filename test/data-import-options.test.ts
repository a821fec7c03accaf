/**
 * Import options on real files and a real SQLite database: rows without prices (fail by default,
 * skip on request, reported), timestamps checked against the period, time zones for timestamps
 * written without an offset, and error messages that never quote much of a hostile line.
 * Expected UTC times are written out by hand from the zone's published offsets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCoverage, loadBars } from '../src/data/bar-store.js';
import { CsvImportError, importCsv, UnknownTimeZoneError, type ImportCsvOptions } from '../src/data/csv-import.js';
import { MAX_LINE_CHARS } from '../src/data/csv-parse.js';
import { tempDb, type TempDb } from './data-fixtures.js';

const csv = (...lines: string[]) => lines.join('\n') + '\n';
const H = 3_600_000;

/**
 * Yahoo Finance's download layout: its header, Adj Close, six-decimal prices, and a row of `null`s
 * for a day the market was shut (here Good Friday 2020-04-10, as Yahoo writes it for some tickers).
 * Prices are the S&P 500 rows of those days from vega-datasets (itself a Yahoo export).
 */
const YAHOO = [
  'Date,Open,High,Low,Close,Adj Close,Volume',
  '2020-04-08,2685.000000,2760.750000,2663.300049,2749.979980,2749.979980,5856370000',
  '2020-04-09,2776.989990,2818.570068,2762.360107,2789.820068,2789.820068,7880140000',
  '2020-04-10,null,null,null,null,null,null',
  '2020-04-13,2782.459961,2782.459961,2721.169922,2761.629883,2761.629883,5274310000',
  '2020-04-14,2805.100098,2851.850098,2805.100098,2846.060059,2846.060059,5567400000',
];

describe('rows without prices', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());
  const key = { dataset: 'y', symbol: 'SPX', period: 'DAY' as const };
  const importText = (text: string, extra: Partial<ImportCsvOptions> = {}) =>
    importCsv(t.app, { file: t.file('in.csv', text), ...key, format: 'yahoo', ...extra });

  it('refuse the file by default, naming the line, and store nothing', async () => {
    const err = await importText(csv(...YAHOO)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvImportError);
    expect((err as CsvImportError).message).toBe('line 4: no prices (open, high, low, close are null or empty)');
    expect((err as CsvImportError).skippable).toBe(true);
    expect(getCoverage(t.app, key)).toBeNull();
  });

  it("are skipped and reported with onInvalid: 'skip'; the other rows are stored exactly", async () => {
    const result = await importText(csv(...YAHOO), { onInvalid: 'skip' });
    expect(result.skipped).toEqual({ count: 1, lines: [4] });
    expect(result).toMatchObject({ bars: 4, first: Date.UTC(2020, 3, 8), last: Date.UTC(2020, 3, 14) });
    const s = loadBars(t.app, key);
    expect(Array.from(s.time)).toEqual([Date.UTC(2020, 3, 8), Date.UTC(2020, 3, 9), Date.UTC(2020, 3, 13), Date.UTC(2020, 3, 14)]);
    expect(Array.from(s.close)).toEqual([2749.97998, 2789.820068, 2761.629883, 2846.060059]);
    expect(Array.from(s.volume)).toEqual([5856370000, 7880140000, 5274310000, 5567400000]);
  });

  it('count every skipped row but list only the first ten lines', async () => {
    const rows = ['Date,Open,High,Low,Close,Adj Close,Volume'];
    for (let d = 1; d <= 28; d++) {
      const day = `2021-02-${String(d).padStart(2, '0')}`;
      // Every other day has no prices; empty fields count as missing like 'null' (any case).
      rows.push(d % 2 === 0 ? `${day},${d % 4 === 0 ? 'NULL,null,Null,null' : ',,,'},,` : `${day},10,11,9,10,10,100`);
    }
    const result = await importText(csv(...rows), { onInvalid: 'skip' });
    expect(result.bars).toBe(14);
    expect(result.skipped.count).toBe(14);
    expect(result.skipped.lines).toEqual([3, 5, 7, 9, 11, 13, 15, 17, 19, 21]);
  });

  it('skip still validates everything else', async () => {
    const partlyNull = [...YAHOO.slice(0, 3), '2020-04-13,null,2782.459961,null,null,null,5274310000'];
    await expect(importText(csv(...partlyNull), { onInvalid: 'skip' })).rejects.toThrow(/^line 4: open 'null' is not a number$/);
    const badRange = [...YAHOO, '2020-04-15,2795.639893,2701.879883,2761.540039,2783.360107,2783.360107,5203390000'];
    await expect(importText(csv(...badRange), { onInvalid: 'skip' })).rejects.toThrow(/^line 7: high 2701.879883 < low 2761.540039$/);
    const badTime = [...YAHOO.slice(0, 3), '2020-04-31,null,null,null,null,null,null'];
    await expect(importText(csv(...badTime), { onInvalid: 'skip' })).rejects.toThrow(/^line 4: bad timestamp '2020-04-31'/);
    const onlyNulls = [YAHOO[0]!, YAHOO[3]!];
    await expect(importText(csv(...onlyNulls), { onInvalid: 'skip' })).rejects.toThrow('no data rows (1 skipped without prices)');
    expect(getCoverage(t.app, key)).toBeNull();
  });
});

describe('timestamps checked against the period', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());
  const cols = { time: 't', open: 'o', high: 'h', low: 'l', close: 'c' };
  const importTimes = (period: 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND', times: string[], timeFormat: ImportCsvOptions['timeFormat'] = 'iso-datetime') =>
    importCsv(t.app, {
      file: t.file(`${period}.csv`, csv('t,o,h,l,c', ...times.map((time) => `${time},1,1,1,1`))),
      dataset: 'p',
      symbol: 'X',
      period,
      format: 'generic',
      columns: cols,
      timeFormat,
    });

  it.each([
    ['DAY', ['2021-01-04T00:00:00Z', '2021-01-04T01:00:00Z'], "line 3: timestamp '2021-01-04T01:00:00Z' is on the same UTC day as line 2 ('2021-01-04T00:00:00Z'): DAY bars are at most one per UTC day; intraday bars need a shorter period"],
    ['DAY', ['2021-01-04', '2021-01-05', '2021-01-05 16:00'], "line 4: timestamp '2021-01-05 16:00' is on the same UTC day as line 3 ('2021-01-05')"],
    ['HOUR', ['2021-01-04T10:00:00Z', '2021-01-04T10:30:00Z'], "line 3: timestamp '2021-01-04T10:30:00Z' is not on a whole UTC hour, as HOUR bars must be"],
    ['MINUTE', ['2021-01-04T10:00:30Z'], "line 2: timestamp '2021-01-04T10:00:30Z' is not on a whole UTC minute, as MINUTE bars must be"],
    ['SECOND', ['2021-01-04T10:00:00Z', '2021-01-04T10:00:00.250Z'], "line 3: timestamp '2021-01-04T10:00:00.250Z' is not on a whole UTC second, as SECOND bars must be"],
    ['HOUR', ['2021-01-04T10:00:00+05:30'], "line 2: timestamp '2021-01-04T10:00:00+05:30' is not on a whole UTC hour"],
  ] as const)('%s bars %j are refused', async (period, times, message) => {
    const err = await importTimes(period, [...times]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvImportError);
    expect((err as Error).message.startsWith(message)).toBe(true);
    expect(getCoverage(t.app, { dataset: 'p', symbol: 'X', period })).toBeNull();
  });

  it('epoch times are checked too', async () => {
    await expect(importTimes('SECOND', ['1609459200000', '1609459200500'], 'epoch-ms')).rejects.toThrow(/^line 3: timestamp '1609459200500' is not on a whole UTC second/);
    await expect(importTimes('HOUR', ['1609459200', '1609462800'], 'epoch-s')).resolves.toMatchObject({ bars: 2 });
  });

  it('accepts DAY bars at any time of day, one per UTC day, and aligned intraday bars', async () => {
    const day = await importTimes('DAY', ['2021-01-04T05:00:00Z', '2021-01-05T04:00:00Z', '2021-01-06T21:00:00Z']);
    expect(day.bars).toBe(3);
    const hour = await importTimes('HOUR', ['2021-01-04T10:00:00Z', '2021-01-04T11:00:00+00:00', '2021-01-04T13:00:00+01:00']);
    expect(Array.from(loadBars(t.app, { dataset: 'p', symbol: 'X', period: 'HOUR' }).time)).toEqual([
      Date.UTC(2021, 0, 4, 10),
      Date.UTC(2021, 0, 4, 11),
      Date.UTC(2021, 0, 4, 12),
    ]);
    expect(hour.bars).toBe(3);
  });
});

describe('time zones', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());
  const cols = { time: 'Datetime', open: 'Open', high: 'High', low: 'Low', close: 'Close' };
  const importLocal = (times: string[], extra: Partial<ImportCsvOptions> = {}) =>
    importCsv(t.app, {
      file: t.file('local.csv', csv('Datetime,Open,High,Low,Close', ...times.map((time, i) => `${time},${10 + i},${11 + i},${9 + i},${10 + i}`))),
      dataset: 'tz',
      symbol: 'X',
      period: 'HOUR',
      format: 'generic',
      columns: cols,
      timeFormat: 'iso-datetime',
      ...extra,
    });
  const stored = () => Array.from(loadBars(t.app, { dataset: 'tz', symbol: 'X', period: 'HOUR' }).time);

  it('timestamps without an offset are UTC by default', async () => {
    await importLocal(['2021-03-14 01:00', '2021-03-14T02:00:00', '2021-03-14 03:00:00']);
    expect(stored()).toEqual([Date.UTC(2021, 2, 14, 1), Date.UTC(2021, 2, 14, 2), Date.UTC(2021, 2, 14, 3)]);
  });

  it('America/New_York: EST is UTC-5, EDT UTC-4, across both 2021 changes, the repeated hour in order', async () => {
    await importLocal(
      [
        '2021-03-12 09:00', // Friday, EST: 14:00Z
        '2021-03-14 00:00', // EST: 05:00Z
        '2021-03-14 01:00', // EST: 06:00Z; at 02:00 EST clocks jump to 03:00 EDT
        '2021-03-14 03:00', // EDT: 07:00Z, one hour after the previous bar
        '2021-03-15 09:00', // Monday, EDT: 13:00Z
        '2021-11-07 00:00', // EDT: 04:00Z
        '2021-11-07 01:00', // first 01:00, EDT: 05:00Z; at 02:00 EDT clocks fall back to 01:00 EST
        '2021-11-07 01:00', // second 01:00, EST: 06:00Z
        '2021-11-07 02:00', // EST: 07:00Z
        '2021-11-08T09:00:00-05:00', // a written offset wins over the zone: 14:00Z
        '2021-11-09T14:00:00Z', // so does Z
      ],
      { timeZone: 'America/New_York' },
    );
    expect(stored()).toEqual([
      Date.UTC(2021, 2, 12, 14),
      Date.UTC(2021, 2, 14, 5),
      Date.UTC(2021, 2, 14, 6),
      Date.UTC(2021, 2, 14, 7),
      Date.UTC(2021, 2, 15, 13),
      Date.UTC(2021, 10, 7, 4),
      Date.UTC(2021, 10, 7, 5),
      Date.UTC(2021, 10, 7, 6),
      Date.UTC(2021, 10, 7, 7),
      Date.UTC(2021, 10, 8, 14),
      Date.UTC(2021, 10, 9, 14),
    ]);
    // Offsets between consecutive stored bars, in hours: the DST changes leave no gap and no overlap.
    const s = stored();
    expect([s[2]! - s[1]!, s[3]! - s[2]!, s[6]! - s[5]!, s[7]! - s[6]!, s[8]! - s[7]!].map((d) => d / H)).toEqual([1, 1, 1, 1, 1]);
  });

  it('Europe/London (GMT, then BST from 2021-03-28 01:00 UTC)', async () => {
    await importLocal(['2021-03-27 12:00', '2021-03-28 00:00', '2021-03-28 02:00', '2021-03-29 12:00'], { timeZone: 'Europe/London' });
    expect(stored()).toEqual([Date.UTC(2021, 2, 27, 12), Date.UTC(2021, 2, 28, 0), Date.UTC(2021, 2, 28, 1), Date.UTC(2021, 2, 29, 11)]);
  });

  it('refuses a local time the clocks skip, naming the line and the zone', async () => {
    const err = await importLocal(['2021-03-14 01:00', '2021-03-14 02:00'], { timeZone: 'America/New_York' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("line 3: local time '2021-03-14 02:00' does not exist in America/New_York (the clocks skip it when daylight saving starts)");
  });

  it('a local time written twice with nothing between is a duplicate', async () => {
    const err = await importLocal(['2021-11-07 00:00', '2021-11-07 02:00', '2021-11-07 02:00'], { timeZone: 'America/New_York' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^line 4: duplicate timestamp '2021-11-07 02:00'/);
  });

  it('plain dates stay calendar days at 00:00 UTC whatever the zone', async () => {
    const r = await importCsv(t.app, {
      file: t.file('y.csv', csv(...YAHOO.filter((l) => !l.includes('null')))),
      dataset: 'tz',
      symbol: 'SPX',
      period: 'DAY',
      format: 'yahoo',
      timeZone: 'Asia/Tokyo',
    });
    expect(r.first).toBe(Date.UTC(2020, 3, 8));
  });

  it('an unknown zone is refused before anything is read or stored', async () => {
    for (const zone of ['Mars/Olympus', '', 'x'.repeat(5000)]) {
      const err = await importLocal(['2021-03-14 01:00'], { timeZone: zone }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnknownTimeZoneError);
      expect((err as Error).message).toMatch(/^unknown time zone ".*" \(expected an IANA name such as America\/New_York/);
      expect((err as Error).message.length).toBeLessThan(200);
    }
    expect(getCoverage(t.app, { dataset: 'tz', symbol: 'X', period: 'HOUR' })).toBeNull();
  });
});

describe('hostile lines', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());
  const importText = (text: string) => importCsv(t.app, { file: t.file('h.csv', text), dataset: 'h', symbol: 'X', period: 'DAY', format: 'yahoo' });
  const header = 'Date,Open,High,Low,Close,Adj Close,Volume';

  it.each([
    ['a huge number field', csv(header, `2021-01-04,${'9'.repeat(20_000)}x,11,9,10,10,1`), /^line 2: open '9{40}…' is not a number$/],
    ['a huge timestamp', csv(header, `${'2'.repeat(20_000)},10,11,9,10,10,1`), /^line 2: bad timestamp '2{40}…'/],
    ['a huge quoted field', csv(header, `2021-01-04,10,11,9,10,10,"${'x,'.repeat(10_000)}"`), /^line 2: volume 'x,x,x,(x,){17}…' is not a number$/],
  ])('%s is quoted briefly', async (_what, text, message) => {
    const err = await importText(text).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.length).toBeLessThan(200);
  });

  it('a line longer than MAX_LINE_CHARS is refused without buffering the rest', async () => {
    const err = await importText(csv(header, '2021-01-04,10,11,9,10,10,1', 'x'.repeat(MAX_LINE_CHARS + 10))).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`line 3: longer than ${MAX_LINE_CHARS} characters: not a bar CSV row`);
    const noNewline = await importText(header + '\n' + '1'.repeat(3 * MAX_LINE_CHARS)).catch((e: unknown) => e);
    expect((noNewline as Error).message).toMatch(/^line 2: longer than/);
  });
});
