/**
 * Analytics of the SPX reference run (sma-crossover 50/200 on the S&P 500 daily bars, the input of
 * test/fixtures/reference/sma-crossover-spx-market.json), each figure against a second
 * implementation written here in a different style: naive loops, sorting instead of selection,
 * textbook one-pass sums instead of centred two-pass ones, Map grouping instead of a period walk.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest, smaCrossover } from '../src/engine/index.js';
import { RunAnalytics } from '../src/analytics/run-analytics.js';
import { thinSeries } from '../src/analytics/rolling-sharpe.js';
import { runReferenceBacktest } from './support/reference-run.js';

const { ref, bars, params, result } = runReferenceBacktest();
const { equity: E, time: T, cash: C, drawdown: DD } = result.equity;
const N = result.equity.length;
const I = ref.input.initialCash;
const A = 252;
const metrics = result.metrics;

const analytics = (riskFreeRate = 0) =>
  new RunAnalytics({
    curve: result.equity,
    initialCash: I,
    periodsPerYear: A,
    riskFreeRate,
    roundTrips: () => result.roundTrips,
    fills: () => result.fills,
    bars: () => [bars],
    benchmark: { dataset: 'demo', symbol: 'SPX', bars: () => bars },
  });
const a = analytics();

/** |actual - expected| <= tol × max(1, |expected|). */
function near(actual: number | null | undefined, expected: number, tol = 1e-9) {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

// The naive return series, as an ordinary array.
const returns: number[] = [];
for (let t = 1; t < N; t++) returns.push(E[t] / E[t - 1] - 1);
const sortedReturns = [...returns].sort((x, y) => x - y);
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('SPX reference run: calendar returns', () => {
  it('monthly returns: grouped by YYYY-MM with a Map; they compound to totalReturn (1e-9)', () => {
    const lastOfMonth = new Map<string, number>();
    for (let t = 0; t < N; t++) lastOfMonth.set(new Date(T[t]).toISOString().slice(0, 7), E[t]);
    const naive: { key: string; ret: number }[] = [];
    let prev = I;
    for (const [key, last] of lastOfMonth) {
      naive.push({ key, ret: last / prev - 1 });
      prev = last;
    }
    const got = a.monthlyReturns;
    expect(got.map((m) => `${m.year}-${String(m.month).padStart(2, '0')}`)).toEqual(naive.map((m) => m.key));
    got.forEach((m, i) => near(m.return, naive[i].ret, 1e-12));
    // 2000-01-03 .. 2020-04-17: January 2000 and April 2020 are partial, nothing else.
    expect(got.filter((m) => m.partial).map((m) => `${m.year}-${m.month}`)).toEqual(['2000-1', '2020-4']);
    near(got.reduce((g, m) => g * (1 + m.return), 1) - 1, metrics.totalReturn, 1e-9);
  });

  it('yearly returns compound to totalReturn too', () => {
    const byYear = new Map<number, number>();
    for (let t = 0; t < N; t++) byYear.set(new Date(T[t]).getUTCFullYear(), E[t]);
    const years = [...byYear.keys()];
    const got = a.yearlyReturns;
    expect(got.map((y) => y.year)).toEqual(years);
    got.forEach((y, i) => near(y.return, byYear.get(years[i])! / (i === 0 ? I : byYear.get(years[i - 1])!) - 1, 1e-12));
    near(got.reduce((g, y) => g * (1 + y.return), 1) - 1, metrics.totalReturn, 1e-9);
  });
});

describe('SPX reference run: drawdown episodes', () => {
  // Naive: maximal runs of points with drawdown > 0 in the engine's own drawdown column.
  const naive: { peak: number; trough: number; recovery: number | null; depth: number }[] = [];
  for (let t = 1; t < N; t++) {
    if (DD[t] > 0 && DD[t - 1] === 0) {
      let end = t;
      let trough = t;
      while (end < N && DD[end] > 0) {
        if (DD[end] > DD[trough]) trough = end;
        end++;
      }
      naive.push({ peak: t - 1, trough, recovery: end < N ? end : null, depth: DD[trough] });
    }
  }
  naive.sort((x, y) => y.depth - x.depth || x.peak - y.peak);

  it('episode 1 is maxDrawdown, at the dates of the deepest point', () => {
    const [first] = a.drawdowns(1);
    expect(first.depth).toBe(metrics.maxDrawdown);
    let deepest = 0;
    for (let t = 0; t < N; t++) if (DD[t] > DD[deepest]) deepest = t;
    expect(first.troughTime).toBe(T[deepest]);
    let peak = 0;
    for (let t = 0; t <= deepest; t++) if (E[t] >= E[peak]) peak = t;
    expect(first.peakTime).toBe(T[peak]);
    const recovery = (() => {
      for (let t = deepest; t < N; t++) if (E[t] >= E[peak]) return t;
      return null;
    })();
    expect(first.recoveryTime).toBe(recovery === null ? null : T[recovery]);
  });

  it('every episode equals the naive runs of the drawdown column; the longest is maxDrawdownDuration', () => {
    const all = a.drawdowns(100_000);
    expect(all.length).toBe(naive.length);
    all.forEach((e, i) => {
      const n = naive[i];
      expect([e.peakTime, e.troughTime, e.recoveryTime]).toEqual([T[n.peak], T[n.trough], n.recovery === null ? null : T[n.recovery]]);
      near(e.depth, n.depth, 1e-15);
      expect(e.lengthBars).toBe((n.recovery ?? N) - n.peak - 1);
      expect(e.recoveryBars).toBe(n.recovery === null ? null : n.recovery - n.trough);
    });
    expect(Math.max(...all.map((e) => e.lengthBars))).toBe(metrics.maxDrawdownDuration);
  });
});

describe('SPX reference run: return statistics', () => {
  it('rolling Sharpe equals a per-window recomputation (windows 63 and 252)', () => {
    for (const w of [63, 252]) {
      const got = a.rollingSharpe(w);
      expect(got.time.length).toBe(returns.length - w + 1);
      for (let k = 0; k + w <= returns.length; k++) {
        const win = returns.slice(k, k + w);
        const m = avg(win);
        const sd = Math.sqrt(win.reduce((s, x) => s + (x - m) ** 2, 0) / (w - 1));
        expect(got.time[k]).toBe(T[k + w]);
        if (win.every((x) => x === win[0])) expect(got.value[k]).toBeNaN();
        else near(got.value[k], (m / sd) * Math.sqrt(A), 1e-9);
      }
    }
  });

  it('maxPoints keeps every k-th value counted back from the latest (as thinSeries defines it)', () => {
    const full = a.rollingSharpe(63);
    for (const maxPoints of [2, 100, 999, 5000]) {
      const thin = a.rollingSharpe(63, maxPoints);
      expect(thin.time.length).toBeLessThanOrEqual(maxPoints);
      expect(thin).toEqual(thinSeries(full, maxPoints));
      expect(thin.time[thin.time.length - 1]).toBe(full.time[full.time.length - 1]);
    }
  });

  it('histogram counts equal counting each bin by its edges', () => {
    const bins = 25;
    const got = a.histogram(bins);
    const lo = sortedReturns[0];
    const hi = sortedReturns[sortedReturns.length - 1];
    const w = (hi - lo) / bins;
    expect(got.reduce((s, b) => s + b.count, 0)).toBe(returns.length);
    got.forEach((b, i) => {
      const count = returns.filter((x) => (i === bins - 1 ? x >= lo + i * w : x >= lo + i * w && x < lo + (i + 1) * w)).length;
      expect(b.count).toBe(count);
    });
  });

  it('VaR, ES and tail ratio from the fully sorted returns', () => {
    const n = returns.length;
    const k = Math.ceil(0.05 * n - 1e-9);
    const t = a.tail;
    expect(t.valueAtRisk).toBe(-sortedReturns[k - 1]);
    near(t.expectedShortfall, -avg(sortedReturns.slice(0, k)), 1e-12);
    const q = (p: number) => {
      const h = (n - 1) * p;
      return sortedReturns[Math.floor(h)] + (h - Math.floor(h)) * (sortedReturns[Math.ceil(h)] - sortedReturns[Math.floor(h)]);
    };
    near(t.tailRatio, Math.abs(q(0.95)) / Math.abs(q(0.05)), 1e-12);
    expect(t.expectedShortfall).toBeGreaterThanOrEqual(t.valueAtRisk);
  });

  it('skew and kurtosis by the Excel SKEW/KURT formulas (sample stdev)', () => {
    const n = returns.length;
    const m = avg(returns);
    const s = Math.sqrt(returns.reduce((acc, x) => acc + (x - m) ** 2, 0) / (n - 1));
    const z3 = returns.reduce((acc, x) => acc + ((x - m) / s) ** 3, 0);
    const z4 = returns.reduce((acc, x) => acc + ((x - m) / s) ** 4, 0);
    near(a.moments.skew, (n / ((n - 1) * (n - 2))) * z3, 1e-9);
    near(a.moments.kurtosis, ((n * (n + 1)) / ((n - 1) * (n - 2) * (n - 3))) * z4 - (3 * (n - 1) ** 2) / ((n - 2) * (n - 3)), 1e-9);
  });

  it('omega and calmar', () => {
    const gains = returns.filter((x) => x > 0).reduce((s, x) => s + x, 0);
    const losses = -returns.filter((x) => x < 0).reduce((s, x) => s + x, 0);
    near(a.omega, gains / losses, 1e-12);
    near(a.calmar, metrics.cagr! / metrics.maxDrawdown, 1e-9);
  });

  it('stability by the one-pass normal equations', () => {
    const x = Array.from(T, (t) => (t - T[0]) / (365.25 * 86_400_000));
    const y = Array.from(E, (e) => Math.log(e));
    const n = N;
    const sx = x.reduce((s, v) => s + v, 0);
    const sy = y.reduce((s, v) => s + v, 0);
    const sxx = x.reduce((s, v) => s + v * v, 0);
    const syy = y.reduce((s, v) => s + v * v, 0);
    const sxy = x.reduce((s, v, i) => s + v * y[i], 0);
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    near(a.stability.slope, slope, 1e-9);
    near(a.stability.rSquared, r * r, 1e-9);
  });

  it('with a risk-free rate, Sharpe uses excess returns; with 0 it is the engine metric', () => {
    const withRf = analytics(0.02);
    const rfp = Math.pow(1.02, 1 / A) - 1;
    const m = avg(returns);
    const sd = Math.sqrt(returns.reduce((s, x) => s + (x - m) ** 2, 0) / (returns.length - 1));
    const win = returns.slice(0, 252);
    const wm = avg(win);
    const wsd = Math.sqrt(win.reduce((s, x) => s + (x - wm) ** 2, 0) / 251);
    if (wsd > 0) near(withRf.rollingSharpe(252).value[0], ((wm - rfp) / wsd) * Math.sqrt(A), 1e-9);
    near((m / sd) * Math.sqrt(A), metrics.sharpe!, 1e-9);
  });
});

describe('SPX reference run: the risk-free rate in the engine metrics', () => {
  it('sharpe and sortino of a run with riskFreeRate 0.02 use excess returns (naive loops)', () => {
    const withRf = runBacktest({
      series: [bars], strategy: smaCrossover, params, initialCash: I, commission: ref.input.commission,
      slippage: ref.input.slippageBps, periodsPerYear: A, riskFreeRate: 0.02,
    }).metrics;
    const rfp = Math.pow(1.02, 1 / A) - 1; // compounds to 2 % over 252 days
    const m = avg(returns);
    const sd = Math.sqrt(returns.reduce((s, x) => s + (x - m) ** 2, 0) / (returns.length - 1));
    const down = Math.sqrt(returns.reduce((s, x) => s + Math.min(x - rfp, 0) ** 2, 0) / returns.length);
    near(withRf.sharpe, ((m - rfp) / sd) * Math.sqrt(A), 1e-9);
    near(withRf.sortino, ((m - rfp) / down) * Math.sqrt(A), 1e-9);
    expect({ ...withRf, sharpe: 0, sortino: 0 }).toEqual({ ...metrics, sharpe: 0, sortino: 0 });
  });
});

describe('SPX reference run: leverage, turnover, trades', () => {
  it('leverage: position from the fills × the close of the bar, over equity, at every point', () => {
    let sum = 0;
    let max = 0;
    let position = 0;
    let next = 0;
    for (let t = 0; t < N; t++) {
      while (next < result.fills.length && result.fills[next].time <= T[t]) {
        const f = result.fills[next++];
        position += f.side === 'BUY' ? f.quantity : -f.quantity;
      }
      expect(bars.time[t]).toBe(T[t]);
      const lev = (Math.abs(position) * bars.close[t]) / E[t];
      sum += lev;
      max = Math.max(max, lev);
      near(lev, (E[t] - C[t]) / E[t], 1e-12); // long only: the same as (equity - cash) / equity
    }
    near(a.exposure.averageLeverage, sum / N, 1e-9);
    near(a.exposure.maxLeverage, max, 1e-9);
  });

  it('turnover: traded notional / mean equity / years', () => {
    const traded = result.fills.reduce((s, f) => s + f.quantity * f.price, 0);
    const meanEquity = Array.from(E).reduce((s, e) => s + e, 0) / N;
    near(a.exposure.turnover, traded / meanEquity / ((T[N - 1] - T[0]) / 86_400_000 / 365.25), 1e-9);
  });

  it('trade statistics with filter and reduce', () => {
    const trips = result.roundTrips;
    const pnl = trips.map((t) => t.pnl);
    const ret = trips.map((t) => t.returnPct / 100);
    const wins = trips.filter((t) => t.pnl > 0);
    const losses = trips.filter((t) => t.pnl < 0);
    const s = a.trades;
    expect(s.trades).toBe(ref.metrics.trades);
    near(s.averagePnl, avg(pnl));
    expect([s.bestPnl, s.worstPnl]).toEqual([Math.max(...pnl), Math.min(...pnl)]);
    near(s.averageReturn, avg(ret));
    near(s.bestReturn, Math.max(...ret), 1e-12);
    near(s.worstReturn, Math.min(...ret), 1e-12);
    near(s.averageWin, avg(wins.map((t) => t.pnl)));
    near(s.averageLoss, avg(losses.map((t) => t.pnl)));
    near(s.expectancy, avg(pnl));
    const m = avg(pnl);
    const sd = Math.sqrt(pnl.reduce((acc, x) => acc + (x - m) ** 2, 0) / (pnl.length - 1));
    near(s.sqn, (Math.sqrt(Math.min(pnl.length, 100)) * m) / sd);
    near(s.averageBarsWinners, avg(wins.map((t) => t.bars)));
    near(s.averageBarsLosers, avg(losses.map((t) => t.bars)));
    const streak = (sign: number) => {
      let best = 0;
      let run = 0;
      for (const p of pnl) {
        run = Math.sign(p) === sign ? run + 1 : 0;
        best = Math.max(best, run);
      }
      return best;
    };
    expect([s.longestWinStreak, s.longestLossStreak]).toEqual([streak(1), streak(-1)]);
  });

  it('MAE and MFE by scanning the bars of each trip', () => {
    const got = a.excursions;
    expect(got).toHaveLength(result.roundTrips.length);
    result.roundTrips.forEach((t, k) => {
      const e = Array.from(bars.time).indexOf(t.entryTime);
      const x = Array.from(bars.time).indexOf(t.exitTime);
      expect(x - e).toBe(t.bars);
      let lo = Math.min(t.entryPrice, t.exitPrice);
      let hi = Math.max(t.entryPrice, t.exitPrice);
      for (let i = e; i < x; i++) {
        lo = Math.min(lo, bars.low[i]);
        hi = Math.max(hi, bars.high[i]);
      }
      expect(got[k]).toEqual({ mae: t.entryPrice - lo, mfe: hi - t.entryPrice, maeReturn: (t.entryPrice - lo) / t.entryPrice, mfeReturn: (hi - t.entryPrice) / t.entryPrice });
    });
  });
});

describe('SPX reference run against SPX buy-and-hold', () => {
  // An independent regression of the run's daily returns on SPX's close-to-close returns, by the
  // textbook one-pass sums (Σxy - Σx Σy / n), straight from the bars.
  const spx: number[] = [];
  for (let t = 1; t < bars.length; t++) spx.push(bars.close[t] / bars.close[t - 1] - 1);
  const n = returns.length;
  const sx = spx.reduce((s, v) => s + v, 0);
  const sy = returns.reduce((s, v) => s + v, 0);
  const sxx = spx.reduce((s, v) => s + v * v, 0);
  const syy = returns.reduce((s, v) => s + v * v, 0);
  const sxy = spx.reduce((s, v, i) => s + v * returns[i], 0);
  const beta = (sxy - (sx * sy) / n) / (sxx - (sx * sx) / n);
  const correlation = (sxy - (sx * sy) / n) / Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));

  it('beta and correlation (1e-9)', () => {
    expect(spx.length).toBe(n);
    const b = a.benchmark!;
    expect(b.pairs).toBe(n);
    near(b.beta, beta, 1e-9);
    near(b.correlation, correlation, 1e-9);
  });

  it('alpha (annualised × 252), tracking error, information ratio, total return', () => {
    const b = a.benchmark!;
    near(b.alpha, (sy / n - beta * (sx / n)) * A, 1e-9);
    const diff = returns.map((r, i) => r - spx[i]);
    const md = avg(diff);
    const sd = Math.sqrt(diff.reduce((s, d) => s + (d - md) ** 2, 0) / (n - 1));
    near(b.trackingError, sd * Math.sqrt(A), 1e-9);
    near(b.informationRatio, (md / sd) * Math.sqrt(A), 1e-9);
    near(b.totalReturn, bars.close[bars.length - 1] / bars.close[0] - 1, 1e-12);
    const curve = a.benchmarkCurve!;
    near(curve[N - 1], (I * bars.close[bars.length - 1]) / bars.close[0], 1e-12);
  });
});
