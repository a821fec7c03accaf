/**
 * How a run keeps its records (docs/CONVENTIONS.md, "Records"): finished orders archived as columns,
 * fills and round trips as columns, cash as the steps where it changed, drawdown computed on read.
 * Each is checked against a second, differently kept copy: what a listener saw (its own copies of
 * every order change and fill), cash re-added from those fills in the broker's order, drawdown and
 * its maximum by a plain loop, the stored cash runs against the codec's own run finder.
 */
import { describe, expect, it } from 'vitest';
import { encodeEquity } from '../src/data/equity-codec.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { Backtest, defineStrategy, type Fill, type Order } from '../src/engine/index.js';
import { RunEquityCurve } from '../src/engine/run-equity-curve.js';
import type { EquityCurve } from '../src/engine/results.js';

const CASH = 100_000;
const BARS = 20_000;

/**
 * Random but reproducible trading: market buys and sells (long and short), DAY limits that expire,
 * GTC stops that get cancelled, brackets, and now and then an order a JavaScript strategy might
 * send (a quantity that is a string, a symbol the run lacks), which is rejected and must come back as sent.
 */
const busy = defineStrategy({
  id: 'busy',
  title: 'Busy',
  description: 'test',
  params: {},
  create(ctx) {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const seen: number[] = [];
    return {
      onBar(bar) {
        const u = rand();
        if (u < 0.04) seen.push(ctx.buy(0, 1 + Math.floor(rand() * 3)).id);
        else if (u < 0.08) seen.push(ctx.sell(0, 1 + Math.floor(rand() * 3)).id);
        else if (u < 0.1) seen.push(ctx.submit({ type: 'LIMIT', symbol: 0, side: 'BUY', quantity: 1, limitPrice: bar.close * 0.999, timeInForce: 'DAY', tag: 'dip' }).id);
        else if (u < 0.12) {
          const stop = ctx.submit({ type: 'STOP', symbol: 0, side: 'SELL', quantity: 1, stopPrice: bar.close * 0.99, ocoGroup: `g${bar.time}` });
          seen.push(stop.id);
          if (rand() < 0.5) ctx.cancel(stop.id);
        } else if (u < 0.13) {
          const b = ctx.bracket({ symbol: 0, side: 'BUY', quantity: 2, takeProfit: bar.close * 1.002, stopLoss: bar.close * 0.998 });
          seen.push(b.entry.id);
        } else if (u < 0.132) {
          seen.push(ctx.submit({ type: 'MARKET', symbol: 0, side: 'BUY', quantity: '3' as unknown as number }).id);
        } else if (u < 0.134) {
          // A symbol the run does not have: rejected, archived with the name it was sent with.
          seen.push(ctx.submit({ type: 'MARKET', symbol: 'ZZZ', side: 'BUY', quantity: 1 }).id);
        }
        // Look finished orders up again: a snapshot, equal to what the order was when it finished.
        if (seen.length > 50 && u > 0.99) {
          const id = seen[Math.floor(rand() * (seen.length - 20))]!;
          const o = ctx.order(id);
          if (o === undefined || o.id !== id) throw new Error(`order ${id} lost`);
        }
      },
    };
  },
});

function run() {
  const bars = generateSyntheticBars({ symbol: 'AAA', bars: BARS, period: 'MINUTE', seed: 3 });
  const lastSeen = new Map<number, Order>();
  const fills: Fill[] = [];
  const bt = new Backtest({
    series: [bars],
    strategy: busy,
    params: {},
    initialCash: CASH,
    commission: { perUnit: 0.01, minimumPerOrder: 1, percentOfNotional: 0 },
    periodsPerYear: 252 * 390,
    account: { type: 'MARGIN', leverage: 4 },
    listener: {
      onOrder: (o) => void lastSeen.set(o.id, { ...o }),
      onFill: (f) => void fills.push({ ...f }),
    },
  });
  bt.advance();
  return { bt, result: bt.result(), lastSeen, fills };
}

describe('records kept as columns', () => {
  const { bt, result, lastSeen, fills } = run();

  it('trades enough to mean something: every kind of ending, and malformed orders', () => {
    const statuses = new Set(result.orders.map((o) => o.status));
    for (const s of ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'PENDING']) expect(statuses, s).toContain(s);
    expect(result.fills.length).toBeGreaterThan(500);
    expect(result.roundTrips.length).toBeGreaterThan(200);
    expect(result.orders.some((o) => typeof o.quantity === 'string')).toBe(true);
  });

  it('orders: every one as the listener last saw it, archived or live, the malformed one as sent', () => {
    expect(result.orders.length).toBe(lastSeen.size);
    result.orders.forEach((o, k) => expect(o, `order ${k + 1}`).toEqual(lastSeen.get(k + 1)));
    const odd = result.orders.find((o) => typeof o.quantity === 'string')!;
    expect(odd).toMatchObject({ quantity: '3', status: 'REJECTED' });
    // A finished order read back through the broker is a snapshot; a working one is the live object.
    const done = result.orders.find((o) => o.status === 'FILLED')!;
    expect(bt.broker.order(done.id)).toEqual(done);
    expect(bt.broker.order(done.id)).not.toBe(bt.broker.order(done.id));
    // Every finished order that can be a row was archived (a snapshot each read), whenever it finished.
    const finished = result.orders.filter((o) => o.status !== 'PENDING' && o.status !== 'PARTIALLY_FILLED' && typeof o.quantity === 'number');
    expect(finished.length).toBeGreaterThan(1000);
    for (const o of finished) expect(bt.broker.order(o.id), `order ${o.id}`).not.toBe(bt.broker.order(o.id));
    const pending = result.orders.find((o) => o.status === 'PENDING')!;
    expect(bt.broker.order(pending.id)).toBe(bt.broker.order(pending.id));
    expect(bt.broker.order(0)).toBeUndefined();
    expect(bt.broker.order(result.orders.length + 1)).toBeUndefined();
    expect(bt.broker.order(1.5)).toBeUndefined();
  });

  it('fills: the same as the listener got, in order', () => {
    expect(result.fills).toEqual(fills);
    expect(result.fills).toBe(result.fills); // made once
  });

  it('cash: the changes give the column that re-adding the fills in order gives', () => {
    const curve = result.equity;
    expect(curve).toBeInstanceOf(RunEquityCurve);
    const want = new Float64Array(curve.length);
    let cash = CASH;
    let f = 0;
    for (let k = 0; k < curve.length; k++) {
      for (; f < fills.length && fills[f]!.barIndex === k; f++) {
        const x = fills[f]!;
        cash -= (x.side === 'BUY' ? x.quantity : -x.quantity) * x.price + x.commission;
      }
      want[k] = cash;
    }
    expect(f).toBe(fills.length);
    expect(Array.from(curve.cash)).toEqual(Array.from(want));
    for (const k of [0, 1, 777, curve.length - 1]) expect((curve as RunEquityCurve).cashAt(k)).toBe(want[k]);
  });

  it('drawdown and its maximum: a plain loop over the equity, bit for bit', () => {
    const curve = result.equity;
    let peak = -Infinity;
    let max = 0;
    for (let k = 0; k < curve.length; k++) {
      peak = Math.max(peak, curve.equity[k]!);
      const dd = 1 - curve.equity[k]! / peak;
      expect(curve.drawdown[k]).toBe(dd);
      if (dd > max) max = dd;
    }
    expect(max).toBeGreaterThan(0);
    expect(result.metrics.maxDrawdown).toBe(max);
  });

  it('stores the same cash runs as the codec finds in the written column', () => {
    const curve = result.equity;
    const plain: EquityCurve = { length: curve.length, time: curve.time, equity: curve.equity, cash: Float64Array.from(curve.cash), drawdown: curve.drawdown };
    expect(Buffer.from(encodeEquity(curve).cash)).toEqual(Buffer.from(encodeEquity(plain).cash));
    expect(encodeEquity(curve).cash.byteLength).toBeLessThan(curve.length * 8);
  });
});

describe('ctx.orderStatus', () => {
  it('is the status of ctx.order, for live, archived and unknown ids, without a snapshot', () => {
    const checked: number[] = [];
    const probe = defineStrategy({
      id: 'probe',
      title: 'Probe',
      description: 'test',
      params: {},
      create(ctx) {
        const ids: number[] = [];
        return {
          onBar(bar) {
            if (bar.close > 0) ids.push(ctx.buy(0, 1).id, ctx.submit({ type: 'LIMIT', symbol: 0, side: 'SELL', quantity: 1, limitPrice: bar.close * 10 }).id);
            for (const id of [...ids.slice(-6), ids[ids.length >> 1] ?? 0, 0, -1, 1.5, ids.length + 1]) {
              if (ctx.orderStatus(id) !== ctx.order(id)?.status) throw new Error(`order ${id}: ${ctx.orderStatus(id)} vs ${ctx.order(id)?.status}`);
              checked.push(id);
            }
          },
        };
      },
    });
    const bars = generateSyntheticBars({ symbol: 'AAA', bars: 5_000, period: 'MINUTE', seed: 4 });
    const r = new Backtest({ series: [bars], strategy: probe, params: {}, initialCash: 1e9, periodsPerYear: 252 * 390 });
    r.advance();
    const statuses = new Set(r.result().orders.map((o) => o.status));
    expect([...statuses].sort()).toEqual(['FILLED', 'PENDING']);
    expect(checked.length).toBeGreaterThan(5_000 * 9);
  });
});
