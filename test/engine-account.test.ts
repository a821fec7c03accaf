/**
 * Account and buying power (docs/CONVENTIONS.md): rejection at submission with the numbers named,
 * CASH and MARGIN, long and short, and the gap rule at the fill (wait, reduce, reject). Every
 * expected number is worked out by hand in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import { daily, fillsOf, runScript, statuses } from './support/engine-script.js';

const q = (p: number) => [p, p, p, p] as const;

describe('MARGIN, leverage 1 (the default)', () => {
  it('a buy worth more than the equity is rejected at submission, naming the numbers', () => {
    // close 1460; 1000 × 1460 = 1,460,000 > 1 × 100,000
    const r = runScript([daily('X', [q(1460), q(1460)])], { 0: (ctx) => ctx.buy(0, 1000) });
    expect(r.orders[0]).toMatchObject({ status: 'REJECTED' });
    expect(r.orders[0]!.reason).toBe('buying power (MARGIN, leverage 1): gross exposure after the order 1460000 would exceed 1 × equity 100000 = 100000');
    expect(r.fills).toEqual([]);
    expect(r.equity.cash[1]).toBe(100_000);
  });

  it('an exact fit is accepted; one unit more is not', () => {
    const r = runScript([daily('X', [q(1000), q(1000)])], { 0: (ctx) => (ctx.buy(0, 100), ctx.buy(0, 1)) });
    // 100 × 1000 = 100,000 <= 100,000. Working purchases reserve nothing, so the second (1 × 1000) is
    // accepted at submission too...
    expect(statuses(r)[0]).toEqual([1, 'FILLED', 100]);
    // ...but at the fill, after the first, gross would be 101,000 > 100,000 and not one unit fits
    expect(statuses(r)[1]).toEqual([2, 'REJECTED', 0]);
    expect(r.orders[1]!.reason).toMatch(/^rejected at the fill price 1000: buying power \(MARGIN, leverage 1\): gross exposure after the order 101000 would exceed 1 × equity 100000/);
  });

  it('shorts count in the gross exposure: sell 100 at 1000 fits, 101 does not', () => {
    const r = runScript([daily('X', [q(1000), q(1000)])], { 0: (ctx) => (ctx.sell(0, 101), ctx.sell(0, 100)) });
    expect(statuses(r)).toEqual([
      [1, 'REJECTED', 0],
      [2, 'FILLED', 100],
    ]);
    expect(r.orders[0]!.reason).toMatch(/gross exposure after the order 101000 would exceed 1 × equity 100000/);
    expect(r.equity.cash[1]).toBe(200_000); // short sale proceeds
  });

  it('orders that reduce always pass, even when the account is under water', () => {
    // long 100 at 1000 (cash 0), then the price halves: equity 50,000 = gross 50,000; the sale closes
    const r = runScript([daily('X', [q(1000), q(1000), q(500), q(500)])], {
      0: (ctx) => ctx.buy(0, 100),
      2: (ctx) => ctx.sell(0, 100),
    });
    expect(statuses(r)).toEqual([
      [1, 'FILLED', 100],
      [2, 'FILLED', 100],
    ]);
  });

  it('leverage 2 doubles the buying power', () => {
    const r = runScript([daily('X', [q(1000), q(1000)])], { 0: (ctx) => (ctx.buy(0, 201), ctx.buy(0, 200)) }, { account: { type: 'MARGIN', leverage: 2 } });
    expect(statuses(r)).toEqual([
      [1, 'REJECTED', 0],
      [2, 'FILLED', 200],
    ]);
    expect(r.orders[0]!.reason).toBe('buying power (MARGIN, leverage 2): gross exposure after the order 201000 would exceed 2 × equity 100000 = 200000');
    expect(r.equity.cash[1]).toBe(-100_000);
  });

  it('the gap rule: a fill at a higher open is reduced to what fits, the rest cancelled', () => {
    // accepted at close 1460 (68 × 1460 = 99,280); opens at 1480: 68 × 1480 = 100,640 > 100,000;
    // the largest that fits: floor(100,000 / 1480) = 67 (99,160)
    const r = runScript([daily('X', [q(1460), [1480, 1490, 1470, 1485]])], { 0: (ctx) => ctx.buy(0, 68) });
    expect(fillsOf(r)).toEqual([[1, 1, 'BUY', 67, 1480]]);
    expect(r.orders[0]).toMatchObject({ status: 'CANCELLED', quantity: 68, filledQuantity: 67, averageFillPrice: 1480 });
    expect(r.orders[0]!.reason).toBe(
      'reduced from 68 to 67 at the fill price 1480: buying power (MARGIN, leverage 1): gross exposure after the order 100640 would exceed 1 × equity 100000 = 100000',
    );
    expect(r.equity.cash[1]).toBe(100_000 - 67 * 1480);
  });

  it('a listener sees the reduced fill as PARTIALLY_FILLED, then CANCELLED', () => {
    const seen: string[] = [];
    runScript([daily('X', [q(1460), [1480, 1490, 1470, 1485]])], { 0: (ctx) => ctx.buy(0, 68) }, { listener: { onOrder: (o) => seen.push(`${o.status} ${o.filledQuantity}`) } });
    expect(seen).toEqual(['PENDING 0', 'PARTIALLY_FILLED 67', 'CANCELLED 67']);
  });

  it('a purchase that does not fit at its turn waits for the sale of a later symbol at the same open', () => {
    // A and B at 1000. Bar 0: buy 50 B (fills at bar 1: cash 50,000, gross 50,000).
    // Bar 1: sell 50 B at market, then buy 90 A: at submission the sale counts as done, so gross 90,000 fits.
    // Bar 2: A is matched first; 90 × 1000 + 50,000 of B = 140,000 > 100,000: it waits; B's sale fills;
    // then A fits (gross 90,000) and fills at A's open 1000.
    const A = daily('A', [q(1000), q(1000), q(1000), q(1000)]);
    const B = daily('B', [q(1000), q(1000), q(1000), q(1000)]);
    const r = runScript([A, B], {
      'B:0': (ctx) => ctx.buy('B', 50),
      'B:1': (ctx) => (ctx.sell('B', 50), ctx.buy('A', 90)),
    });
    expect(statuses(r)).toEqual([
      [1, 'FILLED', 50],
      [2, 'FILLED', 50],
      [3, 'FILLED', 90],
    ]);
    // the fills in the order they happened: B's sale before A's purchase
    expect(r.fills.map((f) => [f.orderId, f.symbol, f.barIndex])).toEqual([
      [1, 'B', 1],
      [2, 'B', 2],
      [3, 'A', 2],
    ]);
    expect(r.equity.cash[2]).toBe(10_000);
  });

  it('without the sale, the same purchase is rejected at submission', () => {
    const A = daily('A', [q(1000), q(1000), q(1000)]);
    const B = daily('B', [q(1000), q(1000), q(1000)]);
    const r = runScript([A, B], { 'B:0': (ctx) => ctx.buy('B', 50), 'B:1': (ctx) => ctx.buy('A', 90) });
    expect(r.orders[1]).toMatchObject({ status: 'REJECTED' });
    expect(r.orders[1]!.reason).toMatch(/gross exposure after the order 140000 would exceed 1 × equity 100000/);
  });

  it('leverage Infinity (engine only) switches the checks off', () => {
    const r = runScript([daily('X', [q(1460), q(1460)])], { 0: (ctx) => ctx.buy(0, 1000) }, { account: { type: 'MARGIN', leverage: Infinity } });
    expect(statuses(r)).toEqual([[1, 'FILLED', 1000]]);
    expect(r.equity.cash[1]).toBe(100_000 - 1_460_000);
  });
});

describe('CASH', () => {
  const cash = { type: 'CASH', leverage: 1 } as const;
  const commission = { perUnit: 0.01, minimumPerOrder: 1, percentOfNotional: 0 };

  it('a purchase whose cost and commission exceed the cash is rejected; one unit less fits', () => {
    // 100 × 1000 + max(1, 1) = 100,001 > 100,000; 99 × 1000 + 1 = 99,001
    const r = runScript([daily('X', [q(1000), q(1000)])], { 0: (ctx) => (ctx.buy(0, 100), ctx.buy(0, 99)) }, { account: cash, commission });
    expect(statuses(r)).toEqual([
      [1, 'REJECTED', 0],
      [2, 'FILLED', 99],
    ]);
    expect(r.orders[0]!.reason).toBe('buying power (CASH): cash after the order -1 would be below 0 (cash 100000)');
    expect(r.equity.cash[1]).toBe(999);
  });

  it('no short sales: selling while flat, or more than held, is rejected; selling what is held is not', () => {
    const r = runScript([daily('X', [q(100), q(100), q(100)])], {
      0: (ctx) => (ctx.sell(0, 1), ctx.buy(0, 3)),
      1: (ctx) => (ctx.sell(0, 5), ctx.sell(0, 3)),
    }, { account: cash });
    expect(statuses(r)).toEqual([
      [1, 'REJECTED', 0],
      [2, 'FILLED', 3],
      [3, 'REJECTED', 0],
      [4, 'FILLED', 3],
    ]);
    expect(r.orders[0]!.reason).toBe('buying power (CASH): the order would leave a short position of -1 X; a CASH account cannot sell short');
    expect(r.orders[2]!.reason).toBe('buying power (CASH): the order would leave a short position of -2 X; a CASH account cannot sell short');
  });

  it('the gap rule: a higher open reduces the purchase to what the cash pays, commission included', () => {
    // 99 at close 1000 fits (99,001); opens at 1020: 99 × 1020 + 1 = 100,981 > 100,000.
    // floor((100,000 - 1) / 1020) = 98: 98 × 1020 + 1 = 99,961, cash left 39
    const r = runScript([daily('X', [q(1000), [1020, 1025, 1015, 1020]])], { 0: (ctx) => ctx.buy(0, 99) }, { account: cash, commission });
    expect(fillsOf(r)).toEqual([[1, 1, 'BUY', 98, 1020]]);
    expect(r.orders[0]).toMatchObject({ status: 'CANCELLED', filledQuantity: 98 });
    expect(r.orders[0]!.reason).toMatch(/^reduced from 99 to 98 at the fill price 1020: buying power \(CASH\): cash after the order -981 would be below 0/);
    expect(r.equity.cash[1]).toBeCloseTo(39, 9);
    expect(Math.min(...r.equity.cash)).toBeGreaterThanOrEqual(0);
  });

  it('the gap rule: when not even one unit fits, the order is rejected at the fill', () => {
    const r = runScript([daily('X', [q(1000), [150_000, 150_000, 150_000, 150_000]])], { 0: (ctx) => ctx.buy(0, 99) }, { account: cash, commission });
    expect(r.fills).toEqual([]);
    expect(r.orders[0]).toMatchObject({ status: 'REJECTED', filledQuantity: 0 });
    expect(r.orders[0]!.reason).toMatch(/^rejected at the fill price 150000: buying power \(CASH\)/);
  });

  it('a CASH account with a leverage other than 1 is refused', () => {
    expect(() => runScript([daily('X', [q(1)])], {}, { account: { type: 'CASH', leverage: 2 } })).toThrow(/a CASH account has no leverage/);
  });
});
