/**
 * Trailing stops, OCO groups and brackets (docs/CONVENTIONS.md, "Trailing stops", "OCO groups",
 * "Brackets"), on hand-made bars; every expected price is worked out beside it.
 */
import { describe, expect, it } from 'vitest';
import type { Order } from '../src/engine/index.js';
import { daily, fillsOf, runScript, statuses } from './support/engine-script.js';

type Bar = readonly [number, number, number, number];
const q = (p: number): Bar => [p, p, p, p];
const X = (...rows: Bar[]) => [daily('X', rows)];

describe('TRAILING_STOP', () => {
  const trail = (side: 'BUY' | 'SELL', by: { trailAmount: number } | { trailPercent: number }) => ({ type: 'TRAILING_STOP' as const, symbol: 0, side, quantity: 10, ...by });

  it('SELL by an amount: the level follows the highest high, after each bar is matched', () => {
    // submitted at close 100: level 95. Bar 1 (H 108, L 99): not hit; best 108, level 103 (bar 1's own
    // low 99 would have hit 103: the level moves only after the bar is matched). Bar 2: L 102 <= 103, fills at min(103, 107) = 103.
    const r = runScript(X(q(100), q(100), [101, 108, 99, 106], [107, 107, 102, 104]), {
      0: (ctx) => ctx.buy(0, 10),
      1: (ctx) => ctx.submit(trail('SELL', { trailAmount: 5 })),
    });
    expect(fillsOf(r)).toEqual([
      [1, 1, 'BUY', 10, 100],
      [2, 3, 'SELL', 10, 103],
    ]);
    expect(r.orders[1]).toMatchObject({ type: 'TRAILING_STOP', trailAmount: 5, trailPercent: null, stopPrice: 103, status: 'FILLED' });
  });

  it('SELL by a percent, gapped through: fills at the open', () => {
    // level 90, after bar 2 (H 108) 97.2; bar 3 opens at 95 < 97.2: fills at 95
    const r = runScript(X(q(100), q(100), [101, 108, 99, 106], [95, 96, 94, 95]), {
      0: (ctx) => ctx.buy(0, 10),
      1: (ctx) => ctx.submit(trail('SELL', { trailPercent: 10 })),
    });
    expect(fillsOf(r)[1]).toEqual([2, 3, 'SELL', 10, 95]);
    expect(r.orders[1]!.stopPrice).toBeCloseTo(97.2, 12);
  });

  it('BUY (protecting a short) by an amount and by a percent, with a gap', () => {
    // short 10 at 100. Amount 5: level 105; bar 2 (L 92): best 92, level 97; bar 3 H 98 >= 97: fills at max(97, 96) = 97.
    const a = runScript(X(q(100), q(100), [99, 101, 92, 93], [96, 98, 95, 97]), {
      0: (ctx) => ctx.sell(0, 10),
      1: (ctx) => ctx.submit(trail('BUY', { trailAmount: 5 })),
    });
    expect(fillsOf(a)[1]).toEqual([2, 3, 'BUY', 10, 97]);
    // Percent 10: level 110, after bar 2 92 × 1.1 = 101.2; bar 3 opens at 103: fills at 103 (gap)
    const p = runScript(X(q(100), q(100), [99, 101, 92, 93], [103, 104, 102, 103]), {
      0: (ctx) => ctx.sell(0, 10),
      1: (ctx) => ctx.submit(trail('BUY', { trailPercent: 10 })),
    });
    expect(fillsOf(p)[1]).toEqual([2, 3, 'BUY', 10, 103]);
    expect(p.orders[1]!.stopPrice).toBeCloseTo(101.2, 12);
  });

  it('slippage applies as for a stop; the level cannot be modified; bad trails are rejected', () => {
    const r = runScript(X(q(100), q(100), [101, 108, 99, 106], [107, 107, 102, 104]), {
      0: (ctx) => ctx.buy(0, 10),
      1: (ctx) => {
        const o = ctx.submit(trail('SELL', { trailAmount: 5 }));
        expect(ctx.modify(o.id, { stopPrice: 99 })).toMatch(/follows the price/);
        ctx.submit({ type: 'TRAILING_STOP', symbol: 0, side: 'SELL', quantity: 1, trailAmount: 5, trailPercent: 1 });
        ctx.submit({ type: 'TRAILING_STOP', symbol: 0, side: 'SELL', quantity: 1, trailPercent: 100 });
        ctx.submit({ type: 'TRAILING_STOP', symbol: 0, side: 'SELL', quantity: 1, trailAmount: 100 });
      },
    }, { slippage: 10 });
    expect(fillsOf(r)[1]![4]).toBeCloseTo(103 * (1 - 0.001), 12);
    expect(r.orders.slice(2).map((o) => [o.status, o.reason])).toEqual([
      ['REJECTED', 'a TRAILING_STOP order needs exactly one of trailAmount and trailPercent'],
      ['REJECTED', 'trailPercent must be a number > 0 and < 100'],
      ['REJECTED', 'trailAmount 100 leaves no stop above 0 below the latest price 100'],
    ]);
  });
});

describe('OCO groups', () => {
  it('a fill cancels the rest of the group at once: the stop fills, the limit in the same bar does not', () => {
    // long 10; stop 95 and limit 105 in one group; bar O 100 H 106 L 94: the stop pass comes first (95),
    // the limit is cancelled, so the position ends flat (without the group it would end short 10)
    const r = runScript(X(q(100), q(100), [100, 106, 94, 100]), {
      0: (ctx) => ctx.buy(0, 10),
      1: (ctx) => {
        ctx.submit({ type: 'STOP', symbol: 0, side: 'SELL', quantity: 10, stopPrice: 95, ocoGroup: 'exit' });
        ctx.submit({ type: 'LIMIT', symbol: 0, side: 'SELL', quantity: 10, limitPrice: 105, ocoGroup: 'exit' });
      },
    });
    expect(statuses(r)).toEqual([
      [1, 'FILLED', 10],
      [2, 'FILLED', 10],
      [3, 'CANCELLED', 0],
    ]);
    expect(r.orders[2]).toMatchObject({ ocoGroup: 'exit', reason: 'OCO: order 2 filled' });
    expect(fillsOf(r)[1]).toEqual([2, 2, 'SELL', 10, 95]);
    expect(r.equity.cash.at(-1)).toBe(100_000 - 1000 + 950);
  });

  it('cancelling one by hand leaves the others working', () => {
    const r = runScript(X(q(100), q(100), q(100), [100, 106, 99, 100]), {
      0: (ctx) => ctx.buy(0, 10),
      1: (ctx) => {
        ctx.submit({ type: 'STOP', symbol: 0, side: 'SELL', quantity: 10, stopPrice: 95, ocoGroup: 'g' });
        ctx.submit({ type: 'LIMIT', symbol: 0, side: 'SELL', quantity: 10, limitPrice: 105, ocoGroup: 'g' });
      },
      2: (ctx) => ctx.cancel(2),
    });
    expect(statuses(r)).toEqual([
      [1, 'FILLED', 10],
      [2, 'CANCELLED', 0],
      [3, 'FILLED', 10],
    ]);
  });
});

describe('brackets', () => {
  /** BUY 10 at market on bar 0 (fills at bar 1's open 100) with take-profit 110 and stop-loss 95. */
  const bracket = (bars: Bar[], opts: { side?: 'BUY' | 'SELL'; tp?: number; sl?: number } = {}) => {
    let orders: { entry: Order; takeProfit: Order | null; stopLoss: Order | null } | undefined;
    const working: number[][] = [];
    const r = runScript(X(q(100), ...bars), {
      0: (ctx) => {
        orders = ctx.bracket({ symbol: 'X', side: opts.side ?? 'BUY', quantity: 10, takeProfit: opts.tp ?? 110, stopLoss: opts.sl ?? 95 }) as never;
        working.push(ctx.workingOrders().map((o) => o.id));
      },
      1: (ctx) => working.push(ctx.workingOrders().map((o) => o.id)),
    });
    return { r, orders: orders!, working };
  };

  it('the exits wait for the entry, then work from the next bar: the take-profit first', () => {
    // bar 1 fills the entry at 100 and touches 112 and 90, but the exits work only from bar 2;
    // bar 2 (O 101 H 111 L 100) reaches 110: filled at max(110, 101) = 110, the stop-loss cancelled
    const { r, orders, working } = bracket([[100, 112, 90, 100], [101, 111, 100, 105]]);
    expect(working).toEqual([[1], [2, 3]]);
    expect(orders.takeProfit).toMatchObject({ type: 'LIMIT', side: 'SELL', limitPrice: 110, parentId: 1, ocoGroup: 'bracket-1', tag: 'take-profit' });
    expect(orders.stopLoss).toMatchObject({ type: 'STOP', side: 'SELL', stopPrice: 95, parentId: 1, ocoGroup: 'bracket-1', tag: 'stop-loss' });
    expect(fillsOf(r)).toEqual([
      [1, 1, 'BUY', 10, 100],
      [2, 2, 'SELL', 10, 110],
    ]);
    expect(statuses(r)[2]).toEqual([3, 'CANCELLED', 0]);
    expect(r.orders[2]!.reason).toBe('OCO: order 2 filled');
  });

  it('the stop-loss first', () => {
    const { r } = bracket([q(100), [101, 102, 94, 96]]);
    expect(fillsOf(r)[1]).toEqual([3, 2, 'SELL', 10, 95]);
    expect(statuses(r)[1]).toEqual([2, 'CANCELLED', 0]);
  });

  it('both touched in one bar: the stop-loss fills (stop pass before limit pass), the take-profit is cancelled', () => {
    const { r } = bracket([q(100), [101, 111, 94, 100]]);
    expect(fillsOf(r)[1]).toEqual([3, 2, 'SELL', 10, 95]);
    expect(statuses(r).slice(1)).toEqual([
      [2, 'CANCELLED', 0],
      [3, 'FILLED', 10],
    ]);
    expect(r.equity.cash.at(-1)).toBe(100_000 - 1000 + 950);
  });

  it('a gap through the stop-loss fills at the open', () => {
    const { r } = bracket([q(100), [93, 94, 90, 92]]);
    expect(fillsOf(r)[1]).toEqual([3, 2, 'SELL', 10, 93]);
  });

  it('a SELL bracket: buy-side exits, the stop-loss above', () => {
    // short 10 at 100; stop-loss buy 105: bar 2 (O 99 H 106) fills at max(105, 99) = 105
    const { r } = bracket([q(100), [99, 106, 98, 100]], { side: 'SELL', tp: 90, sl: 105 });
    expect(fillsOf(r)).toEqual([
      [1, 1, 'SELL', 10, 100],
      [3, 2, 'BUY', 10, 105],
    ]);
  });

  it('an entry that ends unfilled takes its exits with it; a bad bracket is rejected whole', () => {
    const r = runScript(X(q(100), q(100), q(100)), {
      0: (ctx) => {
        ctx.bracket({ symbol: 0, side: 'BUY', quantity: 1, entry: { type: 'LIMIT', limitPrice: 50 }, takeProfit: 110, stopLoss: 95 });
        ctx.bracket({ symbol: 0, side: 'BUY', quantity: 1, takeProfit: 90, stopLoss: 95 }); // ids 4, 5, 6
      },
      1: (ctx) => ctx.cancel(1),
    });
    expect(statuses(r)).toEqual([
      [1, 'CANCELLED', 0],
      [2, 'CANCELLED', 0],
      [3, 'CANCELLED', 0],
      [4, 'REJECTED', 0],
      [5, 'REJECTED', 0],
      [6, 'REJECTED', 0],
    ]);
    expect(r.orders[1]!.reason).toBe('parent order 1 cancelled');
    expect(r.orders[3]!.reason).toBe('a BUY bracket needs takeProfit above stopLoss, got 90 and 95');
    expect(r.orders[4]!.reason).toBe('parent order 4 rejected');
  });

  it('an entry cut short by buying power gives exits for the quantity that filled', () => {
    // 68 at close 1460 fits, the open 1480 allows 67 (see engine-account): exits for 67
    const r = runScript([daily('X', [q(1460), [1480, 1490, 1470, 1485], q(1485)])], {
      0: (ctx) => ctx.bracket({ symbol: 0, side: 'BUY', quantity: 68, takeProfit: 1600, stopLoss: 1400 }),
    });
    expect(r.orders.map((o) => [o.id, o.status, o.quantity, o.filledQuantity])).toEqual([
      [1, 'CANCELLED', 68, 67],
      [2, 'PENDING', 67, 0],
      [3, 'PENDING', 67, 0],
    ]);
  });
});
