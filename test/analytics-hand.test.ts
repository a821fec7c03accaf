/**
 * Every analytics figure on small inputs whose values were worked out by hand (the arithmetic is in
 * the comments; CONVENTIONS.md "Analytics" names each formula).
 */
import { describe, expect, it } from 'vitest';
import { barSeriesFromRows } from '../src/engine/bars.js';
import type { RoundTrip } from '../src/engine/results.js';
import { benchmarkCurve, benchmarkStats } from '../src/analytics/benchmark.js';
import { monthlyReturns, yearlyReturns } from '../src/analytics/calendar-returns.js';
import { DrawdownEpisodes } from '../src/analytics/drawdown-episodes.js';
import { excursions } from '../src/analytics/excursions.js';
import { exposure } from '../src/analytics/exposure.js';
import { returnsHistogram } from '../src/analytics/histogram.js';
import { returnMoments } from '../src/analytics/moments.js';
import { calmar, omega } from '../src/analytics/ratios.js';
import { perPeriodRate, periodReturns } from '../src/analytics/returns.js';
import { riskAdjusted } from '../src/analytics/risk-adjusted.js';
import { rollingSharpe, thinSeries } from '../src/analytics/rolling-sharpe.js';
import { lowerTail, quantileLinear, selectInPlace } from '../src/analytics/select.js';
import { stability } from '../src/analytics/stability.js';
import { fromTails, fromWholeArray, tailRisk } from '../src/analytics/tail-risk.js';
import { tradeStats } from '../src/analytics/trade-stats.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const close = (actual: number | null | undefined, expected: number, digits = 9) => expect(actual).toBeCloseTo(expected, digits);

// The curve: initial cash 100, returns +10 %, -10 %, +10 %, -4 %, +25 %, -5 %.
//   E = 100, 110, 99, 108.9, 104.544, 130.68, 124.146
const TIMES = ['2020-12-30', '2020-12-31', '2021-01-04', '2021-01-29', '2021-02-01', '2021-02-26', '2021-03-01'];
const time = Float64Array.from(TIMES, day);
const equity = Float64Array.from([100, 110, 99, 108.9, 104.544, 130.68, 124.146]);
const r = periodReturns(equity);

describe('returns and calendar periods', () => {
  it('r[t] = E[t] / E[t-1] - 1', () => {
    [0.1, -0.1, 0.1, -0.04, 0.25, -0.05].forEach((x, i) => close(r[i], x, 12));
  });

  it('monthly returns: last point of the month over the previous month-end (the first over the initial cash)', () => {
    // Dec 2020: 110 / 100 - 1 = 0.1, partial (starts on the 30th)
    // Jan 2021: 108.9 / 110 - 1 = -0.01; Feb: 130.68 / 108.9 - 1 = 0.2
    // Mar 2021: 124.146 / 130.68 - 1 = -0.05, partial (ends on the 1st)
    const m = monthlyReturns(time, equity, 100);
    expect(m.map((p) => [p.year, p.month, p.partial, p.points])).toEqual([
      [2020, 12, true, 2], [2021, 1, false, 2], [2021, 2, false, 2], [2021, 3, true, 1],
    ]);
    [0.1, -0.01, 0.2, -0.05].forEach((x, i) => close(m[i].return, x, 12));
    // Compounded: 1.1 × 0.99 × 1.2 × 0.95 = 1.24146 = 124.146 / 100
    close(m.reduce((g, p) => g * (1 + p.return), 1), 1.24146, 12);
  });

  it('yearly returns; a run inside one month is partial at both ends or not at all', () => {
    // 2020: 110 / 100 - 1 = 0.1 (partial); 2021: 124.146 / 110 - 1 = 0.1286 (partial, ends in March)
    const y = yearlyReturns(time, equity, 100);
    expect(y.map((p) => [p.year, p.month, p.partial])).toEqual([[2020, undefined, true], [2021, undefined, true]]);
    close(y[0].return, 0.1, 12);
    close(y[1].return, 0.1286, 12);
    // First and last calendar day covered: not partial. Initial cash differs from E[0]: the base is the cash.
    const whole = monthlyReturns(Float64Array.from([day('2021-02-01'), day('2021-02-28')]), Float64Array.from([100, 90]), 80);
    expect(whole).toEqual([{ year: 2021, month: 2, return: 90 / 80 - 1, partial: false, points: 2 }]);
    // A month without points gets no entry; the next one compounds over the gap.
    const gap = monthlyReturns(Float64Array.from([day('2021-01-31'), day('2021-03-01')]), Float64Array.from([100, 120]), 100);
    expect(gap.map((p) => [p.month, p.return])).toEqual([[1, 0], [3, 0.19999999999999996]]);
  });
});

describe('drawdown episodes', () => {
  // Peak 110 (point 1), trough 99 (point 2), back to >= 110 at 130.68 (point 5):
  //   depth 1 - 99/110 = 0.1, underwater points 2..4 -> lengthBars 3, recoveryBars 5 - 2 = 3.
  // Peak 130.68 (point 5), 124.146 (point 6) unrecovered: depth 0.05, lengthBars 1, no recovery.
  const ep = DrawdownEpisodes.find(time, equity);

  it('finds both episodes, deepest first', () => {
    expect(ep.count).toBe(2);
    const [a, b] = ep.top(5);
    expect({ ...a, depth: 0 }).toEqual({
      peakIndex: 1, troughIndex: 2, recoveryIndex: 5, peakTime: day('2020-12-31'), troughTime: day('2021-01-04'),
      recoveryTime: day('2021-02-26'), depth: 0, lengthBars: 3, recoveryBars: 3,
    });
    close(a.depth, 0.1, 12);
    expect({ ...b, depth: 0 }).toEqual({
      peakIndex: 5, troughIndex: 6, recoveryIndex: null, peakTime: day('2021-02-26'), troughTime: day('2021-03-01'),
      recoveryTime: null, depth: 0, lengthBars: 1, recoveryBars: null,
    });
    close(b.depth, 0.05, 12);
    expect(ep.top(1)).toHaveLength(1);
    expect(ep.longestBars()).toBe(3);
  });

  it('ties go to the earlier peak; an exact return to the peak recovers; a rising curve has none', () => {
    // 100, 90 (-10 %), 100 (recovered), 90 (-10 % again), 100: two equal episodes.
    const e = Float64Array.from([100, 90, 100, 90, 100]);
    const t = Float64Array.from([0, 1, 2, 3, 4], (i) => i * 86_400_000);
    const two = DrawdownEpisodes.find(t, e).top(2);
    expect(two.map((x) => [x.peakIndex, x.troughIndex, x.recoveryIndex, x.lengthBars])).toEqual([[0, 1, 2, 1], [2, 3, 4, 1]]);
    expect(DrawdownEpisodes.find(t, Float64Array.from([1, 2, 3, 3, 4])).count).toBe(0);
  });

  it('picks the deepest k of many with the heap (compared with sorting all)', () => {
    // A saw-tooth with pseudo-random depths: 200 episodes.
    const e: number[] = [100];
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 16807) % 2147483647;
      e.push(100 * (1 - (seed % 1000) / 2000), 100);
    }
    const eq = Float64Array.from(e);
    const t = Float64Array.from(e, (_, i) => i);
    const found = DrawdownEpisodes.find(t, eq);
    const all = Array.from({ length: found.count }, (_, i) => found.episode(i));
    const sorted = [...all].sort((a, b) => b.depth - a.depth || a.peakIndex - b.peakIndex);
    expect(found.top(17)).toEqual(sorted.slice(0, 17));
  });
});

describe('return statistics', () => {
  it('rolling Sharpe (window 3): mean / sample stdev × sqrt(252) per window', () => {
    // [0.1, -0.1, 0.1]: mean 0.033333, sd 0.115470 -> 4.582576
    // [-0.1, 0.1, -0.04]: mean -0.013333, sd 0.102632 -> -2.062320
    // [0.1, -0.04, 0.25]: mean 0.103333, sd 0.145029 -> 11.310626
    // [-0.04, 0.25, -0.05]: mean 0.053333, sd 0.170392 -> 4.968789
    const s = rollingSharpe(time, r, 3, 252);
    expect(Array.from(s.time)).toEqual(TIMES.slice(3).map(day));
    [4.58257569495584, -2.062320187788993, 11.310626393512836, 4.968788924419162].forEach((x, i) => close(s.value[i], x, 9));
    // With a 3 % risk-free rate: rf_p = 1.03^(1/252) - 1 = 0.000117304 comes off each mean.
    const rfp = perPeriodRate(0.03, 252);
    close(rfp, 0.00011730371383444904, 15);
    close(rollingSharpe(time, r, 3, 252, rfp).value[0], ((0.1 / 3 - rfp) / 0.11547005383792516) * Math.sqrt(252), 9);
    // Thinning to 3 of 4 values keeps every 2nd counted back from the last: values 1 and 3.
    expect(Array.from(thinSeries(s, 3).value)).toEqual([s.value[1], s.value[3]]);
    // Computing with maxPoints stores exactly what thinning the full series keeps.
    for (const maxPoints of [1, 2, 3, 4, 10]) expect(rollingSharpe(time, r, 3, 252, 0, maxPoints)).toEqual(thinSeries(s, maxPoints));
  });

  it('rolling Sharpe is null where the window is constant (a flat stretch)', () => {
    const flat = Float64Array.from([0.01, 0, 0, 0, 0, 0.02, 0.01]);
    const t = Float64Array.from({ length: 8 }, (_, i) => i);
    const v = Array.from(rollingSharpe(t, flat, 3, 252).value);
    // Windows: [.01,0,0] [0,0,0] [0,0,0] [0,0,.02] [0,.02,.01]
    expect(v.map((x) => Number.isNaN(x))).toEqual([false, true, true, false, false]);
  });

  it('histogram: equal-width bins from min to max, the last one closed', () => {
    // min -0.1, max 0.25, width 0.35 / 3 = 0.116667:
    //   [-0.1, 0.016667): -0.1, -0.04, -0.05 -> 3; [0.016667, 0.133333): 0.1, 0.1 -> 2; [0.133333, 0.25]: 0.25 -> 1
    const h = returnsHistogram(r, 3);
    expect(h.map((b) => b.count)).toEqual([3, 2, 1]);
    close(h[0].lower, -0.1, 15);
    close(h[1].lower, -0.1 + 0.35 / 3, 12);
    expect(h[2].upper).toBe(0.25);
    expect(returnsHistogram(Float64Array.from([0.5, 0.5]), 10)).toEqual([{ lower: 0.5, upper: 0.5, count: 2 }]);
    expect(returnsHistogram(new Float64Array(0), 10)).toEqual([]);
  });

  it('Omega(0), Calmar', () => {
    // gains 0.1 + 0.1 + 0.25 = 0.45, losses 0.1 + 0.04 + 0.05 = 0.19 -> 2.368421
    close(omega(r), 0.45 / 0.19, 12);
    expect(omega(Float64Array.from([0.1, 0]))).toBeNaN();
    // cagr over 61 days: 1.24146^(365.25/61) - 1 = 2.651249; max drawdown 0.1 -> 26.512492
    close(calmar(Math.pow(1.24146, 365.25 / 61) - 1, 0.1), 26.51249209239219, 9);
    expect(calmar(0.1, 0)).toBeNaN();
  });

  it('VaR and ES 95 %: lower empirical quantile, k = ceil(n / 20); tail ratio with linear quantiles', () => {
    // Sorted: -0.1, -0.05, -0.04, 0.1, 0.1, 0.25; n = 6, k = 1 -> VaR = ES = 0.1.
    // Q(0.95): h = 5 × 0.95 = 4.75 -> 0.1 + 0.75 × (0.25 - 0.1) = 0.2125
    // Q(0.05): h = 0.25 -> -0.1 + 0.25 × (-0.05 + 0.1) = -0.0875; ratio 0.2125 / 0.0875 = 2.428571
    const t = tailRisk(r);
    close(t.valueAtRisk, 0.1, 15);
    close(t.expectedShortfall, 0.1, 15);
    close(t.tailRatio, 0.2125 / 0.0875, 12);
    // n = 40 returns -20..19 (in %): k = 2 -> VaR = 0.19, ES = (0.20 + 0.19) / 2 = 0.195.
    const forty = Float64Array.from({ length: 40 }, (_, i) => (19 - i) / 100);
    close(tailRisk(forty).valueAtRisk, 0.19, 15);
    close(tailRisk(forty).expectedShortfall, 0.195, 15);
    // n = 41 returns 0.19 down to -0.21: k = ceil(41 / 20) = 3 -> VaR = 0.19, ES = (0.21 + 0.20 + 0.19) / 3 = 0.2
    const fortyOne = Float64Array.from({ length: 41 }, (_, i) => (19 - i) / 100);
    close(tailRisk(fortyOne).valueAtRisk, 0.19, 12);
    close(tailRisk(fortyOne).expectedShortfall, 0.2, 12);
  });

  it('long series: the tails found beyond sampled thresholds give what sorting gives, and odd series fall back', () => {
    // From 65,536 returns on, tailRisk selects from the values beyond two thresholds. The reference
    // sorts a copy of everything (Float64Array.prototype.sort) and reads the order statistics.
    let seed = 11;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const reference = (a: Float64Array) => {
      const n = a.length;
      const sorted = Float64Array.from(a).sort();
      const k = Math.ceil(n / 20);
      const q = (p: number) => {
        const h = (n - 1) * p;
        const i = Math.floor(h);
        return sorted[i] + (h - i) * (sorted[Math.min(i + 1, n - 1)] - sorted[i]);
      };
      let sum = 0;
      for (let i = 0; i < k; i++) sum += sorted[i];
      return { valueAtRisk: -sorted[k - 1], expectedShortfall: -sum / k, tailRatio: Math.abs(q(0.95)) / Math.abs(q(0.05)) };
    };
    // [name, returns, whether the tails path answers (else the whole array does)]
    const cases: [string, Float64Array, boolean][] = [
      // Continuous returns, n not a multiple of 20 or of the sample count.
      ['uniform', Float64Array.from({ length: 200_003 }, () => (rand() - 0.5) / 100), true],
      // Returns on a tick grid: many ties, also at the thresholds.
      ['ticks', Float64Array.from({ length: 131_071 }, () => Math.round((rand() - 0.5) * 40) / 1e4), true],
      // Mostly flat (a strategy out of the market): the thresholds meet at 0.
      ['flat', Float64Array.from({ length: 100_000 }, () => (rand() < 0.9 ? 0 : (rand() - 0.5) / 100)), false],
      // Sorted descending, then ascending: the sample sees the extremes in order.
      ['descending', Float64Array.from({ length: 80_000 }, (_, i) => (40_000 - i) / 1e7), true],
      ['ascending', Float64Array.from({ length: 80_000 }, (_, i) => (i - 40_000) / 1e7), true],
      // One large loss on 5 % of the bars plus one: x(1..k) are all the same value.
      ['crash ties', Float64Array.from({ length: 100_000 }, (_, i) => (i % 20 === 0 || i === 1 ? -0.2 : (rand() - 0.4) / 100)), true],
      // 15 % of the bars at the same loss: the lower tail overflows its room.
      ['heavy ties', Float64Array.from({ length: 100_000 }, () => (rand() < 0.15 ? -0.01 : (rand() - 0.5) / 100)), false],
    ];
    for (const [name, a, tails] of cases) {
      const k = Math.ceil(a.length / 20);
      expect(fromTails(a, k) !== null, name).toBe(tails);
      const t = tailRisk(a);
      const ref = reference(a);
      expect(t.valueAtRisk, name).toBe(ref.valueAtRisk);
      expect(t.tailRatio, name).toBe(ref.tailRatio);
      expect(Math.abs(t.expectedShortfall - ref.expectedShortfall), name).toBeLessThanOrEqual(1e-12 * Math.abs(ref.expectedShortfall));
      // Both paths pick the same order statistics.
      const whole = fromWholeArray(a, k);
      expect([t.valueAtRisk, t.tailRatio], name).toEqual([whole.valueAtRisk, whole.tailRatio]);
    }
    // A NaN return (0 / 0 after equity reached 0): the tails path declines and the whole array answers as before.
    const withNaN = Float64Array.from({ length: 70_000 }, () => (rand() - 0.5) / 100);
    withNaN[123] = NaN;
    expect(fromTails(withNaN, 3_500)).toBeNull();
    expect(tailRisk(withNaN)).toEqual(fromWholeArray(withNaN, 3_500));
  });

  it('Omega without a branch sums exactly what the branching loop sums', () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const a = Float64Array.from({ length: 100_000 }, () => (rand() < 0.2 ? 0 : (rand() - 0.5) * Math.pow(10, -1 - Math.floor(rand() * 300))));
    a[7] = -0;
    a[8] = Number.MIN_VALUE;
    a[9] = -Number.MIN_VALUE;
    let gains = 0;
    let losses = 0;
    for (const r of a) {
      if (r > 0) gains += r;
      else losses -= r;
    }
    expect(omega(a)).toBe(gains / losses);
  });

  it('selection agrees with sorting on random data, duplicates included', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const a = Float64Array.from({ length: n }, () => Math.round(rand() * 50) / 10 - 2.5);
      const sorted = Float64Array.from(a).sort();
      for (const k of [0, n >> 1, n - 1]) {
        const s = Float64Array.from(a);
        selectInPlace(s, k);
        expect(s[k]).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[k]);
        for (let i = k + 1; i < n; i++) expect(s[i]).toBeGreaterThanOrEqual(s[k]);
      }
      const h = (n - 1) * 0.95;
      const lo = Math.floor(h);
      const numpy = sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, n - 1)]) - sorted[lo]);
      close(quantileLinear(Float64Array.from(a), 0.95), numpy, 12);
      const k = Math.ceil(n / 20);
      expect(lowerTail(Float64Array.from(a), k).kth).toBe(sorted[k - 1]);
      // tailRisk selects its quantiles inside the sides of the first selection: same as sorting.
      const q = (p: number) => {
        const hh = (n - 1) * p;
        const i = Math.floor(hh);
        return sorted[i] + (hh - i) * (sorted[Math.min(i + 1, n - 1)] - sorted[i]);
      };
      const t = tailRisk(a);
      expect(t.valueAtRisk).toBe(-sorted[k - 1]);
      close(t.expectedShortfall, -sorted.slice(0, k).reduce((x, y) => x + y, 0) / k, 12);
      if (q(0.05) !== 0) close(t.tailRatio, Math.abs(q(0.95)) / Math.abs(q(0.05)), 12);
    }
  });

  it('skew G1 and excess kurtosis G2', () => {
    // mean 0.043333; central moments m2 = 0.0142222, m3 = 0.000809074, m4 = 0.000398507
    // g1 = m3 / m2^1.5 = 0.477021 -> G1 = sqrt(6 × 5) / 4 × g1 = 0.653187
    // g2 = m4 / m2² - 3 = -1.029840 -> G2 = 5 / (4 × 3) × (7 × g2 + 6) = -0.503700
    const m = returnMoments(r);
    close(m.skew, 0.6531872977429016, 12);
    close(m.kurtosis, -0.5037002563476567, 12);
    expect(returnMoments(Float64Array.from([0.1, 0.2])).skew).toBeNaN();
    expect(returnMoments(Float64Array.from([0.1, 0.1, 0.1, 0.1])).kurtosis).toBeNaN();
  });

  it('stability: least squares of ln E on years since the first point', () => {
    // x = days / 365.25 = 0, 1, 5, 30, 33, 58, 61 (/365.25); y = ln E
    // slope = Σ dx dy / Σ dx² = 1.263597 per year, R² = (Σ dx dy)² / (Σ dx² Σ dy²) = 0.723145
    const s = stability(time, equity);
    close(s.slope, 1.2635968494310716, 9);
    close(s.rSquared, 0.7231447843316143, 9);
    expect(stability(time, Float64Array.from([100, 100, 100, 100, 100, 100, 100])).rSquared).toBeNaN();
    expect(stability(time, Float64Array.from([100, -1, 100, 100, 100, 100, 100])).slope).toBeNaN();
  });

  it('Sharpe and Sortino over excess returns', () => {
    // mean 0.043333, sample sd 0.130639 -> 0.043333 / 0.130639 × sqrt(252) = 5.265602
    // downside (rf 0): sqrt((0.01 + 0.0016 + 0.0025) / 6) = 0.048391 -> 0.043333 / 0.048391 × sqrt(252) = 14.215
    const z = riskAdjusted(r, 252, 0);
    close(z.sharpe, 5.265601817456386, 9);
    close(z.sortino, (0.26 / 6 / Math.sqrt(0.0141 / 6)) * Math.sqrt(252), 9);
    const rfp = perPeriodRate(0.05, 252);
    const down = Math.sqrt(((-0.1 - rfp) ** 2 + (-0.04 - rfp) ** 2 + (-0.05 - rfp) ** 2) / 6);
    close(riskAdjusted(r, 252, rfp).sortino, ((0.26 / 6 - rfp) / down) * Math.sqrt(252), 9);
  });
});

describe('leverage and turnover', () => {
  // One symbol, cash 1000. Closes 100, 110, 120, 90. BUY 5 at 100 on day 1, SELL 5 at 95 on day 3.
  //   E: 1000; 500 + 5 × 110 = 1050; 500 + 5 × 120 = 1100; 500 + 475 = 975
  //   gross: 0, 550, 600, 0 -> leverage 0, 0.523810, 0.545455, 0: mean 0.267316, max 0.545455
  //   turnover: (500 + 475) / mean E (1031.25) / (3 / 365.25 years) = 115.109091
  const days = ['2021-03-01', '2021-03-02', '2021-03-03', '2021-03-04'].map(day);
  const bars = barSeriesFromRows('A', days.map((t, i) => ({ time: t, open: [100, 100, 118, 95][i], high: 130, low: 80, close: [100, 110, 120, 90][i] })));
  const fills = [
    { symbolIndex: 0, time: days[1], side: 'BUY' as const, quantity: 5, price: 100 },
    { symbolIndex: 0, time: days[3], side: 'SELL' as const, quantity: 5, price: 95 },
  ];
  const curve = (equity: number[], cash: number[]) => ({ time: Float64Array.from(days), equity: Float64Array.from(equity), cash: Float64Array.from(cash) });
  const noBars = () => {
    throw new Error('bars read although every position is on one side');
  };

  it('positions on one side: gross = abs(equity - cash), the bars are not read', () => {
    const x = exposure(curve([1000, 1050, 1100, 975], [1000, 500, 500, 975]), noBars, fills);
    close(x.averageLeverage, 0.2673160173160173, 12);
    close(x.maxLeverage, 6 / 11, 12);
    close(x.turnover, 115.10909090909091, 9);
  });

  it('two symbols on different calendars, a short counts by its absolute value', () => {
    // A as above; B has bars only on days 0 and 2 (closes 50, 40); SELL 10 B on day 2 at 45.
    //   day 2: gross = 5 × 120 + 10 × 40 = 1000; day 3: A sold, B still short: 10 × 40 (last close) = 400
    const b = barSeriesFromRows('B', [{ time: days[0], open: 50, high: 50, low: 50, close: 50 }, { time: days[2], open: 45, high: 45, low: 40, close: 40 }]);
    //   (long A and short B at once: the cash cannot tell gross from net, so the bars are walked;
    //   the cash given here is deliberately useless)
    const x = exposure(curve([1000, 1050, 1100, 1025], [0, 0, 0, 0]), () => [bars, b], [fills[0], { symbolIndex: 1, time: days[2], side: 'SELL', quantity: 10, price: 45 }, fills[1]]);
    close(x.maxLeverage, 1000 / 1100, 12);
    close(x.averageLeverage, (0 + 550 / 1050 + 1000 / 1100 + 400 / 1025) / 4, 12);
    expect(exposure(curve([1000, 0, 1, 1], [1000, 500, 500, 1]), noBars, fills).maxLeverage).toBeNaN();
  });
});

describe('trade statistics', () => {
  const trip = (pnl: number, quantity: number, entryPrice: number, bars: number) => ({ pnl, quantity, entryPrice, bars });
  // pnl 20, -10, -5, 0, 30, 10; returns 0.02, -0.02, -0.01, 0, 0.15, 0.01; bars 5, 3, 2, 1, 10, 4
  const trips = [trip(20, 10, 100, 5), trip(-10, 10, 50, 3), trip(-5, 5, 100, 2), trip(0, 1, 100, 1), trip(30, 2, 100, 10), trip(10, 10, 100, 4)];

  it('averages, extremes, win/loss, expectancy, SQN, bars held, streaks', () => {
    const s = tradeStats(trips);
    expect([s.trades, s.wins, s.losses]).toEqual([6, 3, 2]);
    close(s.averagePnl, 45 / 6, 12); // 7.5
    expect([s.bestPnl, s.worstPnl]).toEqual([30, -10]);
    close(s.averageReturn, 0.15 / 6, 12); // 0.025
    close(s.bestReturn, 0.15, 15);
    close(s.worstReturn, -0.02, 15);
    expect([s.averageWin, s.averageLoss]).toEqual([20, -7.5]); // 60 / 3, -15 / 2
    close(s.averageWinReturn, 0.06, 15); // (0.02 + 0.15 + 0.01) / 3
    close(s.averageLossReturn, -0.015, 15); // (-0.02 - 0.01) / 2
    // 3/6 × 20 + 2/6 × (-7.5) = 10 - 2.5 = 7.5 (= the average pnl)
    close(s.expectancy, 7.5, 12);
    // deviations from 7.5: 12.5 -17.5 -12.5 -7.5 22.5 2.5; Σ² = 1187.5, var 237.5, sd 15.411035
    // SQN = sqrt(6) × 7.5 / 15.411035 = 1.192079
    close(s.sqn, (Math.sqrt(6) * 7.5) / Math.sqrt(237.5), 12);
    close(s.averageBars, 25 / 6, 12);
    close(s.averageBarsWinners, 19 / 3, 12); // (5 + 10 + 4) / 3
    close(s.averageBarsLosers, 2.5, 12); // (3 + 2) / 2
    // W L L 0 W W: the zero trip ends the loss streak
    expect([s.longestWinStreak, s.longestLossStreak]).toEqual([2, 2]);
  });

  it('SQN counts at most 100 trades', () => {
    // 400 trades alternating pnl 3 and -1: mean 1, sample sd = sqrt(400 × 4 / 399)
    const many = Array.from({ length: 400 }, (_, i) => trip(i % 2 === 0 ? 3 : -1, 1, 100, 1));
    close(tradeStats(many).sqn, (10 * 1) / Math.sqrt(1600 / 399), 12);
  });

  it('no trades, only wins', () => {
    const none = tradeStats([]);
    expect([none.averagePnl, none.bestPnl, none.sqn, none.averageWin, none.expectancy]).toEqual([NaN, NaN, NaN, NaN, NaN]);
    const wins = tradeStats([trip(1, 1, 10, 1), trip(2, 1, 10, 1)]);
    expect(wins.averageLoss).toBeNaN();
    expect(wins.expectancy).toBe(1.5);
    expect(wins.longestWinStreak).toBe(2);
  });
});

describe('MAE and MFE', () => {
  // bar: open high low close
  //  0:  100 101  99 100
  //  1:  100 105  98 104
  //  2:  104 110 102 108
  //  3:  108 109  95  96
  //  4:   97 120  90 118
  const rows = [[100, 101, 99, 100], [100, 105, 98, 104], [104, 110, 102, 108], [108, 109, 95, 96], [97, 120, 90, 118]];
  const t = (i: number) => day('2021-06-01') + i * 86_400_000;
  const bars = barSeriesFromRows('X', rows.map(([open, high, low, c], i) => ({ time: t(i), open, high, low, close: c })));
  const trip = (side: 'BUY' | 'SELL', e: number, x: number, entryPrice: number, exitPrice: number) =>
    ({ symbol: 'X', side, entryTime: t(e), exitTime: t(x), entryPrice, exitPrice });

  it('long, short and same-bar trips', () => {
    const got = excursions(
      [
        // Long: entry bar 1 at 100, exit bar 4 at 97. Path: bars 1..3 (high 110, low 95) and 100, 97.
        //   mae = 100 - 95 = 5 (0.05), mfe = 110 - 100 = 10 (0.1)
        trip('BUY', 1, 4, 100, 97),
        // Short: entry bar 2 at 104, exit bar 3 at 108. Path: bar 2 (high 110, low 102) and 104, 108.
        //   mae = 110 - 104 = 6 (6/104), mfe = 104 - 102 = 2 (2/104)
        trip('SELL', 2, 3, 104, 108),
        // Entry and exit on bar 0: only the two prices. mae 0, mfe 1.
        trip('BUY', 0, 0, 100, 101),
      ],
      new Map([['X', bars]]),
    );
    expect(got[0]).toEqual({ mae: 5, mfe: 10, maeReturn: 0.05, mfeReturn: 0.1 });
    expect(got[1]).toEqual({ mae: 6, mfe: 2, maeReturn: 6 / 104, mfeReturn: 2 / 104 });
    expect(got[2]).toEqual({ mae: 0, mfe: 1, maeReturn: 0, mfeReturn: 0.01 });
  });

  it('heavily overlapping trips (the range tree) give what a naive scan gives', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const n = 300;
    const big = barSeriesFromRows('X', Array.from({ length: n }, (_, i) => {
      const mid = 100 + 10 * Math.sin(i / 7) + rand();
      return { time: t(i), open: mid, high: mid + rand() * 3, low: mid - rand() * 3, close: mid };
    }));
    const trips = Array.from({ length: 200 }, () => {
      const e = Math.floor(rand() * 50);
      const x = n - 1 - Math.floor(rand() * 50);
      return trip(rand() < 0.5 ? 'BUY' : 'SELL', e, x, big.open[e], big.open[x]);
    });
    const got = excursions(trips, new Map([['X', big]]));
    trips.forEach((tr, k) => {
      const e = (tr.entryTime - t(0)) / 86_400_000;
      const x = (tr.exitTime - t(0)) / 86_400_000;
      let lo = Math.min(tr.entryPrice, tr.exitPrice);
      let hi = Math.max(tr.entryPrice, tr.exitPrice);
      for (let i = e; i < x; i++) {
        lo = Math.min(lo, big.low[i]);
        hi = Math.max(hi, big.high[i]);
      }
      const mae = tr.side === 'BUY' ? tr.entryPrice - lo : hi - tr.entryPrice;
      const mfe = tr.side === 'BUY' ? hi - tr.entryPrice : tr.entryPrice - lo;
      expect(got[k].mae).toBe(Math.max(0, mae));
      expect(got[k].mfe).toBe(Math.max(0, mfe));
    });
  });
});

describe('benchmark', () => {
  // Run points on days 1..5. Benchmark bars: day 0 close 50, day 2 close 55, day 3 12:00 close 66, day 5 close 60.
  //   As of each run point: 50, 55, 55 (the 12:00 bar is later), 66, 60 -> B = 100, 110, 110, 132, 120
  const d = (i: number) => day('2021-01-01') + i * 86_400_000;
  const times = Float64Array.from([1, 2, 3, 4, 5], d);
  const bench = barSeriesFromRows('IDX', [[d(0), 50], [d(2), 55], [d(3) + 43_200_000, 66], [d(5), 60]].map(([time, c]) => ({ time, open: c, high: c, low: c, close: c })));
  // Run: r = 0.05, -0.02, 0.1, -0.05 -> E = 100, 105, 102.9, 113.19, 107.5305
  const eq = Float64Array.from([100, 105, 102.9, 113.19, 107.5305]);

  it('buy-and-hold as of each run timestamp', () => {
    const b = benchmarkCurve(times, bench, 100);
    Array.from(b).forEach((x, i) => close(x, [100, 110, 110, 132, 120][i], 12));
    // Benchmark starting after the run: null until its first bar, then based there.
    const late = benchmarkCurve(times, barSeriesFromRows('IDX', [{ time: d(3), open: 10, high: 10, low: 10, close: 10 }, { time: d(5), open: 12, high: 12, low: 12, close: 12 }]), 100);
    expect(Array.from(late)).toEqual([NaN, NaN, 100, 100, 120]);
  });

  it('beta, alpha, correlation, tracking error, information ratio', () => {
    // b = 0.1, 0, 0.2, -0.090909; r = 0.05, -0.02, 0.1, -0.05
    // beta = Σ dr db / Σ db² = 0.535836; corr = 0.992389
    // alpha = 252 × (mean r - beta × mean b) = -2.018420
    // r - b = -0.05, -0.02, -0.1, 0.040909: TE = sd × sqrt(252) = 0.935000, IR = mean / sd × sqrt(252) = -8.698105
    const b = benchmarkCurve(times, bench, 100);
    const s = benchmarkStats(times, periodReturns(eq), b, 252, 0);
    close(s.beta, 0.5358358795285894, 12);
    close(s.correlation, 0.9923893870735732, 12);
    close(s.alpha, -2.01841990397205, 9);
    close(s.trackingError, 0.9349998895125242, 12);
    close(s.informationRatio, -8.698105062843789, 9);
    close(s.totalReturn, 0.2, 12);
    close(s.cagr, Math.pow(1.2, 365.25 / 4) - 1, 0);
    expect(s.pairs).toBe(4);
    // rf 3 %: alpha = 252 × (mean r - rf_p - beta × (mean b - rf_p)) = -2.032141
    close(benchmarkStats(times, periodReturns(eq), b, 252, perPeriodRate(0.03, 252)).alpha, -2.03214084411237, 9);
  });
});

describe('one RoundTrip type feeds both', () => {
  it('the engine RoundTrip shape is accepted', () => {
    const t: RoundTrip = { symbol: 'X', side: 'BUY', quantity: 1, entryTime: 0, exitTime: 1, entryPrice: 10, exitPrice: 11, pnl: 1, returnPct: 10, bars: 1 };
    expect(tradeStats([t]).averageReturn).toBe(0.1);
  });
});
