import type { BarSeries } from '../bars.js';
import { History } from './history.js';
import { DEFAULT_HISTORY, type Indicator } from './indicator.js';

/**
 * Wilder's parabolic stop and reverse. The value at bar t is the stop IN FORCE DURING bar t, i.e.
 * the one computed at the end of bar t-1; NaN at t = 0.
 *
 * Per-bar order, as read from the convention:
 * - t = 0: remember high/low, output NaN.
 * - t = 1 (initialise): short if low[0]-low[1] > 0 and > high[1]-high[0], else long. Long:
 *   SAR = low[0], EP = high[1]; short: SAR = high[0], EP = low[1]; AF = step. Output this SAR.
 *   No touch or new-extreme check on this bar (EP already is bar 1's extreme).
 * - t >= 2: output the SAR in force (computed at t-1). Then, against that SAR: a touch
 *   (long: low[t] <= SAR; short: high[t] >= SAR) reverses: long→short sets
 *   SAR = max(EP, high[t-1], high[t]), EP = low[t]; short→long sets SAR = min(EP, low[t-1], low[t]),
 *   EP = high[t]; AF = step. Otherwise a new extreme (long: high[t] > EP; short: low[t] < EP)
 *   sets EP to it and raises AF by step, capped at max.
 * - Every t >= 1 then computes the stop in force at t+1: SAR + AF × (EP - SAR), clamped, in the
 *   direction now held, to at most min(low[t-1], low[t]) when long, at least
 *   max(high[t-1], high[t]) when short. After a reversal this is applied to the reversal SAR, so
 *   the reversal value itself is never output: on the reversal bar the output is the stop that
 *   was hit, and the next bar shows reversal SAR + AF × (EP - reversal SAR), clamped.
 *   (TA-Lib outputs the reversal SAR on the reversal bar instead; only those bars differ.)
 *
 * `isLong(s)` and `next(s)` describe the state after the latest bar: the trend the next stop
 * protects and the stop that will be in force during the next bar.
 */
export class ParabolicSar extends History implements Indicator {
  readonly step: number;
  readonly max: number;
  /** Bars seen, saturating at 2. */
  private readonly seen: Int32Array;
  private readonly long: Uint8Array;
  /** The stop in force during the next bar. */
  private readonly sar: Float64Array;
  private readonly ep: Float64Array;
  private readonly af: Float64Array;
  private readonly prevHigh: Float64Array;
  private readonly prevLow: Float64Array;

  constructor(symbols: number, step = 0.02, max = 0.2, history: number = DEFAULT_HISTORY) {
    if (!Number.isInteger(symbols) || symbols < 0) throw new RangeError(`ParabolicSar: symbols must be a non-negative integer, got ${symbols}`);
    if (typeof step !== 'number' || !Number.isFinite(step) || step <= 0) throw new RangeError(`ParabolicSar: step must be a finite number > 0, got ${step}`);
    if (typeof max !== 'number' || !Number.isFinite(max) || max < step) throw new RangeError(`ParabolicSar: max must be a finite number >= step (${step}), got ${max}`);
    super(symbols, history);
    this.step = step;
    this.max = max;
    this.seen = new Int32Array(symbols);
    this.long = new Uint8Array(symbols);
    this.sar = new Float64Array(symbols).fill(NaN);
    this.ep = new Float64Array(symbols);
    this.af = new Float64Array(symbols);
    this.prevHigh = new Float64Array(symbols);
    this.prevLow = new Float64Array(symbols);
  }

  /** Whether the trend after the latest bar is long (false before two bars have been seen). */
  isLong(s: number): boolean {
    return this.seen[s] >= 2 && this.long[s] === 1;
  }

  /** The stop that will be in force during the next bar (NaN before two bars have been seen). */
  next(s: number): number {
    return this.sar[s];
  }

  update(s: number, bars: BarSeries, i: number): void {
    const h = bars.high[i];
    const l = bars.low[i];
    const ph = this.prevHigh[s];
    const pl = this.prevLow[s];
    this.prevHigh[s] = h;
    this.prevLow[s] = l;
    const t = this.seen[s];
    if (t === 0) {
      this.seen[s] = 1;
      this.push(s, NaN);
      return;
    }
    let long: boolean;
    let sar: number;
    let ep: number;
    let af: number;
    if (t === 1) {
      this.seen[s] = 2;
      const fall = pl - l;
      long = !(fall > 0 && fall > h - ph);
      sar = long ? pl : ph;
      ep = long ? h : l;
      af = this.step;
      this.push(s, sar);
    } else {
      long = this.long[s] === 1;
      sar = this.sar[s];
      ep = this.ep[s];
      af = this.af[s];
      this.push(s, sar);
      if (long ? l <= sar : h >= sar) {
        if (long) {
          sar = Math.max(ep, ph, h);
          ep = l;
        } else {
          sar = Math.min(ep, pl, l);
          ep = h;
        }
        long = !long;
        af = this.step;
      } else if (long ? h > ep : l < ep) {
        ep = long ? h : l;
        af = Math.min(af + this.step, this.max);
      }
    }
    let next = sar + af * (ep - sar);
    if (long) {
      if (next > pl) next = pl;
      if (next > l) next = l;
    } else {
      if (next < ph) next = ph;
      if (next < h) next = h;
    }
    this.long[s] = long ? 1 : 0;
    this.sar[s] = next;
    this.ep[s] = ep;
    this.af[s] = af;
  }
}
