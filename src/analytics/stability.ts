/**
 * Stability of the equity curve: least squares of ln E[t] on the time in years since the first
 * point (CONVENTIONS.md "Risk and return"). Two passes (means, then centred sums).
 */
import { DAY_MS, YEAR_DAYS } from './returns.js';

export interface Stability {
  /** NaN when undefined: fewer than 2 points, an equity <= 0, all times equal, or constant equity. */
  readonly rSquared: number;
  /** Log growth per year; NaN when fewer than 2 points, an equity <= 0 or all times equal. */
  readonly slope: number;
}

export function stability(time: Float64Array, equity: Float64Array, points = equity.length): Stability {
  const none = { rSquared: NaN, slope: NaN };
  if (points < 2) return none;
  const t0 = time[0];
  // ln E[t] - ln E[0]: the shift changes neither slope nor R², and a flat curve gives exact zeros.
  // Kept from the first pass (one logarithm per point, not two).
  const y = new Float64Array(points);
  const y0 = Math.log(equity[0]);
  const yearMs = YEAR_DAYS * DAY_MS;
  let sx = 0;
  let sy = 0;
  for (let t = 0; t < points; t++) {
    if (!(equity[t] > 0)) return none;
    sx += (time[t] - t0) / yearMs;
    sy += y[t] = Math.log(equity[t]) - y0;
  }
  const mx = sx / points;
  const my = sy / points;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < points; t++) {
    const dx = (time[t] - t0) / yearMs - mx;
    const dy = y[t] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0) return none;
  return { slope: sxy / sxx, rSquared: syy === 0 ? NaN : (sxy * sxy) / (sxx * syy) };
}
