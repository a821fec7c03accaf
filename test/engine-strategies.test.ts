/**
 * Golden masters for the built-in strategies: the engine against test/reference/naive-backtester.ts,
 * an independent plain implementation of CONVENTIONS.md and the strategies' documented rules, on
 * (a) the real S&P 500 daily bars and (b) a seeded synthetic multi-symbol series with uneven calendars.
 * Money within 1e-8 relative, ratios within 1e-9 absolute, counts and bar indexes exact.
 */
import { describe, expect, it } from 'vitest';
import {
  barSeriesFromRows,
  bollingerBreakout,
  buyAndHold,
  rsiReversion,
  runBacktest,
  smaCrossover,
  validateStrategyParams,
  type AnyStrategy,
  type BarSeries,
  type BacktestResult,
} from '../src/engine/index.js';
import { naiveBollinger, naiveRsi, naiveSma, runNaiveBacktest, type NaiveCommission, type NaiveResult, type NaiveSeries, type NaiveStrategy } from './reference/naive-backtester.js';
import { loadReference, loadSp500 } from './support/sp500.js';

const MONEY_REL = 1e-8;
const RATIO_ABS = 1e-9;

function expectMoney(actual: number, expected: number, what: string): void {
  const tol = MONEY_REL * Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}
function expectRatio(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) {
    expect(actual, what).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(RATIO_ABS);
}

function toNaive(s: BarSeries): NaiveSeries {
  return { symbol: s.symbol, time: Array.from(s.time), open: Array.from(s.open), high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close) };
}

// ---------------------------------------------------------------------------------------------
// Seeded synthetic data: three symbols on different calendars (gaps, late start), random walks with
// opening gaps so that stops and limits are also filled at the open.
// ---------------------------------------------------------------------------------------------

/** 32-bit linear congruential generator (Numerical Recipes constants) → uniform in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
}

function syntheticSeries(seed: number): BarSeries[] {
  const rand = lcg(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const specs = [
    { symbol: 'AAA', start: 0, skip: 0, price: 100, vol: 0.018, drift: 0.0003 },
    { symbol: 'BBB', start: 0, skip: 0.12, price: 40, vol: 0.025, drift: -0.0001 }, // ~12% of days missing
    { symbol: 'CCC', start: 90, skip: 0.05, price: 250, vol: 0.012, drift: 0.0002 }, // starts 90 days late
  ];
  const days = 900;
  const t0 = Date.UTC(2019, 0, 1);
  return specs.map((sp) => {
    const rows: { time: number; open: number; high: number; low: number; close: number }[] = [];
    let prev = sp.price;
    for (let d = sp.start; d < days; d++) {
      const missing = rand() < sp.skip;
      const gap = 0.006 * gauss();
      const move = sp.drift + sp.vol * gauss();
      const wickUp = Math.abs(gauss()) * sp.vol * 0.6;
      const wickDown = Math.abs(gauss()) * sp.vol * 0.6;
      if (missing) continue;
      const open = prev * (1 + gap);
      const close = open * Math.exp(move);
      const high = Math.max(open, close) * (1 + wickUp);
      const low = Math.min(open, close) * (1 - wickDown);
      rows.push({ time: t0 + d * 86_400_000, open, high, low, close });
      prev = close;
    }
    return barSeriesFromRows(sp.symbol, rows);
  });
}

// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  strategy: AnyStrategy;
  params: NaiveStrategy;
}

interface Dataset {
  name: string;
  series: BarSeries[];
  initialCash: number;
  commission: NaiveCommission;
  slippageBps: number;
  cases: Case[];
}

const spx: Dataset = {
  name: 'S&P 500 daily',
  series: [loadSp500()],
  initialCash: 100_000,
  commission: { perUnit: 0.01, minimumPerOrder: 1, percentOfNotional: 0.05 },
  slippageBps: 2,
  cases: [
    { name: 'sma-crossover MARKET', strategy: smaCrossover, params: { id: 'sma-crossover', fastPeriod: 10, slowPeriod: 40, quantity: 10, entry: 'MARKET', limitOffsetPct: 1 } },
    { name: 'sma-crossover LIMIT', strategy: smaCrossover, params: { id: 'sma-crossover', fastPeriod: 15, slowPeriod: 50, quantity: 10, entry: 'LIMIT', limitOffsetPct: 0.5 } },
    { name: 'rsi-reversion', strategy: rsiReversion, params: { id: 'rsi-reversion', period: 14, oversold: 30, overbought: 70, quantity: 10 } },
    { name: 'bollinger-breakout', strategy: bollingerBreakout, params: { id: 'bollinger-breakout', period: 20, k: 2, stopPct: 1, quantity: 10 } },
    { name: 'buy-and-hold', strategy: buyAndHold, params: { id: 'buy-and-hold', quantity: 10 } },
  ],
};

const synthetic: Dataset = {
  name: 'synthetic 3 symbols (seed 20240607)',
  series: syntheticSeries(20240607),
  initialCash: 50_000,
  commission: { perUnit: 0.005, minimumPerOrder: 0.5, percentOfNotional: 0.1 },
  slippageBps: 5,
  cases: [
    { name: 'sma-crossover MARKET', strategy: smaCrossover, params: { id: 'sma-crossover', fastPeriod: 5, slowPeriod: 20, quantity: 20, entry: 'MARKET', limitOffsetPct: 1 } },
    { name: 'sma-crossover LIMIT', strategy: smaCrossover, params: { id: 'sma-crossover', fastPeriod: 8, slowPeriod: 21, quantity: 15, entry: 'LIMIT', limitOffsetPct: 1.5 } },
    { name: 'rsi-reversion', strategy: rsiReversion, params: { id: 'rsi-reversion', period: 10, oversold: 35, overbought: 65, quantity: 12 } },
    { name: 'bollinger-breakout', strategy: bollingerBreakout, params: { id: 'bollinger-breakout', period: 15, k: 1.5, stopPct: 2, quantity: 7 } },
    { name: 'buy-and-hold', strategy: buyAndHold, params: { id: 'buy-and-hold', quantity: 9 } },
  ],
};

function engineParams(p: NaiveStrategy): Record<string, unknown> {
  const { id: _id, ...rest } = p;
  return rest;
}

for (const ds of [spx, synthetic]) {
  describe(`golden master on ${ds.name}`, () => {
    for (const c of ds.cases) {
      describe(c.name, () => {
        const validated = validateStrategyParams(c.strategy, engineParams(c.params));
        if (!validated.ok) throw new Error(`bad params for ${c.name}: ${JSON.stringify(validated.errors)}`);
        const engine: BacktestResult = runBacktest({
          series: ds.series,
          strategy: c.strategy,
          params: validated.values,
          initialCash: ds.initialCash,
          commission: ds.commission,
          slippage: ds.slippageBps,
          periodsPerYear: 252,
        });
        const naive: NaiveResult = runNaiveBacktest({
          series: ds.series.map(toNaive),
          strategy: c.params,
          initialCash: ds.initialCash,
          commission: ds.commission,
          slippageBps: ds.slippageBps,
          periodsPerYear: 252,
        });

        it('actually trades, so the comparison means something', () => {
          expect(naive.fills.length).toBeGreaterThan(0);
          expect(engine.fills.length).toBeGreaterThan(0);
          if (c.params.id !== 'buy-and-hold') expect(naive.roundTrips.length).toBeGreaterThan(2);
          if (c.params.id === 'bollinger-breakout') {
            // the protective stop fired at least once, and both long and short entries happened
            const stopFills = naive.fills.filter((f) => naive.orders[f.orderId - 1].type === 'STOP');
            expect(stopFills.length).toBeGreaterThan(0);
            expect(naive.roundTrips.some((t) => t.side === 'SELL')).toBe(true);
            expect(naive.roundTrips.some((t) => t.side === 'BUY')).toBe(true);
          }
          if (c.name === 'sma-crossover LIMIT') {
            // some limit entries filled, some were cancelled by a cross down before filling
            expect(naive.orders.some((o) => o.type === 'LIMIT' && o.status === 'FILLED')).toBe(true);
            expect(naive.orders.some((o) => o.type === 'LIMIT' && o.status === 'CANCELLED')).toBe(true);
          }
        });

        it('has the same fills', () => {
          expect(engine.fills.length).toBe(naive.fills.length);
          engine.fills.forEach((f, k) => {
            const n = naive.fills[k];
            expect({ orderId: f.orderId, symbol: f.symbol, barIndex: f.barIndex, time: f.time, side: f.side, quantity: f.quantity }, `fill ${k}`).toEqual({
              orderId: n.orderId,
              symbol: n.symbol,
              barIndex: n.barIndex,
              time: n.time,
              side: n.side,
              quantity: n.quantity,
            });
            expectMoney(f.price, n.price, `fill ${k} price`);
            expectMoney(f.commission, n.commission, `fill ${k} commission`);
          });
        });

        it('has the same orders and final statuses', () => {
          expect(engine.orders.length).toBe(naive.orders.length);
          engine.orders.forEach((o, k) => {
            const n = naive.orders[k];
            expect({ id: o.id, symbol: o.symbol, side: o.side, type: o.type, quantity: o.quantity, status: o.status }, `order ${k}`).toEqual({
              id: n.id,
              symbol: n.symbol,
              side: n.side,
              type: n.type,
              quantity: n.quantity,
              status: n.status,
            });
            if (n.limitPrice !== null) expectMoney(o.limitPrice as number, n.limitPrice, `order ${k} limit`);
            if (n.stopPrice !== null) expectMoney(o.stopPrice as number, n.stopPrice, `order ${k} stop`);
          });
        });

        it('has the same equity and cash at every point', () => {
          expect(engine.equity.length).toBe(naive.equity.length);
          expect(Array.from(engine.equity.time)).toEqual(naive.times);
          expect(engine.equity.equity[0]).toBe(ds.initialCash);
          for (let t = 0; t < naive.equity.length; t++) {
            expectMoney(engine.equity.equity[t], naive.equity[t], `equity[${t}]`);
            expectMoney(engine.equity.cash[t], naive.cash[t], `cash[${t}]`);
          }
        });

        it('has the same round trips', () => {
          expect(engine.roundTrips.length).toBe(naive.roundTrips.length);
          engine.roundTrips.forEach((t, k) => {
            const n = naive.roundTrips[k];
            expect({ symbol: t.symbol, side: t.side, quantity: t.quantity, entryTime: t.entryTime, exitTime: t.exitTime, bars: t.bars }, `trip ${k}`).toEqual({
              symbol: n.symbol,
              side: n.side,
              quantity: n.quantity,
              entryTime: n.entryTime,
              exitTime: n.exitTime,
              bars: n.bars,
            });
            expectMoney(t.entryPrice, n.entryPrice, `trip ${k} entry`);
            expectMoney(t.exitPrice, n.exitPrice, `trip ${k} exit`);
            // pnl is a difference of large notionals: compare relative to the traded notional
            expect(Math.abs(t.pnl - n.pnl), `trip ${k} pnl`).toBeLessThanOrEqual(MONEY_REL * n.quantity * n.entryPrice);
            expect(Math.abs(t.returnPct - n.returnPct), `trip ${k} returnPct`).toBeLessThanOrEqual(100 * MONEY_REL);
          });
        });

        it('has the same metrics', () => {
          const m = engine.metrics;
          const r = naive.metrics;
          expectMoney(m.finalEquity, r.finalEquity, 'finalEquity');
          expectMoney(m.totalCommission, r.totalCommission, 'totalCommission');
          expect(m.trades).toBe(r.trades);
          expect(m.maxDrawdownDuration).toBe(r.maxDrawdownDuration);
          expectRatio(m.totalReturn, r.totalReturn, 'totalReturn');
          expectRatio(m.cagr, r.cagr, 'cagr');
          expectRatio(m.volatility, r.volatility, 'volatility');
          expectRatio(m.sharpe, r.sharpe, 'sharpe');
          expectRatio(m.sortino, r.sortino, 'sortino');
          expectRatio(m.maxDrawdown, r.maxDrawdown, 'maxDrawdown');
          expectRatio(m.winRate, r.winRate, 'winRate');
          expectRatio(m.profitFactor, r.profitFactor, 'profitFactor');
          expectRatio(m.exposure, r.exposure, 'exposure');
        });
      });
    }
  });
}

describe('the reference implementation itself', () => {
  it('naive indicators agree with hand values on a tiny series', () => {
    const close = [10, 11, 12, 11, 13, 14];
    // SMA(3): t=2: (10+11+12)/3 = 11; t=3: 34/3; t=4: 36/3 = 12; t=5: 38/3
    expect(naiveSma(close, 3)).toEqual([NaN, NaN, 11, 34 / 3, 12, 38 / 3]);
    // RSI(2): changes +1, +1, -1, +2, +1; seed at t=2: gain (1+1)/2 = 1, loss 0 → 100;
    // t=3: gain (1×1 + 0)/2 = 0.5, loss (0 + 1)/2 = 0.5 → 50; t=4: gain (0.5 + 2)/2 = 1.25, loss 0.25 → 100 - 100/6
    const rsi = naiveRsi(close, 2);
    expect(rsi.slice(0, 4)).toEqual([NaN, NaN, 100, 50]);
    expect(rsi[4]).toBeCloseTo(100 - 100 / 6, 12);
    // Bollinger(2, 1): t=1: mean 10.5, population sd 0.5 → 11 / 10
    const bb = naiveBollinger(close, 2, 1);
    expect([bb.lower[1], bb.middle[1], bb.upper[1]]).toEqual([10, 10.5, 11]);
  });

  it('reproduces the shared reference result (sma-crossover 50/200 on the S&P 500), computed elsewhere', () => {
    const ref = loadReference();
    const p = ref.input.params as { fastPeriod: number; slowPeriod: number; quantity: number; entry: 'MARKET' | 'LIMIT'; limitOffsetPct: number };
    const r = runNaiveBacktest({
      series: spx.series.map(toNaive),
      strategy: { id: 'sma-crossover', ...p },
      initialCash: ref.input.initialCash,
      commission: ref.input.commission,
      slippageBps: ref.input.slippageBps,
      periodsPerYear: 252,
    });
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(r.fills.map((f) => ({ date: iso(f.time), side: f.side, quantity: f.quantity, price: f.price, commission: f.commission }))).toEqual(ref.fills);
    expect(r.equity.length).toBe(ref.equity.points);
    const m = r.metrics as unknown as Record<string, number>;
    for (const [name, expected] of Object.entries(ref.metrics)) {
      if (name === 'finalEquity' || name === 'totalCommission') expectMoney(m[name], expected, name);
      else expect(Math.abs(m[name] - expected), name).toBeLessThanOrEqual(ref.tolerance.ratios_absolute);
    }
  });

  it('the synthetic series really has uneven calendars', () => {
    const [a, b, c] = synthetic.series;
    expect(a.length).toBe(900);
    expect(b.length).toBeLessThan(850); // days skipped
    expect(c.time[0]).toBeGreaterThan(a.time[0]); // late start
  });
});
