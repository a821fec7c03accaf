/**
 * Leverage and turnover (CONVENTIONS.md "Risk and return"). Gross exposure is Σ abs(position) ×
 * last close after each timestamp's fills, as the engine marks the equity. While the positions never
 * point both ways at once (no long and short together) that is exactly abs(equity - cash), read from
 * the stored curve; only a run that is long some symbols and short others at the same time needs
 * its bars, walked once with the fills. One pass either way.
 */
import type { BarSeries } from '../engine/bars.js';
import type { Fill } from '../engine/orders.js';
import { DAY_MS, YEAR_DAYS } from './returns.js';

export type ExposureFill = Pick<Fill, 'symbolIndex' | 'time' | 'side' | 'quantity' | 'price'>;

export interface Exposure {
  /** Mean of gross / equity over all points (flat points count 0); NaN without points or with an equity <= 0. */
  readonly averageLeverage: number;
  readonly maxLeverage: number;
  /** Σ abs(quantity × price) over the fills / mean equity / years; NaN when the run spans no time. */
  readonly turnover: number;
}

export interface ExposureCurve {
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
}

/** `bars`: the run's series in its symbol order (fills' symbolIndex), read only when positions are mixed. */
export function exposure(curve: ExposureCurve, bars: () => readonly BarSeries[], fills: readonly ExposureFill[], points = curve.equity.length): Exposure {
  const { time, equity, cash } = curve;
  // Positions all on one side: Σ abs(q) × c = abs(Σ q × c) = abs(equity - cash).
  const gross = mixedSides(fills) ? grossFromBars(time, bars(), fills, points) : null;
  let leverageSum = 0;
  let maxLeverage = 0;
  let equitySum = 0;
  let nonPositive = false;
  for (let t = 0; t < points; t++) {
    const e = equity[t];
    if (!(e > 0)) nonPositive = true;
    const leverage = (gross ? gross[t] : Math.abs(e - cash[t])) / e;
    leverageSum += leverage;
    if (leverage > maxLeverage) maxLeverage = leverage;
    equitySum += e;
  }
  let traded = 0;
  for (const f of fills) traded += Math.abs(f.quantity * f.price);
  const years = points > 0 ? (time[points - 1] - time[0]) / DAY_MS / YEAR_DAYS : 0;
  const undefinedLeverage = points === 0 || nonPositive;
  return {
    averageLeverage: undefinedLeverage ? NaN : leverageSum / points,
    maxLeverage: undefinedLeverage ? NaN : maxLeverage,
    turnover: years > 0 ? traded / (equitySum / points) / years : NaN,
  };
}

/** True when, after some fill, one symbol is held long while another is held short. */
function mixedSides(fills: readonly ExposureFill[]): boolean {
  const position = new Map<number, number>();
  let longs = 0;
  let shorts = 0;
  for (const f of fills) {
    const before = position.get(f.symbolIndex) ?? 0;
    const after = before + (f.side === 'BUY' ? f.quantity : -f.quantity);
    position.set(f.symbolIndex, after);
    longs += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
    shorts += (after < 0 ? 1 : 0) - (before < 0 ? 1 : 0);
    if (longs > 0 && shorts > 0) return true;
  }
  return false;
}

function grossFromBars(time: Float64Array, bars: readonly BarSeries[], fills: readonly ExposureFill[], points: number): Float64Array {
  const symbols = bars.length;
  const position = new Float64Array(symbols);
  const close = new Float64Array(symbols);
  const cursor = new Int32Array(symbols);
  const held: number[] = [];
  const gross = new Float64Array(points);
  let nextFill = 0;
  for (let t = 0; t < points; t++) {
    const now = time[t];
    for (let s = 0; s < symbols; s++) {
      const b = bars[s];
      let c = cursor[s];
      while (c < b.length && b.time[c] <= now) c++;
      if (c !== cursor[s]) {
        cursor[s] = c;
        close[s] = b.close[c - 1];
      }
    }
    let changed = false;
    while (nextFill < fills.length && fills[nextFill].time <= now) {
      const f = fills[nextFill++];
      position[f.symbolIndex] += f.side === 'BUY' ? f.quantity : -f.quantity;
      changed = true;
    }
    if (changed) {
      held.length = 0;
      for (let s = 0; s < symbols; s++) if (position[s] !== 0) held.push(s);
    }
    let g = 0;
    for (let h = 0; h < held.length; h++) g += Math.abs(position[held[h]]) * close[held[h]];
    gross[t] = g;
  }
  return gross;
}
