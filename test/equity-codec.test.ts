/**
 * The stored equity curve (format 2: time and cash as runs, drawdown recomputed on read) gives back
 * exactly what the engine produced: compared point for point, bit for bit, with the engine's own
 * columns (both compute drawdown with drawdownsOf; engine-records.test.ts checks that against a
 * plain loop, and the max drawdown against it). Format 1 rows
 * (four raw columns, written before) still read; damaged rows are refused with a reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEquity, encodeEquity, EQUITY_FORMAT_RAW, EQUITY_FORMAT_RUNS } from '../src/data/equity-codec.js';
import { float64Bytes } from '../src/data/float64-bytes.js';
import { getEquityCurve, insertEquity } from '../src/data/run-results.js';
import { createRun } from '../src/data/run-store.js';
import { runBacktest, smaCrossover } from '../src/engine/index.js';
import type { EquityCurve } from '../src/engine/results.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { firstDifference, tempDb, type TempDb } from './data-fixtures.js';
import { runReferenceBacktest } from './support/reference-run.js';

const NEW_RUN = {
  strategy: 'sma-crossover',
  params: {},
  symbols: ['X'],
  dataset: 'demo',
  period: 'DAY' as const,
  initialCash: 100_000,
  commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 },
  slippageBps: 0,
};

function expectSameCurve(got: EquityCurve, want: EquityCurve): void {
  expect(got.length).toBe(want.length);
  for (const col of ['time', 'equity', 'cash', 'drawdown'] as const) {
    const a = got[col].subarray(0, got.length);
    const b = want[col].subarray(0, want.length);
    expect({ col, at: firstDifference(a, b) }).toEqual({ col, at: -1 });
  }
}

describe('equity curve storage', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.dispose());

  function roundTrip(curve: EquityCurve): EquityCurve {
    const { id } = createRun(t.app, NEW_RUN);
    insertEquity(t.app, id, encodeEquity(curve));
    return getEquityCurve(t.app, id)!;
  }

  it('the SPX reference run (weekends, holidays, 40 fills) reads back bit for bit, drawdown included', () => {
    const { result } = runReferenceBacktest();
    expect(result.fills.length).toBeGreaterThan(10);
    const encoded = encodeEquity(result.equity);
    expect(encoded.format).toBe(EQUITY_FORMAT_RUNS);
    expect(encoded.drawdown.byteLength).toBe(0);
    // Cash changes only at fills: one run per fill at most, plus the first.
    expect(encoded.cash.byteLength / 16).toBeLessThanOrEqual(result.fills.length + 1);
    expectSameCurve(roundTrip(result.equity), result.equity);
  });

  it('a 1,000,000-point curve stores ~8 bytes a point (equity raw; time and cash as runs)', () => {
    const bars = generateSyntheticBars({ symbol: 'X', bars: 1_000_000, period: 'MINUTE', seed: 5 });
    const { equity } = runBacktest({ series: [bars], strategy: smaCrossover, params: { fastPeriod: 20, slowPeriod: 100, quantity: 1 }, initialCash: 100_000, periodsPerYear: 252 * 390 } as Parameters<typeof runBacktest>[0]);
    const e = encodeEquity(equity);
    const bytes = e.time.byteLength + e.equity.byteLength + e.cash.byteLength + e.drawdown.byteLength;
    expect(e.equity.byteLength).toBe(8_000_000);
    expect(bytes).toBeLessThan(8_000_000 * 1.1);
    expectSameCurve(roundTrip(equity), equity);
  });

  it('hand-made edge cases: no point, one point, irregular and huge time gaps, -0 and 0 cash, repeated values', () => {
    const curve = (time: number[], equity: number[], cash: number[]): EquityCurve => {
      const eq = Float64Array.from(equity);
      // Drawdown by hand: 1 - e / running peak.
      let peak = -Infinity;
      const dd = eq.map((v) => ((peak = Math.max(peak, v)), 1 - v / peak));
      return { length: time.length, time: Float64Array.from(time), equity: eq, cash: Float64Array.from(cash), drawdown: dd };
    };
    const cases = [
      curve([], [], []),
      curve([5], [100], [100]),
      curve([0, 60_000, 120_000, 180_000, 8.64e12, 8.64e12 + 1], [100, 101, 99, 99, 120, 90], [100, 100, -0, 0, 0, 5e-324]),
      curve([-1e12, 1e12, 3e12], [1, 2, 3], [7, 7, 7]),
      // Irregular times and cash changing every point: both stored raw (runs would be longer).
      curve([0, 1, 3, 6, 10, 15], [5, 4, 6, 6, 2, 9], [1, 2, 3, 4, 5, 6]),
    ];
    const raw = encodeEquity(cases[4]!);
    expect([raw.time.byteLength, raw.cash.byteLength]).toEqual([6 * 8, 6 * 8]);
    for (const c of cases) {
      const back = roundTrip(c);
      expectSameCurve(back, c);
      for (let k = 0; k < c.length; k++) expect(Object.is(back.cash[k], c.cash[k])).toBe(true);
    }
  });

  it('format 1 rows (four raw columns) still read, and a damaged row is refused naming the column', () => {
    const c = runReferenceBacktest().result.equity;
    const raw = (a: Float64Array) => float64Bytes(a.subarray(0, c.length));
    const { id } = createRun(t.app, NEW_RUN);
    insertEquity(t.app, id, { points: c.length, format: EQUITY_FORMAT_RAW, time: raw(c.time), equity: raw(c.equity), cash: raw(c.cash), drawdown: raw(c.drawdown) });
    expectSameCurve(getEquityCurve(t.app, id)!, c);

    const good = encodeEquity(c);
    const damaged = { ...good, points: good.points + 1 };
    expect(() => decodeEquity(damaged)).toThrow(/time runs cover \d+ points, expected \d+/);
    expect(() => decodeEquity({ ...good, equity: good.equity.subarray(8) })).toThrow(/equity blob equity holds \d+ points, expected \d+/);
    expect(() => decodeEquity({ ...good, time: good.time.subarray(0, good.time.byteLength - 16) })).toThrow(/time runs cover \d+ points/);
    expect(() => decodeEquity({ ...good, format: 9 })).toThrow(/equity format 9 is not supported/);
  });
});
