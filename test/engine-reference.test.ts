/**
 * Golden master against an independent implementation: shared/reference/sma-crossover-spx-market.json
 * was computed outside this project from CONVENTIONS.md over the real S&P 500 daily bars of
 * vega-datasets@3.2.1. Every fill, round trip and metric must match within the file's tolerances.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest, PERIODS_PER_YEAR, smaCrossover, validateStrategyParams } from '../src/engine/index.js';
import { loadReference, loadSp500 } from './support/sp500.js';

const ref = loadReference();
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function expectMoney(actual: number, expected: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(ref.tolerance.money_relative * Math.abs(expected));
}

describe('sma-crossover on S&P 500 daily bars (reference)', () => {
  const bars = loadSp500();
  const params = validateStrategyParams(smaCrossover, ref.input.params);
  if (!params.ok) throw new Error(JSON.stringify(params.errors));
  const result = runBacktest({
    series: [bars],
    strategy: smaCrossover,
    params: params.values,
    initialCash: ref.input.initialCash,
    commission: ref.input.commission,
    slippage: ref.input.slippageBps,
    periodsPerYear: PERIODS_PER_YEAR.DAY,
  });

  it('reads the full data set', () => {
    expect(bars.length).toBe(ref.equity.points);
    expect(result.equity.length).toBe(ref.equity.points);
  });

  it('matches every fill exactly', () => {
    expect(result.fills.map((f) => ({ date: isoDate(f.time), side: f.side, quantity: f.quantity, price: f.price, commission: f.commission }))).toEqual(ref.fills);
  });

  it('matches the round trips', () => {
    expect(result.roundTrips).toHaveLength(ref.roundTrips.length);
    result.roundTrips.forEach((t, i) => {
      const r = ref.roundTrips[i];
      expect({ symbol: t.symbol, side: t.side, quantity: t.quantity, entryDate: isoDate(t.entryTime), exitDate: isoDate(t.exitTime), bars: t.bars }).toEqual({
        symbol: r.symbol, side: r.side, quantity: r.quantity, entryDate: r.entryDate, exitDate: r.exitDate, bars: r.bars,
      });
      expect(t.entryPrice).toBe(r.entryPrice);
      expect(t.exitPrice).toBe(r.exitPrice);
      expectMoney(t.pnl, r.pnl);
      expect(t.returnPct).toBeCloseTo((100 * r.pnl) / (r.quantity * r.entryPrice), 9);
    });
  });

  it('matches every metric within tolerance', () => {
    const m = result.metrics as unknown as Record<string, number>;
    for (const [name, expected] of Object.entries(ref.metrics)) {
      if (name === 'finalEquity' || name === 'totalCommission') expectMoney(m[name], expected);
      else expect(Math.abs(m[name] - expected), name).toBeLessThanOrEqual(ref.tolerance.ratios_absolute);
    }
  });

  it('matches the equity curve summary', () => {
    const eq = result.equity.equity;
    expectMoney(eq[0], ref.equity.first);
    expectMoney(eq[eq.length - 1], ref.equity.last);
    expectMoney(Math.min(...eq), ref.equity.min);
    expectMoney(Math.max(...eq), ref.equity.max);
  });

  it("records 'metrics' keeps no fills or round trips but gives the same metrics (what sweeps use)", () => {
    const lean = runBacktest({
      series: [bars], strategy: smaCrossover, params: params.values, initialCash: ref.input.initialCash,
      commission: ref.input.commission, slippage: ref.input.slippageBps, periodsPerYear: PERIODS_PER_YEAR.DAY, records: 'metrics',
    });
    expect(lean.fills).toEqual([]);
    expect(lean.roundTrips).toEqual([]);
    expect(lean.metrics).toEqual(result.metrics);
    expect(lean.metrics.trades).toBe(ref.metrics.trades);
  });

  it('is deterministic: a second run gives identical results', () => {
    const again = runBacktest({
      series: [bars], strategy: smaCrossover, params: params.values, initialCash: ref.input.initialCash,
      commission: ref.input.commission, slippage: ref.input.slippageBps, periodsPerYear: PERIODS_PER_YEAR.DAY,
    });
    expect(again.metrics).toEqual(result.metrics);
    expect(again.fills).toEqual(result.fills);
    expect(Array.from(again.equity.equity)).toEqual(Array.from(result.equity.equity));
  });
});
