/**
 * The finite-results check (src/engine/finite-results.ts) and the brief display of values
 * (src/engine/brief.ts), the JSON budget (src/engine/json-size.ts) and the number ranges
 * (src/jobs/number-range.ts) the input validation is built from.
 */
import { describe, expect, it } from 'vitest';
import { brief, briefList } from '../src/engine/brief.js';
import {
  findNonFinite,
  NonFiniteResultError,
  nonFiniteMessage,
  requireFiniteResult,
  storableMetrics,
  storablePartial,
} from '../src/engine/finite-results.js';
import { fitsJsonBudget } from '../src/engine/json-size.js';
import { barSeriesFromRows, runBacktest, type BacktestResult, type Fill, type Order, type RunMetrics } from '../src/engine/index.js';
import { checkRange, describeRange, formatBound } from '../src/jobs/number-range.js';
import { CashChanges } from '../src/engine/cash-changes.js';
import { RunEquityCurve } from '../src/engine/run-equity-curve.js';
import { overflow } from './fixtures/strategies/overflow.js';
import { smaCrossover } from '../src/engine/strategies/index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);

const METRICS: RunMetrics = {
  finalEquity: 100, totalReturn: 0, cagr: null, volatility: null, sharpe: null, sortino: null, maxDrawdown: 0,
  maxDrawdownDuration: 0, trades: 0, winRate: null, profitFactor: null, totalCommission: 0, exposure: 0,
};

/** A hand-made result of `n` curve points, every number finite. */
function result(n = 3, patch: Partial<BacktestResult> = {}): BacktestResult {
  const time = Float64Array.from({ length: n }, (_, i) => T0 + i * DAY);
  return {
    orders: [],
    fills: [],
    roundTrips: [],
    equity: { length: n, time, equity: new Float64Array(n).fill(100), cash: new Float64Array(n).fill(100), drawdown: new Float64Array(n) },
    metrics: METRICS,
    barsProcessed: n,
    partial: false,
    ...patch,
  };
}

const fill = (id: number, patch: Partial<Fill> = {}): Fill => ({
  id, orderId: id, time: T0 + id * DAY, symbolIndex: 0, symbol: 'X', barIndex: id, side: 'BUY', quantity: 1, price: 10, commission: 0, ...patch,
});

describe('findNonFinite', () => {
  it('finds nothing in finite results (nulls in nullable metrics are fine)', () => {
    expect(findNonFinite(result())).toBeNull();
    expect(requireFiniteResult(result()).barsProcessed).toBe(3);
  });

  it('names the earliest non-finite point of the equity curve and its time', () => {
    const r = result(5);
    r.equity.equity[3] = Number.NaN;
    r.equity.equity[4] = Number.NaN;
    r.equity.cash[2] = Number.NEGATIVE_INFINITY;
    expect(findNonFinite(r)).toEqual({ what: 'cash', time: T0 + 2 * DAY, value: Number.NEGATIVE_INFINITY });
    expect(nonFiniteMessage(findNonFinite(r)!)).toBe(
      'non-finite cash at 2020-01-03T00:00:00.000Z (-Infinity): positions, costs or prices overflowed; results not stored',
    );
  });

  it('an engine curve: cash read from its changes, drawdown from its equity, the same answers as columns', () => {
    const time = Float64Array.from({ length: 5 }, (_, i) => T0 + i * DAY);
    const changes = new CashChanges(100);
    changes.record(2, Number.NEGATIVE_INFINITY);
    changes.record(3, 50);
    const cashCurve = new RunEquityCurve(5, time, new Float64Array(5).fill(100), changes);
    const want = { what: 'cash', time: T0 + 2 * DAY, value: Number.NEGATIVE_INFINITY };
    expect(findNonFinite(result(5, { equity: cashCurve }))).toEqual(want);
    // The same curve as plain columns gives the same answer.
    const plain = { length: 5, time, equity: cashCurve.equity, cash: Float64Array.from(cashCurve.cash), drawdown: Float64Array.from(cashCurve.drawdown) };
    expect(findNonFinite(result(5, { equity: plain }))).toEqual(want);
    // A positive peak keeps every drawdown finite, even below zero equity.
    const below = new RunEquityCurve(3, time.subarray(0, 3), Float64Array.from([5, 0, -5]), new CashChanges(100));
    expect(findNonFinite(result(3, { equity: below }))).toBeNull();
    // A peak of 0: 1 - 0 / 0 is NaN there, and 1 - (-5 / 0) Infinity after it.
    const fromZero = new RunEquityCurve(3, time.subarray(0, 3), Float64Array.from([-1, 0, -5]), new CashChanges(100));
    expect(findNonFinite(result(3, { equity: fromZero }))).toEqual({ what: 'drawdown', time: T0 + DAY, value: Number.NaN });
    expect(Array.from(fromZero.drawdown)).toEqual([0, Number.NaN, Number.POSITIVE_INFINITY]);
    const plainZero = { length: 3, time: time.subarray(0, 3), equity: fromZero.equity, cash: new Float64Array(3).fill(100), drawdown: fromZero.drawdown };
    expect(findNonFinite(result(3, { equity: plainZero }))).toEqual(findNonFinite(result(3, { equity: fromZero })));
  });

  it('checks fills, orders, round trips and metrics; a GTC order expiring at Infinity is fine', () => {
    expect(findNonFinite(result(3, { fills: [fill(1), fill(2, { commission: Number.POSITIVE_INFINITY })] }))).toEqual({
      what: 'fill 2 commission', time: T0 + 2 * DAY, value: Number.POSITIVE_INFINITY,
    });
    const order = {
      id: 1, time: T0, symbolIndex: 0, symbol: 'X', side: 'BUY', type: 'LIMIT', quantity: 1, limitPrice: 10, stopPrice: null, timeInForce: 'GTC',
      tag: null, status: 'PENDING', filledQuantity: 0, averageFillPrice: null, reason: null, triggered: false, submittedStep: 0, expiresAt: Number.POSITIVE_INFINITY, updatedAt: T0,
    } as unknown as Order; // the fields the check reads (Order grows with new order types)
    expect(findNonFinite(result(3, { orders: [order] }))).toBeNull();
    expect(findNonFinite(result(3, { orders: [{ ...order, limitPrice: Number.NaN }] }))?.what).toBe('order 1 limitPrice');
    // Trailing stops: their trail and best price are stored too.
    const trailing = { ...order, type: 'TRAILING_STOP', limitPrice: null, stopPrice: 9, trailAmount: 1, trailPercent: null, bestPrice: 10 } as unknown as Order;
    expect(findNonFinite(result(3, { orders: [order, trailing] }))).toBeNull();
    expect(findNonFinite(result(3, { orders: [order, { ...trailing, trailAmount: Number.POSITIVE_INFINITY }] }))?.what).toBe('order 2 trailAmount');
    expect(findNonFinite(result(3, { orders: [order, { ...trailing, bestPrice: Number.NaN }] }))?.what).toBe('order 2 bestPrice');
    const trip = { symbol: 'X', side: 'BUY', quantity: 1, entryTime: T0, exitTime: T0 + DAY, entryPrice: 1, exitPrice: 2, pnl: 1, returnPct: 100, bars: 1 } as const;
    expect(findNonFinite(result(3, { roundTrips: [trip, { ...trip, returnPct: Number.POSITIVE_INFINITY }] }))?.what).toBe('round trip 2 returnPct');
    const bad = findNonFinite(result(3, { metrics: { ...METRICS, finalEquity: Number.POSITIVE_INFINITY } }));
    expect(bad).toEqual({ what: 'metric finalEquity', time: null, value: Number.POSITIVE_INFINITY });
    expect(nonFiniteMessage(bad!)).toBe('non-finite metric finalEquity (Infinity): positions, costs or prices overflowed; results not stored');
  });

  it('a non-finite statistic that may be null (CAGR of a blown account is NaN) is stored as null, not refused', () => {
    const r = result(3, { metrics: { ...METRICS, cagr: Number.NaN, sharpe: Number.POSITIVE_INFINITY, winRate: 0.5 } });
    expect(findNonFinite(r)).toBeNull();
    const stored = requireFiniteResult(r);
    expect(stored.metrics).toEqual({ ...METRICS, cagr: null, sharpe: null, winRate: 0.5 });
    expect(r.metrics.cagr).toBeNaN(); // the engine's own object is left alone
    expect(storablePartial(r)?.metrics.sharpe).toBeNull();
  });

  it('requireFiniteResult throws NonFiniteResultError; storablePartial drops such a partial', () => {
    const r = result(2);
    r.equity.drawdown[1] = Number.NaN;
    expect(() => requireFiniteResult(r)).toThrow(NonFiniteResultError);
    expect(() => requireFiniteResult(r)).toThrow(/^non-finite drawdown at 2020-01-02T00:00:00.000Z/);
    expect(storablePartial(r)).toBeUndefined();
    expect(storablePartial(undefined)).toBeUndefined();
    const ok = result(2);
    expect(storablePartial(ok)).toBe(ok);
  });

  it('catches a real overflow: positions in two symbols priced near the largest double', () => {
    // Ten daily bars of X and Y at 100, then 1.5e308 from bar 6 on. The fixture buys 1 unit of each
    // on bar 3 (filled at bar 4's open, 100). By hand, at bar 6: each position is worth 1.5e308
    // (finite), together 3e308 > 1.8e308 = Infinity, so equity is Infinity; bars 0-5 are finite.
    const price = (i: number) => (i >= 6 ? 1.5e308 : 100);
    const rows = Array.from({ length: 10 }, (_, i) => ({ time: T0 + i * DAY, open: price(i), high: price(i), low: price(i), close: price(i) }));
    const series = [barSeriesFromRows('X', rows), barSeriesFromRows('Y', rows)];
    const r = runBacktest({ series, strategy: overflow, params: { buyAt: 3, quantity: 1 }, initialCash: 1e5, periodsPerYear: 252 });
    expect(r.fills.map((f) => [f.symbol, f.quantity, f.price])).toEqual([['X', 1, 100], ['Y', 1, 100]]);
    expect(findNonFinite(r)).toEqual({ what: 'equity', time: T0 + 6 * DAY, value: Number.POSITIVE_INFINITY });
    expect(() => requireFiniteResult(r)).toThrow('non-finite equity at 2020-01-07T00:00:00.000Z (Infinity): positions, costs or prices overflowed');
    // One symbol alone stays finite (1.5e308 + cash), so nothing is found.
    const one = runBacktest({ series: [series[0]!], strategy: overflow, params: { buyAt: 3, quantity: 1 }, initialCash: 1e5, periodsPerYear: 252 });
    expect(findNonFinite(one)).toBeNull();
    // A sweep keeps only metrics: the same overflow fails the combination naming the metric.
    expect(() => storableMetrics(r.metrics)).toThrow('non-finite metric finalEquity (Infinity): positions, costs or prices overflowed; results not stored');
  });

  it('storableMetrics: finite metrics unchanged, a non-finite nullable statistic becomes null', () => {
    expect(storableMetrics(METRICS)).toEqual(METRICS);
    expect(storableMetrics({ ...METRICS, sharpe: Number.NaN, cagr: Number.POSITIVE_INFINITY })).toEqual({ ...METRICS, sharpe: null, cagr: null });
    expect(() => storableMetrics({ ...METRICS, maxDrawdown: Number.NaN })).toThrow(NonFiniteResultError);
  });

  it('catches 1e307 units bought where buying power is not checked (leverage Infinity)', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ time: T0 + i * DAY, open: 100, high: 101, low: 99, close: 100 }));
    const series = [barSeriesFromRows('X', rows)];
    const config = { series, strategy: overflow, params: { buyAt: 3, quantity: 1e307 }, initialCash: 1e5, periodsPerYear: 252 };
    // At leverage 1 the order is refused: nothing overflows.
    expect(runBacktest(config).fills).toHaveLength(0);
    const r = runBacktest({ ...config, account: { type: 'MARGIN', leverage: Number.POSITIVE_INFINITY } });
    // By hand: cash 1e5 - 1e307 × 100 = -Infinity, the position's value +Infinity, their sum NaN.
    expect(r.fills).toHaveLength(1);
    expect(findNonFinite(r)).toEqual({ what: 'equity', time: T0 + 4 * DAY, value: Number.NaN });
  });

  it('the largest values every input range allows give finite results', () => {
    const rows = Array.from({ length: 300 }, (_, i) => {
      const c = 100 + 10 * Math.sin(i / 15);
      return { time: T0 + i * DAY, open: c, high: c + 1, low: c - 1, close: c };
    });
    // quantity 1e12 (the params bound) at ~110 with 1e6 commission per unit costs ~1e18 a fill, far
    // from the 1.8e308 limit; buying power is switched off so that every order fills.
    const r = runBacktest({
      series: [barSeriesFromRows('X', rows)], strategy: smaCrossover, params: { fastPeriod: 5, slowPeriod: 20, quantity: 1e12, entry: 'MARKET', limitOffsetPct: 1 },
      initialCash: 1e12, commission: { perUnit: 1e6, minimumPerOrder: 1e6, percentOfNotional: 10 }, slippage: 1000, periodsPerYear: 1e7,
      account: { type: 'MARGIN', leverage: Number.POSITIVE_INFINITY },
    });
    expect(r.fills.length).toBeGreaterThan(0);
    expect(findNonFinite(r)).toBeNull();
    expect(r.fills.every((f) => f.price > 0)).toBe(true);
    // The account is deep below zero, so CAGR (a power of a negative ratio) is undefined: null once stored.
    expect(r.metrics.finalEquity).toBeLessThan(0);
    expect(requireFiniteResult(r).metrics.cagr).toBeNull();
  });
});

describe('brief', () => {
  it('shows short values whole and cuts long strings, noting their length', () => {
    expect(brief('abc')).toBe('"abc"');
    expect(brief(1e308)).toBe('1e+308');
    expect(brief(null)).toBe('null');
    expect(brief(true)).toBe('true');
    expect(brief(undefined)).toBe('nothing');
    expect(brief([1, 2, 3])).toBe('an array of 3');
    expect(brief({ a: 1 })).toBe('an object');
    const long = 'x'.repeat(10_000_000);
    const shown = brief(long);
    expect(shown).toBe(`"${'x'.repeat(100)}"... (10000000 characters)`);
    expect(brief('y'.repeat(50), 10)).toBe(`"${'y'.repeat(10)}"... (50 characters)`);
  });

  it('does not cut a surrogate pair in half', () => {
    const s = 'a'.repeat(9) + '😀' + 'b'.repeat(20);
    expect(brief(s, 10)).toBe(`"${'a'.repeat(9)}"... (31 characters)`);
  });

  it('briefList names the first ones and counts the rest', () => {
    expect(briefList(['a', 'b'])).toBe('a, b');
    expect(briefList(Array.from({ length: 25 }, (_, i) => `n${i}`), 3)).toBe('n0, n1, n2 and 22 more');
  });
});

describe('fitsJsonBudget', () => {
  it('agrees with JSON.stringify on plain data', () => {
    const values = [{ a: 1, b: 'xyz', c: [1, 2, { d: true }] }, [], {}, 'hello', 12.5, { k: null }];
    for (const v of values) {
      const n = JSON.stringify(v).length;
      expect(fitsJsonBudget(v, n + 2), JSON.stringify(v)).toBe(true);
      expect(fitsJsonBudget(v, Math.max(0, n - 3)), JSON.stringify(v)).toBe(false);
    }
  });

  it('stops early on a huge object and survives deep nesting', () => {
    const huge: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) huge[`k${i}`] = i;
    expect(fitsJsonBudget(huge, 16_384)).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(fitsJsonBudget(deep, 16_384)).toBe(false);
    expect(fitsJsonBudget(new Array(1_000_000).fill(0), 16_384)).toBe(false);
  });
});

describe('number ranges', () => {
  it('formats bounds for people and checks inclusive and exclusive minimums', () => {
    expect(formatBound(1e12)).toBe('1e12');
    expect(formatBound(1000)).toBe('1000');
    expect(formatBound(5_896_800)).toBe('5896800');
    const cash = { min: 0, minExclusive: true, max: 1e12 };
    expect(describeRange(cash)).toBe('> 0 and <= 1e12');
    expect(checkRange(0, cash)).toBe('must be a number > 0 and <= 1e12, got 0');
    expect(checkRange(1e12, cash)).toBeNull();
    expect(checkRange(1e308, cash)).toBe('must be a number > 0 and <= 1e12, got 1e+308');
    const bps = { min: 0, max: 1000 };
    expect(checkRange(0, bps)).toBeNull();
    expect(checkRange(1000, bps)).toBeNull();
    expect(checkRange(20_000, bps)).toBe('must be a number from 0 to 1000, got 20000');
    expect(checkRange(Number.NaN, bps)).toMatch(/got NaN/);
    expect(checkRange('5', bps)).toBe('must be a number from 0 to 1000, got "5"');
    expect(checkRange(2.5, { min: 1, max: 64, integer: true })).toBe('must be an integer from 1 to 64, got 2.5');
  });
});
