/**
 * Leverage and turnover (CONVENTIONS.md "Risk and return"). Gross exposure is rebuilt from the
 * fills and the bars: walking the run's timestamps, each symbol's last close at or before the
 * timestamp and its position after that timestamp's fills, as the engine marks the equity. One
 * pass over the points, the bars and the fills.
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

export function exposure(
  time: Float64Array,
  equity: Float64Array,
  bars: readonly BarSeries[],
  fills: readonly ExposureFill[],
  points = equity.length,
): Exposure {
  const symbols = bars.length;
  const position = new Float64Array(symbols);
  const close = new Float64Array(symbols);
  const cursor = new Int32Array(symbols);
  const held: number[] = [];
  let nextFill = 0;
  let leverageSum = 0;
  let maxLeverage = 0;
  let equitySum = 0;
  let nonPositive = false;
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
    let gross = 0;
    for (let h = 0; h < held.length; h++) gross += Math.abs(position[held[h]]) * close[held[h]];
    const e = equity[t];
    if (!(e > 0)) nonPositive = true;
    const leverage = gross / e;
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
