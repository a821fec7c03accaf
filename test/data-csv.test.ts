import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCoverage, loadBars } from '../src/data/bar-store.js';
import { CsvImportError, importCsv, type ImportCsvOptions } from '../src/data/csv-import.js';
import { BarsExistError } from '../src/data/errors.js';
import { tempDb, type TempDb } from './data-fixtures.js';

const HEADER = 'date,open,high,low,close,adjclose,volume';
const ROWS = [
  '2021-01-04,10,11,9.5,10.5,10.4,1000',
  '2021-01-05,10.5,12,10,11.5,11.4,2000',
  '2021-01-06,11.5,11.75,10.25,10.75,10.7,1500',
];
const csv = (...lines: string[]) => lines.join('\n') + '\n';

describe('importCsv', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());

  const key = { dataset: 'd', symbol: 'X', period: 'DAY' as const };
  const importText = (text: string, extra: Partial<ImportCsvOptions> = {}) =>
    importCsv(t.app, { file: t.file('in.csv', text), ...key, format: 'yahoo', ...extra });

  it('imports a Yahoo file; loaded arrays equal the rows (close, not adj close)', async () => {
    const cov = await importText(csv(HEADER, ...ROWS));
    expect(cov).toMatchObject({ ...key, bars: 3, first: Date.UTC(2021, 0, 4), last: Date.UTC(2021, 0, 6) });
    const s = loadBars(t.app, key);
    expect(Array.from(s.time)).toEqual([Date.UTC(2021, 0, 4), Date.UTC(2021, 0, 5), Date.UTC(2021, 0, 6)]);
    expect(Array.from(s.open)).toEqual([10, 10.5, 11.5]);
    expect(Array.from(s.high)).toEqual([11, 12, 11.75]);
    expect(Array.from(s.low)).toEqual([9.5, 10, 10.25]);
    expect(Array.from(s.close)).toEqual([10.5, 11.5, 10.75]);
    expect(Array.from(s.volume)).toEqual([1000, 2000, 1500]);
  });

  it("accepts Yahoo's own header, CRLF, a BOM, no trailing newline", async () => {
    const text = '\uFEFFDate,Open,High,Low,Close,Adj Close,Volume\r\n' + ROWS.join('\r\n');
    await importText(text);
    expect(Array.from(loadBars(t.app, key).close)).toEqual([10.5, 11.5, 10.75]);
  });

  it('imports generic layouts with each time format; volume optional', async () => {
    const cols = { time: 'ts', open: 'o', high: 'h', low: 'l', close: 'c' };
    const cases = [
      { timeFormat: 'epoch-s', times: ['1609459200', '1609459260'], period: 'MINUTE' },
      { timeFormat: 'epoch-ms', times: ['1609459200000', '1609459260000'], period: 'MINUTE' },
      { timeFormat: 'iso-datetime', times: ['2021-01-01T00:00:00Z', '2021-01-01 01:01:00+01:00'], period: 'MINUTE' },
      { timeFormat: 'iso-date', times: ['2021-01-01', '2021-01-02'], period: 'DAY' },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const text = csv('c,h,ts,l,o,extra', `2,3,${c.times[0]},1,2,x`, `2.5,3,${c.times[1]},2,2,y`);
      await importText(text, { format: 'generic', columns: cols, timeFormat: c.timeFormat, symbol: `G${i}`, period: c.period });
      const s = loadBars(t.app, { ...key, symbol: `G${i}`, period: c.period });
      expect(s.time[0]).toBe(Date.UTC(2021, 0, 1));
      expect(s.time[1]).toBe(c.timeFormat === 'iso-date' ? Date.UTC(2021, 0, 2) : Date.UTC(2021, 0, 1, 0, 1));
      expect(Array.from(s.close)).toEqual([2, 2.5]);
      expect(Array.from(s.volume)).toEqual([0, 0]);
    }
  });

  const invalid: Array<[string, string[], RegExp]> = [
    ['unparseable number', [ROWS[0]!, '2021-01-05,10.5,abc,10,11.5,11.4,2000'], /^line 3: high 'abc' is not a number$/],
    ['empty number', [ROWS[0]!, '2021-01-05,10.5,12,,11.5,11.4,2000'], /^line 3: low '' is not a number$/],
    ['high < low', [ROWS[0]!, ROWS[1]!, '2021-01-06,11,10.5,11,10.75,10.7,1500'], /^line 4: high 10.5 < low 11$/],
    ['open outside', [ROWS[0]!, '2021-01-05,13,12,10,11.5,11.4,2000'], /^line 3: open 13 outside \[low 10, high 12\]$/],
    ['close outside', [ROWS[0]!, '2021-01-05,10.5,12,10,9,11.4,2000'], /^line 3: close 9 outside \[low 10, high 12\]$/],
    ['negative volume', [ROWS[0]!, '2021-01-05,10.5,12,10,11.5,11.4,-5'], /^line 3: negative volume -5$/],
    ['zero price', [ROWS[0]!, '2021-01-05,0,12,10,11.5,11.4,2000'], /^line 3: open 0 is not a positive price$/],
    ['negative zero price', [ROWS[0]!, '2021-01-05,10.5,12,-0,11.5,11.4,2000'], /^line 3: low 0 is not a positive price$/],
    ['negative price', [ROWS[0]!, '2021-01-05,-1,-1,-2,-1.5,11.4,2000'], /^line 3: open -1 is not a positive price$/],
    ['duplicate timestamp', [ROWS[0]!, ROWS[1]!, ROWS[1]!], /^line 4: duplicate timestamp '2021-01-05' \(same as line 3\)$/],
    ['out of order', [ROWS[1]!, ROWS[0]!], /^line 3: timestamp '2021-01-04' is out of order \(before '2021-01-05' on line 2\)$/],
    ['bad timestamp', [ROWS[0]!, '2021-02-30,10.5,12,10,11.5,11.4,2000'], /^line 3: bad timestamp '2021-02-30' \(expected YYYY-MM-DD\)$/],
    ['short row', [ROWS[0]!, '2021-01-05,10.5,12,10'], /^line 3: missing column 'close' \(row has 4 fields\)$/],
  ];
  for (const [what, rows, message] of invalid) {
    it(`refuses the whole file on ${what}, writing nothing`, async () => {
      const err = await importText(csv(HEADER, ...rows)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CsvImportError);
      expect((err as Error).message).toMatch(message);
      expect(getCoverage(t.app, key)).toBeNull();
      expect(t.app.sqlite.prepare('select count(*) from bar_chunks').pluck().get()).toBe(0);
    });
  }

  it('refuses a header without a required column, naming it, on line 1', async () => {
    const err = await importText(csv('date,open,high,low,adjclose,volume', '2021-01-04,10,11,9,10,1')).catch((e: unknown) => e);
    expect((err as Error).message).toBe("line 1: missing column 'close'");
    const generic = await importText(csv('t,o,h,l,c', '1,1,1,1,1'), {
      format: 'generic',
      columns: { time: 't', open: 'o', high: 'h', low: 'l', close: 'c', volume: 'v' },
      timeFormat: 'epoch-s',
    }).catch((e: unknown) => e);
    expect((generic as Error).message).toBe("line 1: missing column 'v'");
  });

  it('counts blank lines in line numbers and refuses a file with no data rows', async () => {
    const err = await importText(csv(HEADER, ROWS[0]!, '', '2021-01-05,x,12,10,11.5,11.4,2000')).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^line 4: open 'x'/);
    await expect(importText(csv(HEADER))).rejects.toThrow(/no data rows/);
  });

  it('refuses to import over existing bars unless replace, and replace swaps them all', async () => {
    await importText(csv(HEADER, ...ROWS));
    await expect(importText(csv(HEADER, ROWS[0]!))).rejects.toBeInstanceOf(BarsExistError);
    expect(loadBars(t.app, key).length).toBe(3);
    await importText(csv(HEADER, '2022-03-01,1,2,1,2,2,5'), { replace: true });
    const s = loadBars(t.app, key);
    expect(Array.from(s.time)).toEqual([Date.UTC(2022, 2, 1)]);
    expect(getCoverage(t.app, key)).toMatchObject({ bars: 1, first: Date.UTC(2022, 2, 1), last: Date.UTC(2022, 2, 1) });
  });

  it('a failed replace keeps the old bars', async () => {
    await importText(csv(HEADER, ...ROWS));
    await expect(importText(csv(HEADER, ROWS[1]!, ROWS[0]!), { replace: true })).rejects.toBeInstanceOf(CsvImportError);
    expect(loadBars(t.app, key).length).toBe(3);
  });

  it('reports progress every 100k rows and at the end', async () => {
    const lines = [HEADER];
    const day0 = Date.UTC(2000, 0, 1);
    for (let i = 0; i < 250_000; i++) {
      lines.push(`${new Date(day0 + i * 86_400_000).toISOString().slice(0, 10)},10,11,9,10,10,${i}`);
    }
    const calls: Array<[number, number, number]> = [];
    await importText(lines.join('\n'), { onProgress: (r, b, total) => calls.push([r, b, total]) });
    const rows = calls.map((c) => c[0]);
    expect(rows.at(-1)).toBe(250_000);
    expect(rows.filter((r) => r < 250_000).length).toBe(2); // ~100k and ~200k
    const [, bytes, total] = calls.at(-1)!;
    expect(bytes).toBe(total);
    expect(loadBars(t.app, key).volume[249_999]).toBe(249_999);
  });
});

describe('CSV number and quoting edge cases', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());

  it('reads quoted fields and exotic number spellings exactly like Number()', async () => {
    const text = csv(
      '"Date","Open","High","Low","Close","Adj Close","Volume"',
      '"2021-01-04","1e1",11,"9.5",10.5,x," 1000 "',
      '2021-01-05,.5,12.,+.25,0.30000000000000004,y,0',
    );
    await importCsv(t.app, { file: t.file('q.csv', text), dataset: 'd', symbol: 'Q', period: 'DAY', format: 'yahoo' });
    const s = loadBars(t.app, { dataset: 'd', symbol: 'Q', period: 'DAY' });
    expect(Array.from(s.open)).toEqual([10, 0.5]);
    expect(Array.from(s.high)).toEqual([11, 12]);
    expect(s.low[1]).toBe(0.25);
    expect(s.close[1]).toBe(0.30000000000000004);
    expect(Array.from(s.volume)).toEqual([1000, 0]);
  });
});
