/**
 * Positions, cash, equity and round trips, driven by scripted strategies over hand-made daily bars.
 * Every expected number is derived by hand from CONVENTIONS.md in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import {
  Portfolio,
  barSeriesFromRows,
  defineStrategy,
  runBacktest,
  type BacktestResult,
  type CommissionSettings,
  type StrategyContext,
} from '../src/engine/index.js';

const DAY = 86_400_000;
const day = (i: number): number => Date.UTC(2024, 0, 1) + i * DAY;

/** Bars from [open, close] pairs (high/low widened by 1 so nothing else matters). */
function bars(oc: ReadonlyArray<readonly [number, number]>) {
  return oc.map(([open, close], i) => ({ time: day(i), open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close }));
}

type Action = (ctx: StrategyContext) => void;

interface Snapshot {
  index: number;
  position: number;
  averagePrice: number;
  cash: number;
}

/** Runs a script of market orders per bar index; records what the strategy sees at each bar. */
function run(
  oc: ReadonlyArray<readonly [number, number]>,
  script: Readonly<Record<number, Action>>,
  opts: { initialCash?: number; commission?: CommissionSettings } = {},
): BacktestResult & { seen: Snapshot[] } {
  const seen: Snapshot[] = [];
  const strategy = defineStrategy({
    id: 'scripted',
    title: 'Scripted',
    description: 'Plays a fixed script keyed by bar index.',
    params: {},
    create(ctx) {
      return {
        onBar(bar) {
          seen.push({ index: bar.index, position: ctx.position('X'), averagePrice: ctx.averagePrice('X'), cash: ctx.cash });
          script[bar.index]?.(ctx);
        },
      };
    },
  });
  const result = runBacktest({
    series: [barSeriesFromRows('X', bars(oc))],
    strategy,
    params: {},
    initialCash: opts.initialCash ?? 10_000,
    commission: opts.commission,
    periodsPerYear: 252,
  });
  return { ...result, seen };
}

const buy = (q: number): Action => (ctx) => void ctx.buy('X', q);
const sell = (q: number): Action => (ctx) => void ctx.sell('X', q);
const ONE_PER_ORDER: CommissionSettings = { perUnit: 0, minimumPerOrder: 1, percentOfNotional: 0 };

describe('positions, cash and equity', () => {
  // bar: [open, close]; orders submitted at bar t fill at bar t+1's open
  const oc = [
    [100, 100], // 0: buy 10
    [100, 102], // 1: +10 @ 100; buy 10 more
    [104, 106], // 2: +10 @ 104 → 20 @ avg 102; sell 5
    [110, 108], // 3: -5 @ 110 → 15 @ 102; sell 25 (reversal)
    [106, 105], // 4: -25 @ 106 → short 10 @ 106; buy 10
    [100, 98], // 5: +10 @ 100 → flat
    [97, 97], // 6
  ] as const;
  const script = { 0: buy(10), 1: buy(10), 2: sell(5), 3: sell(25), 4: buy(10) };
  const r = run(oc, script, { commission: ONE_PER_ORDER });

  it('long, add (averaging), partial reduce, reversal through zero, cover: position and average price', () => {
    // what the strategy sees at each bar, after that bar's fills
    expect(r.seen.map((s) => [s.index, s.position, s.averagePrice])).toEqual([
      [0, 0, 0],
      [1, 10, 100], // bought 10 @ 100
      [2, 20, 102], // (10 × 100 + 10 × 104) / 20 = 2040 / 20 = 102
      [3, 15, 102], // reducing keeps the average
      [4, -10, 106], // sold 25 @ 106: 15 closed, the remaining 10 short open at the fill price 106
      [5, 0, 0], // covered
      [6, 0, 0],
    ]);
  });

  it('cash after each step and equity marked at the close', () => {
    // cash: 10000
    // bar 1: 10000 - 10 × 100 - 1 = 8999
    // bar 2: 8999 - 10 × 104 - 1 = 7958
    // bar 3: 7958 + 5 × 110 - 1 = 8507
    // bar 4: 8507 + 25 × 106 - 1 = 11156
    // bar 5: 11156 - 10 × 100 - 1 = 10155
    expect(Array.from(r.equity.cash)).toEqual([10_000, 8_999, 7_958, 8_507, 11_156, 10_155, 10_155]);
    expect(r.seen.map((s) => s.cash)).toEqual([10_000, 8_999, 7_958, 8_507, 11_156, 10_155, 10_155]);
    // equity = cash + position × close:
    // 0: 10000; 1: 8999 + 10 × 102 = 10019; 2: 7958 + 20 × 106 = 10078; 3: 8507 + 15 × 108 = 10127;
    // 4: 11156 - 10 × 105 = 10106; 5: 10155; 6: 10155
    expect(Array.from(r.equity.equity)).toEqual([10_000, 10_019, 10_078, 10_127, 10_106, 10_155, 10_155]);
    // realised: 5 × (110 - 102) = 40, 15 × (106 - 102) = 60, 10 × (106 - 100) = 60 → 160; minus 5 commissions → 10155
    expect(r.metrics.finalEquity).toBe(10_155);
    expect(r.metrics.totalCommission).toBe(5);
    expect(r.equity.time[3]).toBe(day(3));
  });

  it('Portfolio realises PnL against the average and tracks openPositions', () => {
    const p = new Portfolio(2, 10_000);
    expect(p.openPositions).toBe(0);
    p.applyFill(0, 'BUY', 10, 100, 1); // cash 10000 - 1000 - 1 = 8999
    expect([p.position[0], p.averagePrice[0], p.cash, p.openPositions]).toEqual([10, 100, 8_999, 1]);
    p.applyFill(1, 'SELL', 4, 50, 0.5); // short 4 @ 50 on symbol 1: cash 8999 + 200 - 0.5 = 9198.5
    expect([p.position[1], p.averagePrice[1], p.cash, p.openPositions]).toEqual([-4, 50, 9_198.5, 2]);
    p.applyFill(0, 'BUY', 30, 110, 1); // avg (10 × 100 + 30 × 110) / 40 = 4300 / 40 = 107.5; cash 9198.5 - 3300 - 1 = 5897.5
    expect([p.position[0], p.averagePrice[0], p.cash]).toEqual([40, 107.5, 5_897.5]);
    p.applyFill(0, 'SELL', 8, 120, 1); // realised 8 × (120 - 107.5) = 100; avg stays 107.5; cash 5897.5 + 960 - 1 = 6856.5
    expect([p.position[0], p.averagePrice[0], p.realizedPnl[0], p.cash]).toEqual([32, 107.5, 100, 6_856.5]);
    p.lastPrice[0] = 110;
    p.lastPrice[1] = 45;
    // unrealised: 32 × (110 - 107.5) = 80; short: -4 × (45 - 50) = 20
    expect(p.unrealizedPnl(0)).toBe(80);
    expect(p.unrealizedPnl(1)).toBe(20);
    // equity = 6856.5 + 32 × 110 - 4 × 45 = 6856.5 + 3520 - 180 = 10196.5
    expect(p.equity()).toBe(10_196.5);
    p.applyFill(0, 'SELL', 40, 100, 0); // closes 32: realised 32 × (100 - 107.5) = -240 → 100 - 240 = -140; short 8 @ 100
    expect([p.position[0], p.averagePrice[0], p.realizedPnl[0], p.openPositions]).toEqual([-8, 100, -140, 2]);
    p.applyFill(1, 'BUY', 4, 45, 0); // cover: realised 4 × (50 - 45) = 20; flat, average reset to 0
    expect([p.position[1], p.averagePrice[1], p.realizedPnl[1], p.openPositions]).toEqual([0, 0, 20, 1]);
    expect(p.unrealizedPnl(1)).toBe(0);
    p.applyFill(0, 'SELL', 2, 90, 0); // adding to the short averages: (8 × 100 + 2 × 90) / 10 = 98
    expect([p.position[0], p.averagePrice[0]]).toEqual([-10, 98]);
    p.applyFill(0, 'BUY', 10, 98, 0);
    expect(p.openPositions).toBe(0);
    expect(p.totalCommission).toBe(3.5); // 1 + 0.5 + 1 + 1
  });

  it('a short sale credits the proceeds and a cover at a lower price makes money', () => {
    const r2 = run(
      [
        [50, 50], // 0: sell short 20
        [50, 48], // 1: -20 @ 50: cash 1000 + 1000 = 2000; equity 2000 - 20 × 48 = 1040
        [45, 44], // 2: the cover ordered at bar 1 fills at the open 45 → cash 2000 - 20 × 45 = 1100
        [44, 44],
      ],
      { 0: sell(20), 1: buy(20) },
      { initialCash: 1000 },
    );
    expect(r2.seen.map((s) => s.position)).toEqual([0, -20, 0, 0]);
    expect(Array.from(r2.equity.cash)).toEqual([1000, 2000, 1100, 1100]);
    expect(Array.from(r2.equity.equity)).toEqual([1000, 1040, 1100, 1100]);
    // one short round trip: 20 × (50 - 45) = 100
    expect(r2.roundTrips).toHaveLength(1);
    expect(r2.roundTrips[0]).toMatchObject({ side: 'SELL', quantity: 20, entryPrice: 50, exitPrice: 45, pnl: 100, bars: 1 });
  });
});

describe('round trips', () => {
  it('FIFO: two entry lots closed by one exit give two round trips, commissions pro rata', () => {
    const commission = { perUnit: 0.1, minimumPerOrder: 1, percentOfNotional: 0 };
    const r = run(
      [
        [100, 100], // 0: buy 10
        [100, 105], // 1: +10 @ 100, commission max(1, 0.1 × 10 = 1) = 1; buy 30
        [110, 112], // 2: +30 @ 110, commission max(1, 3) = 3
        [115, 118], // 3: sell 40 ordered here
        [120, 121], // 4: -40 @ 120, commission max(1, 4) = 4
        [121, 121],
      ],
      { 0: buy(10), 1: buy(30), 3: sell(40) },
      { commission, initialCash: 100_000 },
    );
    expect(r.fills.map((f) => [f.barIndex, f.side, f.quantity, f.price, f.commission])).toEqual([
      [1, 'BUY', 10, 100, 1],
      [2, 'BUY', 30, 110, 3],
      [4, 'SELL', 40, 120, 4],
    ]);
    expect(r.roundTrips).toHaveLength(2);
    const [a, b] = r.roundTrips;
    // lot 1: 10 @ 100 → 120; commission 1 (all of its entry) + 4 × 10/40 = 1 → 2; pnl 10 × 20 - 2 = 198
    expect(a).toMatchObject({ symbol: 'X', side: 'BUY', quantity: 10, entryPrice: 100, exitPrice: 120, entryTime: day(1), exitTime: day(4), bars: 3 });
    expect(a.pnl).toBeCloseTo(198, 10);
    expect(a.returnPct).toBeCloseTo(19.8, 10); // 100 × 198 / (10 × 100)
    // lot 2: 30 @ 110 → 120; commission 3 + 4 × 30/40 = 3 → 6; pnl 30 × 10 - 6 = 294
    expect(b).toMatchObject({ side: 'BUY', quantity: 30, entryPrice: 110, exitPrice: 120, entryTime: day(2), bars: 2 });
    expect(b.pnl).toBeCloseTo(294, 10);
    expect(b.returnPct).toBeCloseTo((100 * 294) / 3300, 10); // 8.909090...
    // the trips add up to the account: 40 × (120 - 107.5) - 8 commissions = 492 = 198 + 294
    expect(r.metrics.finalEquity - 100_000).toBeCloseTo(492, 8);
    expect(r.metrics.trades).toBe(2);
    expect(r.metrics.winRate).toBe(1);
    expect(r.metrics.profitFactor).toBeNull(); // no losing trip
  });

  it('partial exits: one entry closed by two exits, a win then a loss', () => {
    const r = run(
      [
        [100, 100], // 0: buy 10
        [100, 100], // 1: +10 @ 100, commission 1; sell 4
        [110, 110], // 2: -4 @ 110, commission 1; sell 6
        [90, 90], // 3: -6 @ 90, commission 1
        [90, 90],
      ],
      { 0: buy(10), 1: sell(4), 2: sell(6) },
      { commission: ONE_PER_ORDER },
    );
    expect(r.roundTrips).toHaveLength(2);
    const [a, b] = r.roundTrips;
    // 4 of the lot: entry commission 1 × 4/10 = 0.4, exit 1 → 1.4; pnl 4 × (110 - 100) - 1.4 = 38.6
    expect(a).toMatchObject({ side: 'BUY', quantity: 4, entryPrice: 100, exitPrice: 110, bars: 1 });
    expect(a.pnl).toBeCloseTo(38.6, 10);
    expect(a.returnPct).toBeCloseTo(9.65, 10); // 100 × 38.6 / 400
    // remaining 6: 0.6 + 1 = 1.6; pnl 6 × (90 - 100) - 1.6 = -61.6
    expect(b).toMatchObject({ side: 'BUY', quantity: 6, entryPrice: 100, exitPrice: 90, bars: 2 });
    expect(b.pnl).toBeCloseTo(-61.6, 10);
    expect(b.returnPct).toBeCloseTo(-61.6 / 6, 10); // 100 × -61.6 / 600 = -10.2666...
    expect(r.metrics.winRate).toBe(0.5); // 1 win of 2
    expect(r.metrics.profitFactor).toBeCloseTo(38.6 / 61.6, 12); // 0.62662...
  });

  it('a short round trip has side SELL and a pnl of the right sign', () => {
    const r = run(
      [
        [90, 90], // 0: sell 10
        [90, 92], // 1: short 10 @ 90; buy 10
        [95, 95], // 2: cover @ 95 → loss
        [95, 95], // 3: sell 5
        [100, 99], // 4: short 5 @ 100; buy 5
        [96, 96], // 5: cover @ 96 → gain
      ],
      { 0: sell(10), 1: buy(10), 3: sell(5), 4: buy(5) },
    );
    expect(r.roundTrips.map((t) => [t.side, t.quantity, t.entryPrice, t.exitPrice, t.pnl, t.bars])).toEqual([
      ['SELL', 10, 90, 95, -50, 1], // -1 × 10 × (95 - 90) = -50
      ['SELL', 5, 100, 96, 20, 1], // -1 × 5 × (96 - 100) = +20
    ]);
    expect(r.roundTrips[0].returnPct).toBeCloseTo(-50 / 9, 12); // 100 × -50 / 900
    expect(r.roundTrips[1].returnPct).toBe(4); // 100 × 20 / 500
    expect(r.metrics.profitFactor).toBe(0.4); // 20 / 50
  });

  it('a reversal in one fill closes the old lot and opens the remainder as a new lot', () => {
    const r = run(
      [
        [100, 100], // 0: buy 10
        [100, 100], // 1: +10 @ 100, commission 1; sell 25
        [106, 106], // 2: -25 @ 106, commission 1: closes 10, opens short 15
        [100, 100], // 3: cover 15 @ 100 (ordered at bar 2), commission 1
        [100, 100],
      ],
      { 0: buy(10), 1: sell(25), 2: buy(15) },
      { commission: ONE_PER_ORDER },
    );
    expect(r.roundTrips).toHaveLength(2);
    // long 10: commission 1 + 1 × 10/25 = 1.4; pnl 60 - 1.4 = 58.6
    expect(r.roundTrips[0]).toMatchObject({ side: 'BUY', quantity: 10, entryPrice: 100, exitPrice: 106, bars: 1 });
    expect(r.roundTrips[0].pnl).toBeCloseTo(58.6, 10);
    // short 15 opened at the reversal fill 106: commission 1 × 15/25 = 0.6 + 1 = 1.6; pnl 15 × 6 - 1.6 = 88.4
    expect(r.roundTrips[1]).toMatchObject({ side: 'SELL', quantity: 15, entryPrice: 106, exitPrice: 100, entryTime: day(2), bars: 1 });
    expect(r.roundTrips[1].pnl).toBeCloseTo(88.4, 10);
    expect(r.roundTrips[1].returnPct).toBeCloseTo((100 * 88.4) / 1590, 10);
    // 58.6 + 88.4 = 147 = 60 + 90 - 3 commissions
    expect(r.metrics.finalEquity).toBeCloseTo(10_147, 8);
  });

  it('a position still open at the end is not a round trip', () => {
    const r = run(
      [
        [100, 100], // 0: buy 5
        [100, 101], // 1: +5 @ 100; sell 2
        [102, 103], // 2: -2 @ 102 → one round trip of 2; 3 remain open
        [104, 104],
      ],
      { 0: buy(5), 1: sell(2) },
    );
    expect(r.roundTrips).toHaveLength(1);
    expect(r.roundTrips[0]).toMatchObject({ quantity: 2, pnl: 4, bars: 1 }); // 2 × (102 - 100)
    expect(r.metrics.trades).toBe(1);

    const never = run([[100, 100], [100, 100], [100, 100]], { 0: buy(5) });
    expect(never.roundTrips).toHaveLength(0);
    expect(never.metrics.trades).toBe(0);
    expect(never.metrics.winRate).toBeNull();
    expect(never.metrics.profitFactor).toBeNull();
  });
});
