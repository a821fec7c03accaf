import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Wilder's directional movement system: +DI, -DI and ADX(n).
 *
 * From t = 1: up = high[t] - high[t-1], down = low[t-1] - low[t]; +DM = up if up > down and
 * up > 0, -DM = down if down > up and down > 0, else 0 (a tie gives 0 to both); TR as in `Atr`.
 * The running sums of TR, +DM and -DM are seeded at t = n with the plain sum of the values at
 * t = 1..n, then S = S - S/n + x. DI = 100 × S_DM / S_TR, defined from t = n.
 * DX = 100 × |+DI - -DI| / (+DI + -DI), 0 when that sum is 0. ADX is seeded at t = 2n-1 with the
 * mean of DX[n..2n-1], then ADX = (ADX × (n-1) + DX) / n.
 *
 * Reading chosen where the convention is silent: when S_TR is 0 (no range at all over the
 * window, e.g. a constant series) both DIs are 0 rather than 0/0 = NaN, and so DX is 0.
 */
export class Dmi implements Indicator {
  readonly period: number;
  readonly plusDi: History;
  readonly minusDi: History;
  readonly adx: History;
  /** Bars seen, saturating at 2n (past the ADX seed nothing depends on it). */
  private readonly seen: Int32Array;
  private readonly prevHigh: Float64Array;
  private readonly prevLow: Float64Array;
  private readonly prevClose: Float64Array;
  private readonly sTr: Float64Array;
  private readonly sPlus: Float64Array;
  private readonly sMinus: Float64Array;
  /** The sum of DX during the ADX warm-up, then the ADX. */
  private readonly adxState: Float64Array;

  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`Dmi: symbols must be a non-negative integer, got ${symbols}`);
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`Dmi: period must be a positive integer, got ${period}`);
    this.period = period;
    this.plusDi = new History(symbols, history);
    this.minusDi = new History(symbols, history);
    this.adx = new History(symbols, history);
    this.seen = new Int32Array(symbols);
    this.prevHigh = new Float64Array(symbols);
    this.prevLow = new Float64Array(symbols);
    this.prevClose = new Float64Array(symbols);
    this.sTr = new Float64Array(symbols);
    this.sPlus = new Float64Array(symbols);
    this.sMinus = new Float64Array(symbols);
    this.adxState = new Float64Array(symbols);
  }

  update(s: number, bars: BarSeries, i: number): void {
    const n = this.period;
    const h = bars.high[i];
    const l = bars.low[i];
    const ph = this.prevHigh[s];
    const pl = this.prevLow[s];
    const pc = this.prevClose[s];
    this.prevHigh[s] = h;
    this.prevLow[s] = l;
    this.prevClose[s] = bars.close[i];
    const t = this.seen[s];
    if (t === 0) {
      this.seen[s] = 1;
      this.plusDi.push(s, NaN);
      this.minusDi.push(s, NaN);
      this.adx.push(s, NaN);
      return;
    }
    const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    const up = h - ph;
    const down = pl - l;
    const plusDm = up > down && up > 0 ? up : 0;
    const minusDm = down > up && down > 0 ? down : 0;
    const adxSeedAt = 2 * n - 1;
    if (t <= adxSeedAt) this.seen[s] = t + 1;
    if (t <= n) {
      this.sTr[s] += tr;
      this.sPlus[s] += plusDm;
      this.sMinus[s] += minusDm;
      if (t < n) {
        this.plusDi.push(s, NaN);
        this.minusDi.push(s, NaN);
        this.adx.push(s, NaN);
        return;
      }
    } else {
      this.sTr[s] = this.sTr[s] - this.sTr[s] / n + tr;
      this.sPlus[s] = this.sPlus[s] - this.sPlus[s] / n + plusDm;
      this.sMinus[s] = this.sMinus[s] - this.sMinus[s] / n + minusDm;
    }
    const sTr = this.sTr[s];
    const pdi = sTr > 0 ? (100 * this.sPlus[s]) / sTr : 0;
    const mdi = sTr > 0 ? (100 * this.sMinus[s]) / sTr : 0;
    const diSum = pdi + mdi;
    const dx = diSum > 0 ? (100 * Math.abs(pdi - mdi)) / diSum : 0;
    let adx: number;
    if (t < adxSeedAt) {
      this.adxState[s] += dx;
      adx = NaN;
    } else if (t === adxSeedAt) {
      adx = (this.adxState[s] + dx) / n;
      this.adxState[s] = adx;
    } else {
      adx = (this.adxState[s] * (n - 1) + dx) / n;
      this.adxState[s] = adx;
    }
    this.plusDi.push(s, pdi);
    this.minusDi.push(s, mdi);
    this.adx.push(s, adx);
  }
}
