/**
 * Position sizing helpers and risk limits (docs/CONVENTIONS.md, "Position sizing", "Risk limits"),
 * on flat bars so that every quantity can be worked out by hand from the value and the price.
 */
import { describe, expect, it } from 'vitest';
import { buyAndHold, bollingerBreakout, runBacktest, validateStrategyParams, type RiskHalt } from '../src/engine/index.js';
import { daily, day, fillsOf, runScript, statuses } from './support/engine-script.js';

const q = (p: number) => [p, p, p, p] as const;
const flat = (p: number, n: number) => daily('X', Array.from({ length: n }, () => q(p)));

describe('sizing helpers', () => {
  it('orderTargetQuantity: to the target from the position, in lots; null when there is nothing to trade', () => {
    const got: (number | null)[] = [];
    const r = runScript([flat(100, 6)], {
      0: (ctx) => got.push(ctx.orderTargetQuantity(0, 10)?.quantity ?? null), // flat -> 10: buy 10
      1: (ctx) => got.push(ctx.orderTargetQuantity(0, 4)?.quantity ?? null), // 10 -> 4: sell 6
      2: (ctx) => got.push(ctx.orderTargetQuantity(0, 4.9)?.quantity ?? null), // 4.9 rounds down to 4: nothing
      3: (ctx) => got.push(ctx.orderTargetQuantity(0, 13, { lotSize: 5, rounding: 'NEAREST' })?.quantity ?? null), // 15: buy 11
      4: (ctx) => got.push(ctx.orderTargetQuantity(0, -7.5)?.quantity ?? null), // -7 (toward zero): sell 22
    });
    expect(got).toEqual([10, 6, null, 11, 22]);
    expect(fillsOf(r).map((f) => [f[2], f[3]])).toEqual([
      ['BUY', 10],
      ['SELL', 6],
      ['BUY', 11],
      ['SELL', 22],
    ]);
    expect(r.orders.at(-1)!.symbol).toBe('X');
  });

  it('orderTargetPercent: percent of the portfolio value at the latest price, rounded down', () => {
    // value 100,000 at 333: 50 % -> floor(150.15) = 150; then 25 % of the same value -> 75: sell 75
    const r = runScript([flat(333, 4)], {
      0: (ctx) => ctx.orderTargetPercent(0, 50),
      1: (ctx) => {
        expect(ctx.portfolioValue).toBeCloseTo(100_000, 9);
        ctx.orderTargetPercent(0, 25);
      },
      2: (ctx) => ctx.orderTargetPercent(0, -10), // -30.03 -> -30: sell 75 + 30 = 105
    });
    expect(fillsOf(r).map((f) => [f[2], f[3]])).toEqual([
      ['BUY', 150],
      ['SELL', 75],
      ['SELL', 105],
    ]);
  });

  it('orderValue: an amount of currency at the latest price, signed', () => {
    // 10,000 / 333 = 30.03 -> 30; -5,000 / 333 = -15.015 -> sell 15; 100 / 333 < 1 -> nothing
    const got: (string | null)[] = [];
    runScript([flat(333, 3)], {
      0: (ctx) => {
        for (const v of [10_000, -5_000, 100]) {
          const o = ctx.orderValue(0, v);
          got.push(o === null ? null : `${o.side} ${o.quantity}`);
        }
      },
    });
    expect(got).toEqual(['BUY 30', 'SELL 15', null]);
  });

  it('riskQuantity: riskPct of the value over the stop distance, in lots', () => {
    // 1 % of 100,000 = 1,000; / 4 = 250; lot 100 -> 200 (down) or 300 (nearest: 2.5 lots rounds to 3)
    const got: number[] = [];
    runScript([flat(100, 1)], {
      0: (ctx) => got.push(ctx.riskQuantity(1, 4), ctx.riskQuantity(1, 4, { lotSize: 100 }), ctx.riskQuantity(1, 4, { lotSize: 100, rounding: 'NEAREST' })),
    });
    expect(got).toEqual([250, 200, 300]);
  });

  it('helpers refuse a symbol without a price and non-finite amounts', () => {
    const a = daily('A', [q(10), q(10)]);
    const b = daily('B', [q(20)], 1); // B's first bar is on day 1
    expect(() => runScript([a, b], { 'A:0': (ctx) => ctx.orderTargetPercent('B', 10) })).toThrow(/no price for B yet/);
    expect(() => runScript([a, b], { 'A:0': (ctx) => ctx.orderValue('A', Number.NaN) })).toThrow(/value must be a finite number/);
  });

  it('built-ins: equityPct sizes the entry in whole units of the value; the default keeps the fixed quantity', () => {
    const series = [flat(333, 3)];
    const run = (params: Record<string, unknown>) => {
      const v = validateStrategyParams(buyAndHold, params);
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      return runBacktest({ series, strategy: buyAndHold, params: v.values, initialCash: 100_000, periodsPerYear: 252 });
    };
    expect(run({ quantity: 7 }).fills[0]!.quantity).toBe(7);
    expect(run({ quantity: 7, equityPct: 50 }).fills[0]!.quantity).toBe(150); // floor(50,000 / 333)
  });

  it('bollinger-breakout riskPct: the stop distance is stopPct of the signal close', () => {
    // a breakout above the upper band at close 110 with stopPct 2: distance 2.2; 1 % of 100,000 / 2.2 = 454.5 -> 454
    const rows: (readonly [number, number, number, number])[] = [q(100), q(100), q(100), q(100), q(110), q(110)];
    const v = validateStrategyParams(bollingerBreakout, { period: 4, k: 1, stopPct: 2, riskPct: 1 });
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    const r = runBacktest({ series: [daily('X', rows)], strategy: bollingerBreakout, params: v.values, initialCash: 100_000, periodsPerYear: 252 });
    expect(r.fills[0]).toMatchObject({ side: 'BUY', quantity: 454, price: 110 });
    expect(validateStrategyParams(bollingerBreakout, { equityPct: 10, riskPct: 1 }).ok).toBe(false);
  });
});

describe('risk limits', () => {
  it('maxOrderNotional: an order worth more is rejected naming the limit and the numbers', () => {
    const r = runScript([flat(1000, 2)], { 0: (ctx) => (ctx.buy(0, 60), ctx.buy(0, 50)) }, { risk: { maxOrderNotional: 50_000 } });
    expect(statuses(r)).toEqual([
      [1, 'REJECTED', 0],
      [2, 'FILLED', 50],
    ]);
    expect(r.orders[0]!.reason).toBe('risk limit maxOrderNotional 50000: order notional 60000 (60 × 1000) exceeds it');
  });

  it('maxPositionPct: the position after the order, per symbol; reducing orders pass', () => {
    // 10 % of 100,000 = 10,000 = 10 units at 1000
    const r = runScript([flat(1000, 4)], {
      0: (ctx) => (ctx.buy(0, 11), ctx.buy(0, 10)),
      1: (ctx) => (ctx.buy(0, 1), ctx.sell(0, 4)),
    }, { risk: { maxPositionPct: 10 } });
    expect(statuses(r)).toEqual([
      [1, 'REJECTED', 0],
      [2, 'FILLED', 10],
      [3, 'REJECTED', 0],
      [4, 'FILLED', 4],
    ]);
    expect(r.orders[0]!.reason).toBe('risk limit maxPositionPct 10: position in X after the order worth 11000 would exceed 10 % of equity 100000 (10000)');
    expect(r.orders[2]!.reason).toMatch(/^risk limit maxPositionPct 10: position in X after the order worth 11000/);
  });

  it('maxGrossExposurePct: long and short together, checked before the buying power', () => {
    // leverage 2; A long 100 at 1000 (100,000), then B short 60 -> gross 160,000 > 150 % of 100,000
    const A = daily('A', [q(1000), q(1000), q(1000)]);
    const B = daily('B', [q(1000), q(1000), q(1000)]);
    const r = runScript([A, B], {
      'A:0': (ctx) => ctx.buy('A', 100),
      'B:1': (ctx) => (ctx.sell('B', 60), ctx.sell('B', 50), ctx.sell('B', 200)),
    }, { account: { type: 'MARGIN', leverage: 2 }, risk: { maxGrossExposurePct: 150 } });
    expect(statuses(r)).toEqual([
      [1, 'FILLED', 100],
      [2, 'REJECTED', 0],
      [3, 'FILLED', 50],
      [4, 'REJECTED', 0],
    ]);
    expect(r.orders[1]!.reason).toBe('risk limit maxGrossExposurePct 150: gross exposure after the order 160000 would exceed 150 % of equity 100000 (150000)');
    // 200 short breaks both the limit and the leverage; the risk manager speaks first
    expect(r.orders[3]!.reason).toMatch(/^risk limit maxGrossExposurePct 150:/);
  });

  it('maxDrawdownPct: at 10 % below the peak the run cancels, flattens and stops calling the strategy', () => {
    // buy 100 at 1000 (cash 0); closes 1100 (peak 110,000), then 980: 1 - 98,000 / 110,000 = 10.9 % >= 10 %
    const rows = [q(1000), q(1000), q(1100), q(980), [970, 975, 960, 965], q(990), q(990)] as const;
    const halts: RiskHalt[] = [];
    const calls: number[] = [];
    const r = runScript([daily('X', rows)], {
      0: (ctx) => ctx.buy(0, 100),
      1: (ctx) => ctx.submit({ type: 'LIMIT', symbol: 0, side: 'SELL', quantity: 100, limitPrice: 2000 }),
      3: () => calls.push(3),
      4: () => calls.push(4), // never: halted at step 3
      5: (ctx) => ctx.buy(0, 1), // never
    }, { risk: { maxDrawdownPct: 10 }, listener: { onHalt: (h) => halts.push(h) } });
    expect(calls).toEqual([3]); // onBar of bar 3 comes before that step's mark to market
    expect(halts).toHaveLength(1);
    expect(r.halt).toEqual(halts[0]);
    expect(r.halt).toMatchObject({ limit: 'maxDrawdownPct', time: day(3), step: 3, equity: 98_000, peak: 110_000 });
    expect(r.halt!.drawdown).toBeCloseTo(1 - 98_000 / 110_000, 12);
    expect(r.halt!.reason).toMatch(/^risk limit maxDrawdownPct 10: drawdown 10.909091 % \(equity 98000, peak 110000\)/);
    // the working limit is cancelled with the reason, the position closed at the next open (970)
    expect(r.orders[1]).toMatchObject({ status: 'CANCELLED' });
    expect(r.orders[1]!.reason).toBe(r.halt!.reason);
    expect(r.orders[2]).toMatchObject({ type: 'MARKET', side: 'SELL', quantity: 100, tag: 'risk-halt', status: 'FILLED', reason: r.halt!.reason });
    expect(fillsOf(r).at(-1)).toEqual([3, 4, 'SELL', 100, 970]);
    expect(r.orders).toHaveLength(3);
    expect(Array.from(r.equity.equity.subarray(4))).toEqual([97_000, 97_000, 97_000]);
  });

  it('no limit, no halt: the same run without maxDrawdownPct keeps trading', () => {
    const rows = [q(1000), q(1000), q(1100), q(980), q(970), q(990), q(990)] as const;
    const r = runScript([daily('X', rows)], { 0: (ctx) => ctx.buy(0, 100), 5: (ctx) => ctx.sell(0, 1) });
    expect(r.halt).toBeNull();
    expect(r.fills).toHaveLength(2);
  });
});
