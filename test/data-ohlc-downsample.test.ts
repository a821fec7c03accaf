import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barSeriesFromRows } from '../src/engine/bars.js';
import { downsampleOhlc, type OhlcBar } from '../src/data/ohlc-downsample.js';
import { loadSp500 } from './support/sp500.js';
import { startServer, type TestServer } from './support/test-server.js';

interface Row {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * The second implementation: rows as objects, split into groups with slice() at the boundaries
 * floor(b * n / buckets), each group merged with array methods.
 */
function naiveOhlc(rows: Row[], maxBuckets: number): OhlcBar[] {
  const buckets = Math.min(rows.length, maxBuckets);
  const groups: Row[][] = [];
  for (let b = 0; b < buckets; b++) groups.push(rows.slice(Math.floor((b * rows.length) / buckets), Math.floor(((b + 1) * rows.length) / buckets)));
  return groups.map((g) => ({
    time: g[0]!.time,
    open: g[0]!.open,
    high: Math.max(...g.map((r) => r.high)),
    low: Math.min(...g.map((r) => r.low)),
    close: g[g.length - 1]!.close,
    volume: g.reduce((s, r) => s + r.volume, 0),
  }));
}

function rowsOf(n: number, seed = 1): Row[] {
  let x = seed;
  const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
  let price = 100;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    price *= 1 + (rnd() - 0.5) / 20;
    const high = Math.max(open, price) * (1 + rnd() / 50);
    const low = Math.min(open, price) * (1 - rnd() / 50);
    return { time: 1_000_000 + i * 60_000, open, high, low, close: price, volume: Math.round(rnd() * 1000) };
  });
}

describe('downsampleOhlc', () => {
  it('merges buckets by hand: first open, max high, min low, last close, summed volume', () => {
    // 5 bars into 2 buckets: [0, 2) and [2, 5).
    const s = barSeriesFromRows('X', [
      { time: 10, open: 1, high: 5, low: 0.5, close: 2, volume: 10 },
      { time: 20, open: 2, high: 3, low: 1, close: 3, volume: 20 },
      { time: 30, open: 3, high: 9, low: 2, close: 8, volume: 1 },
      { time: 40, open: 8, high: 8.5, low: 0.1, close: 4, volume: 2 },
      { time: 50, open: 4, high: 6, low: 3, close: 5, volume: 3 },
    ]);
    expect(downsampleOhlc(s, 2)).toEqual([
      { time: 10, open: 1, high: 5, low: 0.5, close: 3, volume: 30 },
      { time: 30, open: 3, high: 9, low: 0.1, close: 5, volume: 6 },
    ]);
  });

  it('equals the naive computation for many sizes, including uneven and single-bar buckets', () => {
    for (const n of [1, 2, 7, 100, 1_001, 12_345]) {
      const rows = rowsOf(n, n);
      const series = barSeriesFromRows('X', rows);
      for (const max of [1, 2, 3, 10, 99, 1_000, 5_000, 20_000]) {
        expect(downsampleOhlc(series, max), `n=${n} max=${max}`).toEqual(naiveOhlc(rows, max));
      }
    }
  });

  it('on the S&P 500 daily bars keeps the extremes, the volume and the ends', () => {
    const spx = loadSp500();
    const out = downsampleOhlc(spx, 300);
    expect(out).toHaveLength(300);
    const highs = Array.from(spx.high);
    const lows = Array.from(spx.low);
    expect(Math.max(...out.map((b) => b.high))).toBe(Math.max(...highs));
    expect(Math.min(...out.map((b) => b.low))).toBe(Math.min(...lows));
    expect(out.reduce((s, b) => s + b.volume, 0)).toBeCloseTo(Array.from(spx.volume).reduce((s, v) => s + v, 0), -3);
    expect(out[0]!.open).toBe(spx.open[0]);
    expect(out.at(-1)!.close).toBe(spx.close[spx.length - 1]);
    for (let i = 1; i < out.length; i++) expect(out[i]!.time).toBeGreaterThan(out[i - 1]!.time);
  });

  it('returns a series that fits bar for bar, and nothing for an empty one', () => {
    const rows = rowsOf(5);
    expect(downsampleOhlc(barSeriesFromRows('X', rows), 5)).toEqual(rows);
    expect(downsampleOhlc(barSeriesFromRows('X', []), 10)).toEqual([]);
  });

  it('refuses a bucket count that is not a positive integer', () => {
    const s = barSeriesFromRows('X', rowsOf(3));
    for (const bad of [0, -1, 1.5, NaN]) expect(() => downsampleOhlc(s, bad)).toThrow(RangeError);
  });
});

describe('Instrument.bars over GraphQL', () => {
  let server: TestServer;
  const BARS = `query($symbol: String!, $period: BarPeriod!, $start: DateTime, $end: DateTime, $maxPoints: Int) {
    instrument(dataset: "demo", symbol: $symbol) { symbol bars(period: $period, start: $start, end: $end, maxPoints: $maxPoints) { time open high low close volume } }
  }`;
  const spxRows = (): Row[] => {
    const s = loadSp500();
    return Array.from({ length: s.length }, (_, i) => ({ time: s.time[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! }));
  };
  const asWire = (bars: OhlcBar[]) => bars.map((b) => ({ ...b, time: new Date(b.time).toISOString() }));

  beforeAll(async () => {
    server = await startServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('answers the S&P 500 downsampled like the naive computation over the CSV read directly', async () => {
    const d = await server.gqlOk(BARS, { symbol: 'SPX', period: 'DAY', maxPoints: 300 });
    expect(d.instrument.bars).toEqual(asWire(naiveOhlc(spxRows(), 300)));
  });

  it('takes start and end as inclusive bounds and returns bar for bar what fits', async () => {
    const d = await server.gqlOk(BARS, { symbol: 'SPX', period: 'DAY', start: '2020-01-02T00:00:00Z', end: '2020-01-31T00:00:00Z', maxPoints: 5000 });
    const january = spxRows().filter((r) => r.time >= Date.UTC(2020, 0, 2) && r.time <= Date.UTC(2020, 0, 31));
    expect(january.length).toBeGreaterThan(15);
    expect(d.instrument.bars).toEqual(asWire(january));
  });

  it('refuses maxPoints out of 2..5000 and an end before the start, naming the argument; an unknown symbol is null', async () => {
    for (const maxPoints of [1, 5001]) {
      const r = await server.gql(BARS, { symbol: 'SPX', period: 'DAY', maxPoints });
      expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(r.errors?.[0]?.message).toMatch(/^maxPoints: must be from 2 to 5000/);
    }
    const r = await server.gql(BARS, { symbol: 'SPX', period: 'DAY', start: '2020-02-01T00:00:00Z', end: '2020-01-01T00:00:00Z' });
    expect(r.errors?.[0]?.message).toMatch(/^end: must not be before start/);
    expect((await server.gqlOk(BARS, { symbol: 'NOPE', period: 'DAY' })).instrument).toBeNull();
    expect((await server.gqlOk(BARS, { symbol: 'SPX', period: 'MINUTE' })).instrument.bars).toEqual([]);
  });
});
