/**
 * The pool threads' bar cache against the plain loader (loadBars copies chunk by chunk; the cache
 * slices views of a whole series): the same bars for every window, replaced bars never served
 * stale, least recently used instruments evicted, oversized ones not kept. On real SQLite files,
 * read through a read-only connection as the pool threads do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BarCache } from '../src/data/bar-cache.js';
import { deleteDataset } from '../src/data/dataset-admin.js';
import { loadBars, writeBars } from '../src/data/bar-store.js';
import { openReadOnlyDatabase, type AppDatabase } from '../src/data/db.js';
import { SqliteBarReader } from '../src/data/sqlite-bar-reader.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { barCacheBytesFromEnv } from '../src/jobs/bar-cache-size.js';
import type { BarSeries } from '../src/engine/bars.js';
import { firstDifference, tempDb, type TempDb } from './data-fixtures.js';

const BARS = 200_000;
const BYTES = BARS * 48;
const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

function expectSameBars(got: BarSeries, want: BarSeries): void {
  expect([got.symbol, got.length]).toEqual([want.symbol, want.length]);
  for (const c of COLUMNS) expect({ c, at: firstDifference(got[c], want[c]) }).toEqual({ c, at: -1 });
}

describe('BarCache', () => {
  let t: TempDb;
  /** Read-only, as the pool threads read: the plain loader's connection and the cache's reader. */
  let plain: AppDatabase;
  let reader: SqliteBarReader;
  const key = (symbol: string) => ({ dataset: 'syn', symbol, period: 'MINUTE' as const });
  const write = (symbol: string, seed: number, replace = false) =>
    writeBars(t.app, { ...key(symbol), series: generateSyntheticBars({ symbol, bars: BARS, period: 'MINUTE', seed }), replace });

  beforeEach(() => {
    t = tempDb();
    for (const [k, s] of ['A', 'B', 'C'].entries()) write(s, k + 1);
    plain = openReadOnlyDatabase(t.app.path);
    reader = new SqliteBarReader(t.app.path);
  });
  afterEach(async () => {
    plain.close();
    await reader.close();
    t.dispose();
  });

  it('gives the same bars as loadBars for the whole series and for windows, from one copy in memory', async () => {
    const cache = new BarCache(4 * BYTES);
    const whole = loadBars(plain, key('A'));
    const t0 = whole.time[0]!;
    const step = 60_000;
    const windows = [
      {},
      { from: t0 + 1000 * step },
      { to: t0 + 5000 * step },
      { from: t0 + 10 * step + 1, to: t0 + 20 * step }, // from between two bars, to exclusive
      { from: t0 - 1e9, to: t0 + 1e13 }, // wider than the data
      { from: t0 + 3 * step, to: t0 + 3 * step }, // empty
    ];
    for (const w of windows) expectSameBars(await cache.load(reader, { ...key('A'), ...w }), loadBars(plain, { ...key('A'), ...w }));
    expect(cache.size).toBe(BYTES);
    // Views of one buffer: the bars were read once.
    const a = await cache.load(reader, key('A'));
    const b = await cache.load(reader, { ...key('A'), from: t0 + 100 * step });
    expect(b.close.buffer).toBe(a.close.buffer);
    expect(b.close[0]).toBe(a.close[100]);
  });

  it('replaced bars are read again (never served stale); deleted ones fail like loadBars', async () => {
    const cache = new BarCache(4 * BYTES);
    const before = await cache.load(reader, key('B'));
    write('B', 99, true); // through the writer's connection, as an import with --replace
    const after = await cache.load(reader, key('B'));
    expect(after.close.buffer).not.toBe(before.close.buffer);
    expectSameBars(after, loadBars(plain, key('B')));
    expect(after.close[5]).not.toBe(before.close[5]);
    expect(cache.size).toBe(BYTES);

    deleteDataset(t.app, 'syn');
    await expect(cache.load(reader, key('B'))).rejects.toThrow('no MINUTE bars for syn/B');
    expect(() => loadBars(plain, key('B'))).toThrow('no MINUTE bars for syn/B');
  });

  it('evicts the least recently used instrument; one larger than half the cache is not kept', async () => {
    const cache = new BarCache(2 * BYTES);
    const a1 = await cache.load(reader, key('A'));
    const b1 = await cache.load(reader, key('B'));
    expect((await cache.load(reader, key('A'))).close.buffer).toBe(a1.close.buffer); // A is now the most recent
    await cache.load(reader, key('C')); // evicts B
    expect(cache.size).toBe(2 * BYTES);
    expect((await cache.load(reader, key('A'))).close.buffer).toBe(a1.close.buffer);
    const b2 = await cache.load(reader, key('B'));
    expect(b2.close.buffer).not.toBe(b1.close.buffer);
    expectSameBars(b2, b1);

    const small = new BarCache(BYTES); // half of it is less than one instrument
    const x = await small.load(reader, key('A'));
    expect(small.size).toBe(0);
    expect((await small.load(reader, key('A'))).close.buffer).not.toBe(x.close.buffer);
    expectSameBars(x, a1);
    expect(() => new BarCache(-1)).toThrow(/maxBytes must be a finite number >= 0/);
  });

  it('BAR_CACHE_MB: default 256 MB, 0 turns it off, anything else but an integer up to 1048576 is refused', () => {
    expect(barCacheBytesFromEnv({})).toBe(256 * 1024 * 1024);
    expect(barCacheBytesFromEnv({ BAR_CACHE_MB: '0' })).toBe(0);
    expect(barCacheBytesFromEnv({ BAR_CACHE_MB: '1024' })).toBe(1024 ** 3);
    for (const bad of ['-1', '1.5', 'lots', '1048577', '1e9']) {
      expect(() => barCacheBytesFromEnv({ BAR_CACHE_MB: bad })).toThrow(/^BAR_CACHE_MB must be an integer from 0 to 1048576, got "/);
    }
  });
});
