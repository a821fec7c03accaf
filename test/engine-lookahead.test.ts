/**
 * No look-ahead by construction (docs/CONVENTIONS.md, "What a strategy can see"): a strategy sees
 * each symbol's bars only up to the latest one shown. Hand-written strategies try to read a future
 * bar every way the API offers, and a perturbation test changes every bar after t and checks that
 * nothing the strategy saw up to t changed.
 */
import { describe, expect, it } from 'vitest';
import { barSeriesFromRows, defineStrategy, runBacktest, type BarHistory, type BarSeries, type StrategyContext } from '../src/engine/index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function bars(symbol: string, closes: readonly number[], every = 1, offset = 0): BarSeries {
  return barSeriesFromRows(
    symbol,
    closes.map((c, i) => ({ time: T0 + (offset + i * every) * DAY, open: c - 0.5, high: c + 1, low: c - 1, close: c, volume: 1000 + i })),
  );
}

const run = (series: BarSeries[], create: (ctx: StrategyContext) => { onBar?: (b: any) => void; onStep?: (s: any) => void; onFill?: (f: any) => void }) =>
  runBacktest({
    series,
    strategy: defineStrategy({ id: 'peek', title: 'Peek', description: 'Tries to look ahead', params: {}, create: (ctx) => create(ctx) as never }),
    params: {},
    initialCash: 100_000,
    periodsPerYear: 252,
  });

const closes = [10, 11, 12, 13, 14, 15];

describe('the strategy context offers no whole arrays', () => {
  it('has no series property; the bar object holds no arrays', () => {
    let seen = false;
    run([bars('X', closes)], (ctx) => {
      expect('series' in ctx).toBe(false);
      return {
        onBar(bar) {
          seen = true;
          const values = Object.values(bar);
          expect(values.some((v) => ArrayBuffer.isView(v) || Array.isArray(v))).toBe(false);
          expect(Object.keys(bar).sort()).toEqual(['index', 'symbolIndex']);
        },
      };
    });
    expect(seen).toBe(true);
  });

  it('history(s) ends at the bar shown: ago(0) is its close, ago(i) the first, ago(i + 1) NaN', () => {
    const log: [number, number, number, number, number][] = [];
    run([bars('X', closes)], (ctx) => ({
      onBar(bar) {
        const h = ctx.history('X');
        log.push([bar.index, h.length, h.close.ago(0), h.close.ago(bar.index), h.close.ago(bar.index + 1)]);
      },
    }));
    expect(log).toEqual(closes.map((c, i) => [i, i + 1, c, 10, NaN]));
  });

  it('ago(-1), a bar in the future, throws and the run fails naming the look-ahead', () => {
    expect(() =>
      run([bars('X', closes)], (ctx) => ({
        onBar(bar) {
          if (bar.index === 2) ctx.history(0).close.ago(-1);
        },
      })),
    ).toThrow(/ago\(-1\): look-ahead refused/);
    expect(() => run([bars('X', closes)], (ctx) => ({ onBar: () => ctx.history(0).high.ago(0.5) }))).toThrow(RangeError);
  });

  it('last(n) is a copy of at most the bars shown, in a buffer of its own', () => {
    const copies: Float64Array[] = [];
    run([bars('X', closes)], (ctx) => ({
      onBar(bar) {
        if (bar.index !== 2) return;
        const h = ctx.history(0);
        const all = h.close.last(1000);
        copies.push(all);
        expect(Array.from(all)).toEqual([10, 11, 12]);
        expect(all.buffer.byteLength).toBe(3 * 8); // not a view of the 6-bar column
        all[0] = 999; // writing the copy changes nothing the engine holds
        expect(h.close.ago(2)).toBe(10);
        const out = new Float64Array(8);
        expect(Array.from(h.open.last(2, out))).toEqual([10.5, 11.5]);
      },
    }));
    expect(copies).toHaveLength(1);
  });

  it('indicators computed a block ahead still answer NaN for a negative ago', () => {
    const seen: number[] = [];
    run([bars('X', closes)], (ctx) => {
      const sma = ctx.indicators.sma(2);
      return {
        onBar(bar) {
          seen.push(sma.ago(bar.symbolIndex, -1), sma.ago(bar.symbolIndex, -2));
        },
      };
    });
    expect(seen.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('during onFill the history still ends at the previous bar (the fill bar is not shown yet)', () => {
    const atFill: number[] = [];
    run([bars('X', closes)], (ctx) => ({
      onBar(bar) {
        if (bar.index === 1) ctx.buy(0, 1);
      },
      onFill() {
        const h = ctx.history(0);
        atFill.push(h.length, h.close.ago(0), h.high.ago(0));
      },
    }));
    // bought at bar 1's close, filled at bar 2's open: history shows bars 0..1
    expect(atFill).toEqual([2, 11, 12]);
  });

  it('a custom indicator is updated with the bounded history, ending at the bar being added', () => {
    const got: [number, number, number][] = [];
    run([bars('X', closes)], (ctx) => {
      ctx.indicators.custom({
        update(_s: number, h: BarHistory) {
          got.push([h.length, h.close.ago(0), h.close.ago(h.length)]);
          expect(() => h.close.ago(-1)).toThrow(/look-ahead/);
        },
      });
      return { onBar() {} };
    });
    expect(got).toEqual(closes.map((c, i) => [i + 1, c, NaN]));
  });
});

describe('perturbing the future changes nothing seen before it', () => {
  /** Everything the API shows, serialised per callback: bar fields, every history field, indicators, position, cash. */
  function record(series: BarSeries[]): string[] {
    const log: string[] = [];
    const dump = (ctx: StrategyContext) =>
      ctx.symbols
        .map((sym) => {
          const h = ctx.history(sym);
          return [h.length, ...(['time', 'open', 'high', 'low', 'close', 'volume'] as const).map((f) => Array.from(h[f].last(h.length)).join(','))].join('|');
        })
        .join(';');
    run(series, (ctx) => {
      const sma = ctx.indicators.sma(3);
      const rsi = ctx.indicators.rsi(2);
      return {
        onBar(bar) {
          log.push(`bar ${bar.symbol} ${bar.index} ${bar.time} ${bar.open} ${bar.high} ${bar.low} ${bar.close} ${bar.volume} ` +
            `sma ${sma.value(bar.symbolIndex)} ${sma.ago(bar.symbolIndex, 1)} rsi ${rsi.value(bar.symbolIndex)} ${dump(ctx)} pos ${ctx.position(bar.symbol)} cash ${ctx.cash} eq ${ctx.equity}`);
          // trade a little so fills and cash are part of what is compared
          if (bar.index % 3 === 0) ctx.buy(bar.symbolIndex, 1);
          if (bar.index % 3 === 2 && ctx.position(bar.symbolIndex) > 0) ctx.sell(bar.symbolIndex, ctx.position(bar.symbolIndex));
        },
        onStep(step) {
          log.push(`step ${step.index} ${step.time} ${step.count} ${dump(ctx)} eq ${ctx.equity}`);
        },
      };
    });
    return log;
  }

  /** Two symbols on different calendars; `from` on, every price of both is replaced. */
  function data(from: number | null): BarSeries[] {
    const a = Array.from({ length: 30 }, (_, i) => 100 + 5 * Math.sin(i / 3));
    const b = Array.from({ length: 15 }, (_, i) => 50 + 3 * Math.cos(i / 2));
    const t = (i: number, every: number) => i * every;
    const change = (xs: number[], every: number) => xs.map((c, i) => (from !== null && t(i, every) >= from ? c * 1.7 + 13 : c));
    return [bars('A', change(a, 1), 1), bars('B', change(b, 2), 2, 1)];
  }

  it('the log up to day 17 is identical when every bar from day 18 on is different', () => {
    const base = record(data(null));
    const changed = record(data(18));
    // Steps are days 0..29 (A daily, B on odd days); the first callback that may see day 18 is A's bar 18.
    const upTo = base.findIndex((line) => line.startsWith('bar A 18 '));
    expect(upTo).toBeGreaterThan(20);
    expect(changed.slice(0, upTo)).toEqual(base.slice(0, upTo));
    // ...and the change is visible from then on, so the comparison could have failed
    expect(changed.slice(upTo)).not.toEqual(base.slice(upTo));
  });
});
