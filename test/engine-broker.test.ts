/**
 * The simulated broker, driven through the engine by scripted strategies over hand-made bars.
 * Every expected number is derived by hand from CONVENTIONS.md in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidOrderTransition,
  barSeriesFromRows,
  defineStrategy,
  nextOrderStatus,
  runBacktest,
  transitionOrder,
  type BacktestResult,
  type BarView,
  type CommissionSettings,
  type EngineListener,
  type OrderRequest,
  type StrategyContext,
} from '../src/engine/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers: hand-made bars and a strategy that plays a script of actions keyed by bar index.
// ---------------------------------------------------------------------------------------------

interface Row {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

const DAY = 86_400_000;
const day = (i: number): number => Date.UTC(2024, 0, 1) + i * DAY;

/** Daily bars from [open, high, low, close] tuples, one calendar day apart from 2024-01-01. */
function dailyBars(ohlc: ReadonlyArray<readonly [number, number, number, number]>): Row[] {
  return ohlc.map(([open, high, low, close], i) => ({ time: day(i), open, high, low, close }));
}

type Action = (ctx: StrategyContext, bar: BarView) => void;
type Script = Readonly<Record<number, Action>>;

function scripted(script: Script) {
  return defineStrategy({
    id: 'scripted',
    title: 'Scripted',
    description: 'Plays a fixed script of order actions, keyed by bar index.',
    params: {},
    create(ctx) {
      return {
        onBar(bar) {
          script[bar.index]?.(ctx, bar);
        },
      };
    },
  });
}

interface RunOptions {
  initialCash?: number;
  commission?: CommissionSettings;
  slippage?: number;
  listener?: EngineListener;
  periodsPerYear?: number;
}

function run(rows: Row[], script: Script, opts: RunOptions = {}): BacktestResult {
  return runBacktest({
    series: [barSeriesFromRows('X', rows)],
    strategy: scripted(script),
    params: {},
    initialCash: opts.initialCash ?? 100_000,
    commission: opts.commission,
    slippage: opts.slippage ?? 0,
    periodsPerYear: opts.periodsPerYear ?? 252,
    listener: opts.listener,
  });
}

/** Submits each request in turn (ids are assigned 1, 2, 3, ... in submission order). */
const submitAll =
  (...reqs: OrderRequest[]): Action =>
  (ctx) => {
    for (const r of reqs) ctx.submit(r);
  };

const market = (side: 'BUY' | 'SELL', quantity: number): OrderRequest => ({ type: 'MARKET', symbol: 'X', side, quantity });
const limit = (side: 'BUY' | 'SELL', quantity: number, limitPrice: number, extra: Partial<OrderRequest> = {}): OrderRequest =>
  ({ type: 'LIMIT', symbol: 'X', side, quantity, limitPrice, ...extra }) as OrderRequest;
const stop = (side: 'BUY' | 'SELL', quantity: number, stopPrice: number): OrderRequest => ({ type: 'STOP', symbol: 'X', side, quantity, stopPrice });
const stopLimit = (side: 'BUY' | 'SELL', quantity: number, stopPrice: number, limitPrice: number): OrderRequest => ({
  type: 'STOP_LIMIT',
  symbol: 'X',
  side,
  quantity,
  stopPrice,
  limitPrice,
});

/** A quiet bar that touches none of the prices used below (95..105 band is avoided by callers). */
const flat = (p: number) => [p, p + 0.5, p - 0.5, p] as const;

// ---------------------------------------------------------------------------------------------

describe('market orders', () => {
  it('fill at the next bar open, never on the signal bar', () => {
    const rows = dailyBars([
      [100, 101, 99, 100.5], // bar 0: signal bar, buy submitted at its close
      [102, 103, 101, 102.5], // bar 1: fills here, at the open 102
      [104, 105, 103, 104.5],
    ]);
    const r = run(rows, { 0: submitAll(market('BUY', 10)) });
    expect(r.fills).toHaveLength(1);
    const f = r.fills[0];
    expect(f.barIndex).toBe(1); // submitted on bar 0 → works from bar 1
    expect(f.time).toBe(day(1));
    expect(f.price).toBe(102); // open of bar 1
    expect(f.quantity).toBe(10);
    expect(f.side).toBe('BUY');
    expect(f.orderId).toBe(1);
    const o = r.orders[0];
    expect(o.status).toBe('FILLED');
    expect(o.filledQuantity).toBe(10);
    expect(o.averageFillPrice).toBe(102);
    // cash: 100000 - 10 × 102 = 98980; equity bar 0 = 100000 (nothing filled yet),
    // bar 1 = 98980 + 10 × 102.5 = 100005, bar 2 = 98980 + 10 × 104.5 = 100025
    expect(Array.from(r.equity.cash)).toEqual([100_000, 98_980, 98_980]);
    expect(Array.from(r.equity.equity)).toEqual([100_000, 100_005, 100_025]);
  });
});

describe('stop orders', () => {
  it('a STOP BUY triggered inside the bar fills at the stop', () => {
    const rows = dailyBars([flat(100), [102, 106, 101, 105.5], flat(105)]);
    const r = run(rows, { 0: submitAll(stop('BUY', 5, 105)) });
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0].barIndex).toBe(1);
    // high 106 >= stop 105 → triggered; fill at max(stop 105, open 102) = 105
    expect(r.fills[0].price).toBe(105);
    expect(r.orders[0].status).toBe('FILLED');
  });

  it('a STOP BUY gapped through fills at the open', () => {
    const rows = dailyBars([flat(100), [107, 108, 106, 107.5], flat(107)]);
    const r = run(rows, { 0: submitAll(stop('BUY', 5, 105)) });
    // gap up: high 108 >= 105; fill at max(stop 105, open 107) = 107
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 107]]);
  });

  it('a STOP BUY triggers when the high equals the stop exactly', () => {
    const rows = dailyBars([flat(100), [101, 105, 100, 104], flat(104)]);
    const r = run(rows, { 0: submitAll(stop('BUY', 1, 105)) });
    // high 105 >= stop 105 (inclusive) → fill at max(105, 101) = 105
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 105]]);
  });

  it('a STOP SELL triggered inside the bar fills at the stop', () => {
    const rows = dailyBars([flat(100), [98, 99, 94, 96], flat(96)]);
    const r = run(rows, { 0: submitAll(stop('SELL', 5, 95)) });
    // low 94 <= stop 95 → triggered; fill at min(stop 95, open 98) = 95 (opens a short: allowed)
    expect(r.fills.map((f) => [f.barIndex, f.side, f.price])).toEqual([[1, 'SELL', 95]]);
  });

  it('a STOP SELL gapped through fills at the open', () => {
    const rows = dailyBars([flat(100), [93, 94, 92, 93.5], flat(93)]);
    const r = run(rows, { 0: submitAll(stop('SELL', 5, 95)) });
    // gap down: low 92 <= 95; fill at min(stop 95, open 93) = 93
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 93]]);
  });

  it('a stop that is never reached does not fill and stays PENDING', () => {
    const rows = dailyBars([flat(100), [101, 109.99, 100, 109], [109, 109.5, 95.01, 96], flat(100)]);
    const r = run(rows, { 0: submitAll(stop('BUY', 5, 110), stop('SELL', 5, 95)) });
    // highs never reach 110 (max 109.99), lows never reach 95 (min 95.01) → no fills
    expect(r.fills).toHaveLength(0);
    expect(r.orders.map((o) => o.status)).toEqual(['PENDING', 'PENDING']);
    expect(r.orders.map((o) => o.filledQuantity)).toEqual([0, 0]);
  });
});

describe('limit orders', () => {
  it('a LIMIT BUY fills at the limit when the low reaches it', () => {
    const rows = dailyBars([flat(100), [101, 102, 98, 100], flat(100)]);
    const r = run(rows, { 0: submitAll(limit('BUY', 10, 99)) });
    // low 98 <= 99 → fill at min(limit 99, open 101) = 99
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 99]]);
  });

  it('a LIMIT BUY gapped through fills at the better open', () => {
    const rows = dailyBars([flat(100), [97, 98, 96, 97.5], flat(97)]);
    const r = run(rows, { 0: submitAll(limit('BUY', 10, 99)) });
    // gap down: low 96 <= 99 → fill at min(limit 99, open 97) = 97
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 97]]);
  });

  it('a LIMIT SELL fills at the limit when the high reaches it', () => {
    const rows = dailyBars([flat(100), [102, 106, 101, 103], flat(103)]);
    const r = run(rows, { 0: submitAll(limit('SELL', 10, 105)) });
    // high 106 >= 105 → fill at max(limit 105, open 102) = 105
    expect(r.fills.map((f) => [f.barIndex, f.side, f.price])).toEqual([[1, 'SELL', 105]]);
  });

  it('a LIMIT SELL gapped through fills at the better open', () => {
    const rows = dailyBars([flat(100), [108, 109, 107, 108], flat(108)]);
    const r = run(rows, { 0: submitAll(limit('SELL', 10, 105)) });
    // gap up: high 109 >= 105 → fill at max(limit 105, open 108) = 108
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 108]]);
  });

  it('a limit that is not reached does not fill', () => {
    const rows = dailyBars([flat(100), [100, 101, 99.01, 100], [100, 100.99, 99.5, 100]]);
    const r = run(rows, { 0: submitAll(limit('BUY', 1, 99), limit('SELL', 1, 101)) });
    // lows stay > 99 (min 99.01), highs reach 101 on bar 1 → only the sell fills: max(101, open 100) = 101
    expect(r.fills.map((f) => [f.orderId, f.barIndex, f.price])).toEqual([[2, 1, 101]]);
    expect(r.orders.map((o) => o.status)).toEqual(['PENDING', 'FILLED']);
  });
});

describe('stop-limit orders', () => {
  it('trigger and fill on the same bar', () => {
    const rows = dailyBars([flat(100), [107, 108, 105.5, 107], flat(107)]);
    const r = run(rows, { 0: submitAll(stopLimit('BUY', 4, 105, 106)) });
    // high 108 >= stop 105 → triggered; now a LIMIT BUY 106: low 105.5 <= 106 → fill at min(106, open 107) = 106
    expect(r.fills.map((f) => [f.barIndex, f.price, f.quantity])).toEqual([[1, 106, 4]]);
    expect(r.orders[0].status).toBe('FILLED');
    expect(r.orders[0].triggered).toBe(true);
  });

  it('a STOP_LIMIT SELL triggers and fills on the same bar', () => {
    const rows = dailyBars([flat(100), [93, 94.5, 92, 93], flat(93)]);
    const r = run(rows, { 0: submitAll(stopLimit('SELL', 4, 95, 94)) });
    // low 92 <= stop 95 → triggered; LIMIT SELL 94: high 94.5 >= 94 → fill at max(94, open 93) = 94
    expect(r.fills.map((f) => [f.barIndex, f.side, f.price])).toEqual([[1, 'SELL', 94]]);
  });

  it('trigger without filling, then fill as a limit on a later bar', () => {
    const rows = dailyBars([
      flat(100), // bar 0: submit BUY stop 105 limit 104
      [103, 106, 104.5, 105.5], // bar 1: high 106 >= 105 → triggered; low 104.5 > limit 104 → no fill
      [104.8, 104.9, 103.5, 104], // bar 2: high 104.9 < stop 105 (an untriggered stop would wait) but it is a limit now: low 103.5 <= 104 → fill at min(104, 104.8) = 104
      flat(104),
    ]);
    const seen: { index: number; status: string; triggered: boolean }[] = [];
    const r = run(rows, {
      0: submitAll(stopLimit('BUY', 3, 105, 104)),
      1: (ctx) => {
        const o = ctx.order(1)!;
        seen.push({ index: 1, status: o.status, triggered: o.triggered });
      },
    });
    expect(seen).toEqual([{ index: 1, status: 'PENDING', triggered: true }]);
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[2, 104]]);
    expect(r.orders[0].status).toBe('FILLED');
  });

  it('a stop-limit whose stop is not reached never becomes a limit', () => {
    // the low 90 is far below the limit 104, but the stop 105 is never touched (max high 104.9)
    const rows = dailyBars([flat(100), [100, 104.9, 90, 100], flat(100)]);
    const r = run(rows, { 0: submitAll(stopLimit('BUY', 3, 105, 104)) });
    expect(r.fills).toHaveLength(0);
    expect(r.orders[0].status).toBe('PENDING');
    expect(r.orders[0].triggered).toBe(false);
  });
});

describe('matching order within one bar', () => {
  it('matches market, then stop, then stop-limit, then limit, whatever the submission order', () => {
    const rows = dailyBars([flat(100), [100, 106, 95, 101], flat(101)]);
    const r = run(rows, {
      0: submitAll(
        limit('BUY', 1, 99), // id 1: low 95 <= 99 → min(99, open 100) = 99
        stopLimit('BUY', 2, 105, 107), // id 2: high 106 >= 105 → limit 107: low 95 <= 107 → min(107, open 100) = 100 (the limit rule over the bar)
        stop('BUY', 3, 104), // id 3: high 106 >= 104 → max(104, open 100) = 104
        market('BUY', 4), // id 4: open 100
      ),
    });
    // passes: market (id 4), stop (id 3), stop-limit (id 2), limit (id 1)
    expect(r.fills.map((f) => [f.id, f.orderId, f.quantity, f.price])).toEqual([
      [1, 4, 4, 100],
      [2, 3, 3, 104],
      [3, 2, 2, 100],
      [4, 1, 1, 99],
    ]);
    expect(r.fills.every((f) => f.barIndex === 1)).toBe(true);
  });

  it('the matching order decides which exit closes a long when a stop and a limit both trade on one bar', () => {
    const rows = dailyBars([
      flat(100), // bar 0: buy 1 at market
      [100, 100.5, 99.5, 100], // bar 1: bought at 100; place a protective stop 95 and a take-profit limit 105
      [100, 106, 94, 100], // bar 2: both trade; the stop pass comes before the limit pass
      flat(100),
    ]);
    const r = run(rows, {
      0: submitAll(market('BUY', 1)),
      1: submitAll(stop('SELL', 1, 95), limit('SELL', 1, 105)),
    });
    // bar 2: stop (id 2) first: low 94 <= 95 → min(95, open 100) = 95 closes the long;
    // then the limit (id 3): high 106 >= 105 → max(105, 100) = 105 opens a short of 1
    expect(r.fills.map((f) => [f.orderId, f.price])).toEqual([
      [1, 100],
      [2, 95],
      [3, 105],
    ]);
    // one round trip: long 1 from 100 to 95 → pnl 1 × (95 - 100) = -5; the short stays open
    expect(r.roundTrips.map((t) => [t.side, t.entryPrice, t.exitPrice, t.pnl])).toEqual([['BUY', 100, 95, -5]]);
  });

  it('orders of the same type fill in submission order', () => {
    const rows = dailyBars([flat(100), [100, 101, 95, 100], flat(100)]);
    const r = run(rows, { 0: submitAll(limit('BUY', 1, 98), limit('BUY', 2, 99), market('SELL', 3), market('BUY', 4)) });
    // market pass: id 3 then id 4 (both at open 100); limit pass: id 1 (98) then id 2 (99)
    expect(r.fills.map((f) => [f.orderId, f.price])).toEqual([
      [3, 100],
      [4, 100],
      [1, 98],
      [2, 99],
    ]);
  });
});

describe('cancel', () => {
  it('takes effect at once: a limit cancelled at bar d does not fill at d+1', () => {
    const rows = dailyBars([
      flat(100), // bar 0: limit buy 99 submitted
      [100, 100.5, 99.5, 100], // bar 1 (d): low 99.5 > 99 → no fill; strategy cancels at the close
      [99, 99.5, 97, 98], // bar 2 (d+1): low 97 <= 99 would have filled at min(99, 99) = 99
      flat(98),
    ]);
    const results: boolean[] = [];
    const r = run(rows, {
      0: submitAll(limit('BUY', 10, 99)),
      1: (ctx) => {
        results.push(ctx.cancel(1));
        results.push(ctx.cancel(1)); // already cancelled → false
      },
    });
    expect(results).toEqual([true, false]);
    expect(r.fills).toHaveLength(0);
    expect(r.orders[0].status).toBe('CANCELLED');
    expect(r.orders[0].updatedAt).toBe(day(1)); // cancelled at the time of bar 1
    expect(r.equity.cash[3]).toBe(100_000); // nothing ever traded
  });

  it('cancelling a filled order (or an unknown id) returns false and changes nothing', () => {
    const rows = dailyBars([flat(100), flat(101), flat(102)]);
    const results: boolean[] = [];
    const r = run(rows, {
      0: submitAll(market('BUY', 2)),
      1: (ctx) => {
        results.push(ctx.cancel(1)); // order 1 filled at bar 1's open, before onBar
        results.push(ctx.cancel(42)); // no such order
      },
    });
    expect(results).toEqual([false, false]);
    expect(r.orders[0].status).toBe('FILLED');
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[1, 101]]);
  });
});

describe('modify', () => {
  it('a limit moved to a reachable price fills at the new price', () => {
    const rows = dailyBars([
      flat(100), // bar 0: limit buy 90
      [100, 100.5, 98.8, 100], // bar 1: low 98.8 > 90 → no fill; modify to 99
      [100, 101, 98.5, 99], // bar 2: low 98.5 <= 99 → fill at min(99, open 100) = 99
      flat(99),
    ]);
    const reasons: (string | null)[] = [];
    const r = run(rows, {
      0: submitAll(limit('BUY', 10, 90)),
      1: (ctx) => reasons.push(ctx.modify(1, { limitPrice: 99 })),
    });
    expect(reasons).toEqual([null]);
    expect(r.orders[0].limitPrice).toBe(99);
    expect(r.fills.map((f) => [f.barIndex, f.price])).toEqual([[2, 99]]);
  });

  it('a limit moved away does not fill where the old price would have', () => {
    const rows = dailyBars([
      flat(100), // bar 0: limit buy 99
      [100, 100.5, 99.5, 100], // bar 1: no fill (low 99.5 > 99); modify to 95
      [100, 101, 98, 99], // bar 2: low 98 would have filled the old 99, but 98 > 95 → no fill
      flat(99),
    ]);
    const r = run(rows, {
      0: submitAll(limit('BUY', 10, 99)),
      1: (ctx) => {
        expect(ctx.modify(1, { limitPrice: 95 })).toBeNull();
      },
    });
    expect(r.fills).toHaveLength(0);
    expect(r.orders[0].status).toBe('PENDING');
    expect(r.orders[0].limitPrice).toBe(95);
  });

  it('a quantity change applies to the fill', () => {
    const rows = dailyBars([flat(100), flat(100), [100, 100.5, 98, 99], flat(99)]);
    const r = run(rows, {
      0: submitAll(limit('BUY', 10, 99)),
      1: (ctx) => {
        expect(ctx.modify(1, { quantity: 25 })).toBeNull();
      },
    });
    // bar 2: low 98 <= 99 → fill 25 (not 10) at min(99, 100) = 99
    expect(r.fills.map((f) => [f.quantity, f.price])).toEqual([[25, 99]]);
    expect(r.orders[0].filledQuantity).toBe(25);
    // cash 100000 - 25 × 99 = 97525
    expect(r.equity.cash[3]).toBe(97_525);
  });

  it('modifying a non-working order is refused with a reason', () => {
    const rows = dailyBars([flat(100), flat(100), flat(100)]);
    const reasons: (string | null)[] = [];
    const r = run(rows, {
      0: submitAll(market('BUY', 1), limit('BUY', 1, 50)),
      1: (ctx) => {
        ctx.cancel(2);
        reasons.push(ctx.modify(1, { quantity: 5 })); // FILLED at bar 1 open
        reasons.push(ctx.modify(2, { limitPrice: 60 })); // CANCELLED just now
        reasons.push(ctx.modify(99, { quantity: 1 })); // unknown
      },
    });
    expect(reasons.every((x) => typeof x === 'string' && x.length > 0)).toBe(true);
    expect(reasons[0]).toMatch(/FILLED/);
    expect(reasons[1]).toMatch(/CANCELLED/);
    expect(r.orders[0]).toMatchObject({ status: 'FILLED', quantity: 1, filledQuantity: 1 });
    expect(r.orders[1]).toMatchObject({ status: 'CANCELLED', limitPrice: 50 });
  });

  it('a limit price on a STOP, a stop price on a LIMIT and a bad quantity are refused, the order unchanged', () => {
    const rows = dailyBars([flat(100), flat(100), [101, 106, 100, 105], flat(105)]);
    const reasons: (string | null)[] = [];
    const r = run(rows, {
      0: submitAll(stop('BUY', 2, 105), limit('BUY', 2, 50)),
      1: (ctx) => {
        reasons.push(ctx.modify(1, { limitPrice: 104 })); // STOP has no limit price
        reasons.push(ctx.modify(2, { stopPrice: 104 })); // LIMIT has no stop price
        reasons.push(ctx.modify(1, { quantity: 0 })); // quantity must stay > 0
        reasons.push(ctx.modify(2, { limitPrice: -1 })); // price must be > 0
      },
    });
    expect(reasons[0]).toMatch(/STOP order has no limit price/);
    expect(reasons[1]).toMatch(/LIMIT order has no stop price/);
    expect(reasons[2]).toMatch(/quantity/);
    expect(reasons[3]).toMatch(/limitPrice/);
    // the stop is untouched and still works: bar 2 high 106 >= 105 → fill max(105, open 101) = 105, quantity 2
    expect(r.orders[0]).toMatchObject({ type: 'STOP', limitPrice: null, stopPrice: 105, quantity: 2, status: 'FILLED' });
    expect(r.fills.map((f) => [f.orderId, f.quantity, f.price])).toEqual([[1, 2, 105]]);
    expect(r.orders[1]).toMatchObject({ limitPrice: 50, stopPrice: null, status: 'PENDING' });
  });
});

describe('time in force', () => {
  it('a DAY order expires after the last bar of its UTC day; a GTC twin fills the next day', () => {
    const H = 3_600_000;
    const t0 = Date.UTC(2024, 2, 4, 21); // Monday 21:00 UTC
    const rows: Row[] = [
      { time: t0, open: 100, high: 100.5, low: 99.5, close: 100 }, // 21:00: orders submitted
      { time: t0 + H, open: 100, high: 100.5, low: 95, close: 96 }, // 22:00: low 95 > limit 90, no fill; market DAY fills at open 100
      { time: t0 + 2 * H, open: 96, high: 97, low: 95, close: 96 }, // 23:00: last bar of the day, no fill
      { time: t0 + 3 * H, open: 92, high: 93, low: 89, close: 90 }, // 00:00 next day: low 89 <= 90 would fill — DAY is EXPIRED before matching
      { time: t0 + 4 * H, open: 90, high: 91, low: 88, close: 89 },
    ];
    const r = run(
      rows,
      {
        0: submitAll(
          limit('BUY', 1, 90, { timeInForce: 'DAY' }), // id 1
          limit('BUY', 1, 90), // id 2, GTC by default
          { type: 'MARKET', symbol: 'X', side: 'BUY', quantity: 1, timeInForce: 'DAY' }, // id 3: fills the same day
        ),
      },
      { periodsPerYear: 252 * 6.5 },
    );
    expect(r.orders.map((o) => [o.id, o.timeInForce, o.status])).toEqual([
      [1, 'DAY', 'EXPIRED'],
      [2, 'GTC', 'FILLED'],
      [3, 'DAY', 'FILLED'],
    ]);
    expect(r.orders[0].filledQuantity).toBe(0);
    expect(r.orders[0].updatedAt).toBe(Date.UTC(2024, 2, 5)); // expired at the UTC midnight ending its day
    // id 3 at 22:00 open 100; id 2 at 00:00: min(limit 90, open 92) = 90
    expect(r.fills.map((f) => [f.orderId, f.barIndex, f.price])).toEqual([
      [3, 1, 100],
      [2, 3, 90],
    ]);
  });

  it('orders still working after the last bar stay PENDING', () => {
    const rows = dailyBars([flat(100), flat(100), flat(100)]);
    const r = run(rows, { 0: submitAll(limit('BUY', 1, 50), stop('BUY', 1, 200)), 2: submitAll(market('BUY', 1)) });
    // ids 1 and 2 never reached; id 3 submitted on the last bar has no next bar
    expect(r.orders.map((o) => o.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(r.fills).toHaveLength(0);
  });
});

describe('rejections', () => {
  it('invalid orders are REJECTED with a reason and the run goes on', () => {
    const rows = dailyBars([flat(100), [101, 102, 100, 101], flat(101)]);
    const returned: { status: string; reason: string | null }[] = [];
    const bad: OrderRequest[] = [
      market('BUY', 0), // id 1: quantity 0
      market('SELL', -5), // id 2: negative quantity
      { type: 'LIMIT', symbol: 'X', side: 'BUY', quantity: 1, limitPrice: 0 }, // id 3: non-positive limit
      { type: 'LIMIT', symbol: 'X', side: 'BUY', quantity: 1 } as unknown as OrderRequest, // id 4: missing limit
      { type: 'STOP_LIMIT', symbol: 'X', side: 'BUY', quantity: 1, limitPrice: 100 } as unknown as OrderRequest, // id 5: missing stop
      { type: 'STOP', symbol: 'X', side: 'SELL', quantity: 1, stopPrice: -3 }, // id 6: negative stop
      { type: 'MARKET', symbol: 'ZZZ', side: 'BUY', quantity: 1 }, // id 7: unknown symbol
      market('BUY', Number.NaN), // id 8: NaN quantity
    ];
    const r = run(rows, {
      0: (ctx) => {
        for (const b of bad) {
          const o = ctx.submit(b);
          returned.push({ status: o.status, reason: o.reason });
        }
        ctx.submit(market('BUY', 2)); // id 9: valid
      },
    });
    expect(returned.every((x) => x.status === 'REJECTED' && typeof x.reason === 'string' && x.reason.length > 0)).toBe(true);
    const reasons = r.orders.slice(0, 8).map((o) => o.reason);
    expect(reasons[0]).toMatch(/quantity/);
    expect(reasons[1]).toMatch(/quantity/);
    expect(reasons[2]).toMatch(/limitPrice/);
    expect(reasons[3]).toMatch(/limitPrice/);
    expect(reasons[4]).toMatch(/stopPrice/);
    expect(reasons[5]).toMatch(/stopPrice/);
    expect(reasons[6]).toMatch(/unknown symbol ZZZ/);
    expect(reasons[7]).toMatch(/quantity/);
    expect(r.orders.slice(0, 8).every((o) => o.status === 'REJECTED' && o.filledQuantity === 0)).toBe(true);
    // the valid order still fills at bar 1's open 101; the run reaches the last bar
    expect(r.orders[8].status).toBe('FILLED');
    expect(r.fills.map((f) => [f.orderId, f.barIndex, f.price])).toEqual([[9, 1, 101]]);
    expect(r.equity.length).toBe(3);
    expect(r.partial).toBe(false);
  });
});

describe('costs', () => {
  it('slippage worsens market and stop fills by price × bps / 10000 but not limit or stop-limit fills', () => {
    const rows = dailyBars([
      flat(100), // bar 0: submit market buy, market sell, stop buy 105, limit buy 99, stop-limit sell
      [100, 106, 98, 101], // bar 1
      flat(101),
    ]);
    const r = run(
      rows,
      {
        0: submitAll(
          market('BUY', 1), // id 1: open 100 → 100 × (1 + 10/10000) = 100.1
          market('SELL', 1), // id 2: open 100 → 100 × (1 - 0.001) = 99.9
          stop('BUY', 1, 105), // id 3: high 106 >= 105 → max(105, 100) = 105 → 105 × 1.001 = 105.105
          limit('BUY', 1, 99), // id 4: low 98 <= 99 → min(99, 100) = 99, no slippage
          stopLimit('SELL', 1, 99, 98.5), // id 5: low 98 <= 99 → limit sell 98.5: high >= 98.5 → max(98.5, 100) = 100, no slippage
        ),
      },
      { slippage: 10 },
    );
    const byOrder = new Map(r.fills.map((f) => [f.orderId, f.price]));
    expect(byOrder.get(1)).toBeCloseTo(100.1, 10);
    expect(byOrder.get(2)).toBeCloseTo(99.9, 10);
    expect(byOrder.get(3)).toBeCloseTo(105.105, 10);
    expect(byOrder.get(4)).toBe(99);
    expect(byOrder.get(5)).toBe(100);
  });

  it('a stop SELL is worsened downwards by slippage', () => {
    const rows = dailyBars([flat(100), [97, 98, 94, 95], flat(95)]);
    const r = run(rows, { 0: submitAll(stop('SELL', 1, 96)) }, { slippage: 50 });
    // low 94 <= 96 → min(96, open 97) = 96; 50 bps worse for a sell: 96 × (1 - 0.005) = 95.52
    expect(r.fills[0].price).toBeCloseTo(95.52, 10);
  });

  it('commission = max(minimum, perUnit × qty) + percent of notional, both terms', () => {
    const rows = dailyBars([flat(100), [100, 100.5, 99.5, 100], flat(100)]);
    const commission = { perUnit: 0.01, minimumPerOrder: 1, percentOfNotional: 0.1 };
    const r = run(rows, { 0: submitAll(market('BUY', 10), market('BUY', 500)) }, { commission, initialCash: 100_000 });
    // 10 @ 100: max(1, 0.01 × 10 = 0.1) = 1 (the minimum) + 0.1/100 × 10 × 100 = 1 → 2
    expect(r.fills[0].commission).toBeCloseTo(2, 12);
    // 500 @ 100: max(1, 0.01 × 500 = 5) = 5 (per unit) + 0.001 × 500 × 100 = 50 → 55
    expect(r.fills[1].commission).toBeCloseTo(55, 12);
    // cash: 100000 - (1000 + 2) - (50000 + 55) = 48943
    expect(r.equity.cash[1]).toBeCloseTo(48_943, 8);
    expect(r.metrics.totalCommission).toBeCloseTo(57, 12);
    // equity bar 1: 48943 + 510 × 100 = 99943
    expect(r.equity.equity[1]).toBeCloseTo(99_943, 8);
  });

  it('a sell pays commission out of its proceeds', () => {
    const rows = dailyBars([flat(100), [100, 101, 99, 100], [110, 111, 109, 110], flat(110)]);
    const commission = { perUnit: 0.5, minimumPerOrder: 0, percentOfNotional: 0 };
    const r = run(rows, { 0: submitAll(market('BUY', 4)), 1: submitAll(market('SELL', 4)) }, { commission, initialCash: 1000 });
    // buy 4 @ 100: commission 0.5 × 4 = 2 → cash 1000 - 400 - 2 = 598
    // sell 4 @ 110: commission 2 → cash 598 + 440 - 2 = 1036
    expect(Array.from(r.equity.cash)).toEqual([1000, 598, 1036, 1036]);
  });
});

describe('order state machine', () => {
  it('nextOrderStatus follows the transition table', () => {
    expect(nextOrderStatus('PENDING', 'FILL')).toBe('FILLED');
    expect(nextOrderStatus('PENDING', 'PARTIAL_FILL')).toBe('PARTIALLY_FILLED');
    expect(nextOrderStatus('PENDING', 'CANCEL')).toBe('CANCELLED');
    expect(nextOrderStatus('PENDING', 'EXPIRE')).toBe('EXPIRED');
    expect(nextOrderStatus('PENDING', 'REJECT')).toBe('REJECTED');
    expect(nextOrderStatus('PENDING', 'MODIFY')).toBe('PENDING');
    expect(nextOrderStatus('PARTIALLY_FILLED', 'FILL')).toBe('FILLED');
    expect(nextOrderStatus('PARTIALLY_FILLED', 'CANCEL')).toBe('CANCELLED');
    expect(nextOrderStatus('PARTIALLY_FILLED', 'MODIFY')).toBe('PARTIALLY_FILLED');
    expect(nextOrderStatus('PARTIALLY_FILLED', 'REJECT')).toBeNull();
    for (const terminal of ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'] as const) {
      for (const ev of ['PARTIAL_FILL', 'FILL', 'CANCEL', 'EXPIRE', 'MODIFY', 'REJECT'] as const) {
        expect(nextOrderStatus(terminal, ev), `${terminal} + ${ev}`).toBeNull();
      }
    }
  });

  it('transitionOrder throws InvalidOrderTransition on a refused transition', () => {
    expect(transitionOrder('PENDING', 'CANCEL')).toBe('CANCELLED');
    expect(() => transitionOrder('FILLED', 'CANCEL')).toThrow(InvalidOrderTransition);
    expect(() => transitionOrder('FILLED', 'CANCEL')).toThrow(/FILLED cannot cancel/);
    expect(() => transitionOrder('CANCELLED', 'FILL')).toThrow(InvalidOrderTransition);
    expect(() => transitionOrder('EXPIRED', 'MODIFY')).toThrow(InvalidOrderTransition);
    expect(() => transitionOrder('REJECTED', 'FILL')).toThrow(InvalidOrderTransition);
    try {
      transitionOrder('FILLED', 'PARTIAL_FILL');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidOrderTransition);
      expect((e as InvalidOrderTransition).from).toBe('FILLED');
      expect((e as InvalidOrderTransition).event).toBe('PARTIAL_FILL');
    }
  });
});

describe('listener', () => {
  it('an EngineListener receives every fill and order update, in order', () => {
    const rows = dailyBars([flat(100), [101, 102, 100, 101], [101, 102, 98, 99], flat(99)]);
    const events: string[] = [];
    const listener: EngineListener = {
      onOrder: (o) => events.push(`order ${o.id} ${o.status}`),
      onFill: (f) => events.push(`fill ${f.id} order ${f.orderId} @${f.price}`),
    };
    const r = run(
      rows,
      {
        0: submitAll(market('BUY', 1), limit('BUY', 1, 50), limit('SELL', 1, 101.5)),
        1: (ctx) => {
          ctx.modify(2, { limitPrice: 60 });
          ctx.cancel(2);
          ctx.modify(3, { quantity: 2 });
          ctx.submit(market('BUY', 0)); // rejected
        },
      },
      { listener },
    );
    expect(events).toEqual([
      // bar 0: three submissions
      'order 1 PENDING',
      'order 2 PENDING',
      'order 3 PENDING',
      // bar 1 matching: market id 1 at open 101 (fill reported before its order update), then limit sell id 3: high 102 >= 101.5 → max(101.5, 101) = 101.5
      'fill 1 order 1 @101',
      'order 1 FILLED',
      'fill 2 order 3 @101.5',
      'order 3 FILLED',
      // bar 1 strategy: modify id 2 (stays PENDING), cancel it; modify of id 3 is refused (already FILLED, no event); id 4 rejected
      'order 2 PENDING',
      'order 2 CANCELLED',
      'order 4 REJECTED',
    ]);
    expect(r.fills).toHaveLength(2);
  });
});

describe('re-entrant strategy callbacks', () => {
  /** Two hourly symbols (two bars on 2024-03-04, two on the 5th); series order [B, A] so B is matched before A at every timestamp. */
  function twoSymbols() {
    const times = [Date.UTC(2024, 2, 4, 10), Date.UTC(2024, 2, 4, 11), Date.UTC(2024, 2, 5, 10), Date.UTC(2024, 2, 5, 11)];
    const mk = (sym: string) => barSeriesFromRows(sym, times.map((time) => ({ time, open: 100, high: 100.5, low: 99.5, close: 100 })));
    return [mk('B'), mk('A')];
  }

  it('a DAY order of another symbol cancelled from onFill is simply CANCELLED (the run does not throw)', () => {
    let cancelled: boolean | undefined;
    const strategy = defineStrategy({
      id: 'cancel-from-on-fill',
      title: 'Cancel from onFill',
      description: 'On the fill of A, cancels the DAY order working on B.',
      params: {},
      create(ctx) {
        return {
          onBar(bar) {
            if (bar.symbol === 'A' && bar.index === 0) {
              ctx.submit({ type: 'LIMIT', symbol: 'B', side: 'BUY', quantity: 1, limitPrice: 50, timeInForce: 'DAY' }); // id 1
              ctx.buy('A', 1); // id 2
            }
          },
          onFill(fill) {
            if (fill.orderId === 2) cancelled = ctx.cancel(1);
          },
        };
      },
    });
    // step 1 (11:00): B matched (id 1 not reached), then A: id 2 fills at 100 → onFill cancels id 1.
    // step 2 is the next UTC day: the broker expires DAY orders; id 1 is already CANCELLED and must stay so.
    const run2 = () => runBacktest({ series: twoSymbols(), strategy, params: {}, initialCash: 1000, periodsPerYear: 252 });
    expect(run2).not.toThrow();
    const r = run2();
    expect(cancelled).toBe(true);
    expect(r.orders.map((o) => o.status)).toEqual(['CANCELLED', 'FILLED']);
  });

  it('cancelling an order from onOrderUpdate while DAY orders expire does not let another DAY order escape expiry', () => {
    const strategy = defineStrategy({
      id: 'cancel-on-expiry',
      title: 'Cancel on expiry',
      description: 'When the first DAY order expires, cancels a GTC order submitted before it.',
      params: {},
      create(ctx) {
        return {
          onBar(bar) {
            if (bar.index === 0) {
              ctx.submit({ type: 'LIMIT', symbol: 'X', side: 'BUY', quantity: 1, limitPrice: 50 }); // id 1, GTC
              ctx.submit({ type: 'LIMIT', symbol: 'X', side: 'BUY', quantity: 1, limitPrice: 50, timeInForce: 'DAY' }); // id 2
              ctx.submit({ type: 'LIMIT', symbol: 'X', side: 'BUY', quantity: 1, limitPrice: 99, timeInForce: 'DAY' }); // id 3
            }
          },
          onOrderUpdate(order) {
            if (order.id === 2 && order.status === 'EXPIRED') ctx.cancel(1);
          },
        };
      },
    });
    // bar 0 (day 0) submits; bar 1 is the next UTC day, so ids 2 and 3 expire before matching;
    // bar 1's low 98 <= 99 must not fill id 3 (expired)
    const rows = dailyBars([flat(100), [100, 100.5, 98, 99], flat(99)]);
    const r = runBacktest({ series: [barSeriesFromRows('X', rows)], strategy, params: {}, initialCash: 1000, periodsPerYear: 252 });
    expect(r.orders.map((o) => o.status)).toEqual(['CANCELLED', 'EXPIRED', 'EXPIRED']);
    expect(r.fills).toHaveLength(0);
  });
});
