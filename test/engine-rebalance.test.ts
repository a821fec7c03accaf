/**
 * The built-in `rebalance` on the synthetic daily portfolio of the demo data (docs/CONVENTIONS.md,
 * "`rebalance`", "Portfolio strategies"), against an independent calculation written here: a plain
 * day-by-day simulation of the documented rule (targets from the step's equity and closes, market
 * orders filled at the next open, sales before purchases, purchases cut to the cash). Checked: every
 * fill, the equity and cash at every step, each position within one lot of its target after every
 * rebalance, and the cash never below zero in a CASH account.
 */
import { describe, expect, it } from 'vitest';
import { portfolioDemoSeries } from '../src/data/demo.js';
import { rebalance, runBacktest, validateStrategyParams, type AccountSettings, type BarSeries } from '../src/engine/index.js';

const DAY = 86_400_000;
const COMMISSION = { perUnit: 0.005, minimumPerOrder: 1, percentOfNotional: 0 };
const fee = (q: number) => Math.max(1, 0.005 * q);

type Frequency = 'MONTHLY' | 'WEEKLY' | 'DAILY' | 'DRIFT';

interface Case {
  name: string;
  symbols: string[];
  weights: number[];
  frequency: Frequency;
  driftPct: number;
  cashBufferPct: number;
  lotSize: number;
  account: AccountSettings;
}

interface Expected {
  fills: { step: number; symbol: string; side: 'BUY' | 'SELL'; quantity: number; price: number }[];
  equity: number[];
  cash: number[];
  /** Per rebalance: the step it was decided at, the targets, the equity and closes used, the positions once filled. */
  rebalances: { step: number; targets: number[]; equity: number; closes: number[]; after: number[] }[];
}

/** The independent calculation: the documented rule, one plain loop over days (all symbols share the calendar). */
function independent(series: BarSeries[], c: Case, initialCash: number): Expected {
  const n = series[0]!.length;
  for (const s of series) expect(Array.from(s.time)).toEqual(Array.from(series[0]!.time));
  const m = series.length;
  const pos = new Array<number>(m).fill(0);
  let cash = initialCash;
  let orders: number[] | null = null; // signed quantities to trade at the next open
  const out: Expected = { fills: [], equity: [], cash: [], rebalances: [] };
  let prevTime = NaN;
  let last: Expected['rebalances'][number] | null = null;
  for (let k = 0; k < n; k++) {
    const open = series.map((s) => s.open[k]!);
    const close = series.map((s) => s.close[k]!);
    if (orders !== null) {
      const todo = orders;
      orders = null;
      // sales first, then purchases (each purchase limited to what the cash pays, commission included)
      for (const selling of [true, false]) {
        for (let s = 0; s < m; s++) {
          const d = todo[s]!;
          if (d === 0 || d < 0 !== selling) continue;
          let qty = Math.abs(d);
          if (!selling && c.account.type === 'CASH' && cash - qty * open[s]! - fee(qty) < 0) qty = Math.floor((cash - fee(qty)) / open[s]!);
          if (qty <= 0) continue;
          cash += (selling ? 1 : -1) * qty * open[s]! - fee(qty);
          pos[s]! += selling ? -qty : qty;
          out.fills.push({ step: k, symbol: series[s]!.symbol, side: selling ? 'SELL' : 'BUY', quantity: qty, price: open[s]! });
        }
      }
      if (last !== null) last.after = [...pos];
    }
    const equity = cash + pos.reduce((a, q, s) => a + q * close[s]!, 0);
    out.equity.push(equity);
    out.cash.push(cash);
    // when to rebalance
    const t = series[0]!.time[k]!;
    const d = new Date(t);
    const monday = (x: number) => x - ((new Date(x).getUTCDay() + 6) % 7) * DAY;
    let due: boolean;
    if (c.frequency === 'DAILY') due = true;
    else if (c.frequency === 'MONTHLY') due = k === 0 || d.getUTCMonth() !== new Date(prevTime).getUTCMonth() || d.getUTCFullYear() !== new Date(prevTime).getUTCFullYear();
    else if (c.frequency === 'WEEKLY') due = k === 0 || monday(t) !== monday(prevTime);
    else due = k === 0 || c.weights.some((w, s) => Math.abs((pos[s]! * close[s]!) / equity - w) * 100 > c.driftPct);
    prevTime = t;
    if (!due) continue;
    const targets = c.weights.map((w, s) => Math.floor((w * equity * (1 - c.cashBufferPct / 100)) / close[s]! / c.lotSize + 1e-9) * c.lotSize);
    orders = targets.map((target, s) => target - pos[s]!);
    last = { step: k, targets, equity, closes: close, after: [...pos] };
    out.rebalances.push(last);
  }
  return out;
}

function engineRun(series: BarSeries[], c: Case, initialCash: number) {
  const params: Record<string, unknown> = { frequency: c.frequency, driftPct: c.driftPct, cashBufferPct: c.cashBufferPct, lotSize: c.lotSize };
  c.weights.forEach((w, s) => (params[`weight${s + 1}`] = w));
  for (let s = c.weights.length; s < 2; s++) params[`weight${s + 1}`] = 0;
  const v = validateStrategyParams(rebalance, params);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return runBacktest({ series, strategy: rebalance, params: v.values, initialCash, commission: COMMISSION, periodsPerYear: 252, account: c.account });
}

const CASH: AccountSettings = { type: 'CASH', leverage: 1 };
const CASES: Case[] = [
  { name: 'the 60/40 default, monthly, CASH account', symbols: ['EQUITY', 'BONDS'], weights: [0.6, 0.4], frequency: 'MONTHLY', driftPct: 5, cashBufferPct: 1, lotSize: 1, account: CASH },
  { name: 'three symbols weekly in lots of 10, CASH account', symbols: ['EQUITY', 'BONDS', 'GOLD'], weights: [0.5, 0.3, 0.2], frequency: 'WEEKLY', driftPct: 5, cashBufferPct: 0.5, lotSize: 10, account: CASH },
  { name: 'three symbols on a 3-point drift, default MARGIN account', symbols: ['EQUITY', 'BONDS', 'GOLD'], weights: [0.3, 0.3, 0.4], frequency: 'DRIFT', driftPct: 3, cashBufferPct: 1, lotSize: 1, account: { type: 'MARGIN', leverage: 1 } },
];

describe('rebalance on the synthetic daily portfolio (demo data)', () => {
  const all = portfolioDemoSeries();

  for (const c of CASES) {
    describe(c.name, () => {
      const series = c.symbols.map((sym) => all.find((s) => s.symbol === sym)!);
      const initialCash = 1_000_000;
      const r = engineRun(series, c, initialCash);
      const want = independent(series, c, initialCash);

      it('rebalances, so the comparison means something', () => {
        expect(want.rebalances.length).toBeGreaterThan(c.frequency === 'DRIFT' ? 3 : 100);
        expect(r.fills.length).toBe(want.fills.length);
        expect(r.orders.every((o) => o.status === 'FILLED' || (o.status === 'PENDING' && o.time === series[0]!.time[series[0]!.length - 1]))).toBe(true);
      });

      it('makes the same fills as the independent calculation', () => {
        const key = (f: { step: number; symbol: string }) => `${String(f.step).padStart(5, '0')} ${f.symbol}`;
        const got = r.fills.map((f) => ({ step: f.barIndex, symbol: f.symbol, side: f.side, quantity: f.quantity, price: f.price }));
        got.sort((a, b) => (key(a) < key(b) ? -1 : 1));
        const expected = [...want.fills].sort((a, b) => (key(a) < key(b) ? -1 : 1));
        expect(got).toEqual(expected);
      });

      it('has the same equity and cash at every step', () => {
        expect(r.equity.length).toBe(want.equity.length);
        for (let k = 0; k < want.equity.length; k++) {
          expect(Math.abs(r.equity.equity[k]! - want.equity[k]!), `equity[${k}]`).toBeLessThanOrEqual(1e-9 * want.equity[k]!);
          expect(Math.abs(r.equity.cash[k]! - want.cash[k]!), `cash[${k}]`).toBeLessThanOrEqual(1e-9 * want.equity[k]!);
        }
      });

      it('after every rebalance each position is within one lot of its target (weights within one lot)', () => {
        for (const rb of want.rebalances.slice(0, -1)) {
          rb.after.forEach((q, s) => {
            expect(Math.abs(q - rb.targets[s]!), `step ${rb.step} ${c.symbols[s]}`).toBeLessThanOrEqual(c.lotSize);
            // as a weight at the decision's prices: within one lot's value of weight × (1 - buffer)
            const weight = (q * rb.closes[s]!) / rb.equity;
            const lotWeight = (c.lotSize * rb.closes[s]!) / rb.equity;
            expect(Math.abs(weight - c.weights[s]! * (1 - c.cashBufferPct / 100)), `step ${rb.step} ${c.symbols[s]} weight`).toBeLessThanOrEqual(lotWeight);
          });
        }
      });

      if (c.account.type === 'CASH') {
        it('never lets the cash fall below zero, at any fill or step', () => {
          let cash = initialCash;
          for (const f of r.fills) {
            cash += (f.side === 'SELL' ? 1 : -1) * f.quantity * f.price - f.commission;
            expect(cash, `after fill ${f.id}`).toBeGreaterThanOrEqual(0);
          }
          expect(Math.min(...r.equity.cash)).toBeGreaterThanOrEqual(0);
          expect(r.orders.some((o) => o.reason !== null && o.status !== 'FILLED')).toBe(false);
        });
      }
    });
  }

  it('refuses weights that add up to more than 1', () => {
    const v = validateStrategyParams(rebalance, { weight1: 0.7, weight2: 0.4 });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors[0]).toEqual({ field: 'params.weight1', message: 'the weights add up to 1.1; at most 1' });
  });
});
