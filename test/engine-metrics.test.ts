/**
 * RunMetrics on short equity curves produced by scripted strategies, checked against statistics
 * computed by hand (CONVENTIONS.md, "Equity curve and metrics").
 */
import { describe, expect, it } from 'vitest';
import { barSeriesFromRows, defineStrategy, runBacktest, type BacktestResult, type StrategyContext } from '../src/engine/index.js';

const DAY = 86_400_000;
const day = (i: number): number => Date.UTC(2024, 0, 1) + i * DAY;

function run(
  oc: ReadonlyArray<readonly [number, number]>,
  script: Readonly<Record<number, (ctx: StrategyContext) => void>>,
  initialCash: number,
  periodsPerYear = 252,
): BacktestResult {
  const rows = oc.map(([open, close], i) => ({ time: day(i), open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close }));
  const strategy = defineStrategy({
    id: 'scripted',
    title: 'Scripted',
    description: 'Plays a fixed script keyed by bar index.',
    params: {},
    create(ctx) {
      return { onBar: (bar) => script[bar.index]?.(ctx) };
    },
  });
  return runBacktest({ series: [barSeriesFromRows('X', rows)], strategy, params: {}, initialCash, periodsPerYear });
}

/** Plain two-pass statistics over a hand-written equity list, as a cross-check of the literals below. */
function handStats(equity: number[], A: number) {
  const r: number[] = [];
  for (let t = 1; t < equity.length; t++) r.push(equity[t] / equity[t - 1] - 1);
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (r.length - 1));
  const down = Math.sqrt(r.reduce((a, x) => a + Math.min(x, 0) ** 2, 0) / r.length);
  return { r, mean, sd, sharpe: (mean / sd) * Math.sqrt(A), sortino: (mean / down) * Math.sqrt(A), volatility: sd * Math.sqrt(A) };
}

describe('metrics of an 8-point equity curve', () => {
  // initialCash 1000; buy 10 at bar 0 (fills at bar 1's open 100, cash 0); sell 10 at bar 5 (fills at bar 6's open 101, cash 1010)
  const r = run(
    [
      [100, 100], // 0: equity 1000 (cash, nothing filled)
      [100, 100], // 1: 0 + 10 × 100 = 1000
      [101, 110], // 2: 1100
      [108, 99], // 3: 990
      [100, 108.9], // 4: 1089
      [105, 98.01], // 5: 980.1
      [101, 95], // 6: sold @ 101 → cash 1010 = equity
      [96, 120], // 7: 1010 (flat)
    ],
    { 0: (ctx) => void ctx.buy('X', 10), 5: (ctx) => void ctx.sell('X', 10) },
    1000,
  );
  const E = [1000, 1000, 1100, 990, 1089, 980.1, 1010, 1010];
  const m = r.metrics;

  it('produces the hand-computed equity curve', () => {
    expect(r.equity.length).toBe(8);
    Array.from(r.equity.equity).forEach((v, t) => expect(v).toBeCloseTo(E[t], 9));
    expect(m.finalEquity).toBe(1010);
    expect(m.totalReturn).toBeCloseTo(0.01, 12); // 1010 / 1000 - 1
  });

  it('returns, sharpe, sortino and volatility', () => {
    // r = [0, 0.1, -0.1, 0.1, -0.1, 1010/980.1 - 1 = 0.0305070911131517, 0]
    // mean = 0.0305070911131517 / 7 = 0.00435815587330739
    // sample variance = Σ(r - mean)² / 6 = 0.00679962132497897 → stdev 0.0824598164258142
    // sharpe = mean / stdev × √252 = 0.838997498326994
    // volatility = stdev × √252 = 1.30900900451246
    // downside = √((0.01 + 0.01) / 7) = √0.00285714285714286 → sortino = mean / downside × √252 = 1.29430626002313
    const h = handStats(E, 252);
    expect(h.mean).toBeCloseTo(0.00435815587330739, 12);
    expect(h.sd).toBeCloseTo(0.0824598164258142, 12);
    expect(m.sharpe).toBeCloseTo(0.838997498326994, 9);
    expect(m.volatility).toBeCloseTo(1.30900900451246, 9);
    expect(m.sortino).toBeCloseTo(1.29430626002313, 9);
    expect(m.sharpe!).toBeCloseTo(h.sharpe, 9);
    expect(m.sortino!).toBeCloseTo(h.sortino, 9);
  });

  it('drawdown and an unrecovered final drawdown duration', () => {
    // peaks: 1000, 1000, 1100, 1100, ... ; dd = [0, 0, 0, 0.1, 0.01, 0.109, 1 - 1010/1100, 1 - 1010/1100]
    const dd = [0, 0, 0, 0.1, 0.01, 0.109, 1 - 1010 / 1100, 1 - 1010 / 1100];
    Array.from(r.equity.drawdown).forEach((v, t) => expect(v).toBeCloseTo(dd[t], 12));
    expect(m.maxDrawdown).toBeCloseTo(0.109, 12); // 1 - 980.1 / 1100
    // underwater (equity < 1100) at bars 3, 4, 5, 6, 7 → 5, never recovered
    expect(m.maxDrawdownDuration).toBe(5);
  });

  it('exposure, cagr, trades, winRate and profitFactor', () => {
    // a position is on at the marks of bars 1..5 → 5 of 8 points
    expect(m.exposure).toBe(0.625);
    // 7 calendar days: (1010 / 1000)^(365.25 / 7) - 1 = 0.680672564241105
    expect(m.cagr).toBeCloseTo(0.680672564241105, 9);
    // one round trip: 10 × (101 - 100) = +10
    expect(m.trades).toBe(1);
    expect(r.roundTrips[0].pnl).toBe(10);
    expect(r.roundTrips[0].bars).toBe(5); // bar 6 - bar 1
    expect(m.winRate).toBe(1);
    expect(m.profitFactor).toBeNull(); // no losing trade
    expect(m.totalCommission).toBe(0);
  });
});

describe('drawdown duration with a recovery', () => {
  it('counts the longest run of strictly underwater bars; equal to the peak is not underwater', () => {
    const r = run(
      [
        [100, 100], // 0: 1000
        [100, 100], // 1: bought 10 @ 100 → 1000
        [100, 95], // 2: 950  (underwater 1)
        [95, 97], // 3: 970  (underwater 2)
        [97, 100], // 4: 1000 = peak → not underwater
        [100, 105], // 5: 1050 new peak
        [105, 104], // 6: 1040 (underwater 1, final)
      ],
      { 0: (ctx) => void ctx.buy('X', 10) },
      1000,
    );
    expect(Array.from(r.equity.equity)).toEqual([1000, 1000, 950, 970, 1000, 1050, 1040]);
    expect(r.metrics.maxDrawdownDuration).toBe(2);
    expect(r.metrics.maxDrawdown).toBeCloseTo(0.05, 12); // 1 - 950 / 1000
    expect(r.metrics.exposure).toBeCloseTo(6 / 7, 12); // bars 1..6
    // 6 calendar days: 1.04^(365.25 / 6) - 1
    expect(r.metrics.cagr).toBeCloseTo(Math.pow(1.04, 365.25 / 6) - 1, 9);
    expect(r.metrics.trades).toBe(0); // still open
  });

  it('the annualisation factor comes from the run input', () => {
    const oc = [
      [100, 100],
      [100, 100],
      [100, 95],
      [95, 97],
      [97, 100],
    ] as const;
    const daily = run(oc, { 0: (ctx) => void ctx.buy('X', 10) }, 1000, 252);
    const hourly = run(oc, { 0: (ctx) => void ctx.buy('X', 10) }, 1000, 252 * 6.5);
    // same returns; sharpe and volatility scale with √A: ratio √6.5
    expect(hourly.metrics.volatility! / daily.metrics.volatility!).toBeCloseTo(Math.sqrt(6.5), 12);
    expect(hourly.metrics.sharpe! / daily.metrics.sharpe!).toBeCloseTo(Math.sqrt(6.5), 12);
  });
});

describe('degenerate runs', () => {
  it('a run that never trades: flat equity, zero volatility, undefined sharpe and sortino', () => {
    const r = run([[100, 100], [100, 101], [101, 99], [99, 98]], {}, 5000);
    const m = r.metrics;
    expect(Array.from(r.equity.equity)).toEqual([5000, 5000, 5000, 5000]);
    expect(m.totalReturn).toBe(0);
    expect(m.volatility).toBe(0);
    expect(m.sharpe).toBeNull(); // stdev 0
    expect(m.sortino).toBeNull(); // no negative return
    expect(m.maxDrawdown).toBe(0);
    expect(m.maxDrawdownDuration).toBe(0);
    expect(m.exposure).toBe(0);
    expect(m.cagr).toBe(0); // 1^(365.25/3) - 1
    expect(m.winRate).toBeNull();
    expect(m.profitFactor).toBeNull();
  });

  it('a single bar: equity[0] = initialCash, cagr and volatility undefined', () => {
    const r = run([[100, 100]], { 0: (ctx) => void ctx.buy('X', 1) }, 777);
    expect(Array.from(r.equity.equity)).toEqual([777]);
    expect(r.metrics.cagr).toBeNull(); // 0 calendar days
    expect(r.metrics.volatility).toBeNull();
    expect(r.metrics.sharpe).toBeNull();
    expect(r.orders[0].status).toBe('PENDING'); // no next bar to fill on
  });
});
