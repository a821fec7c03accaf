/**
 * Stability of the equity curve: least squares of ln E[t] on the time in years since the first
 * point (CONVENTIONS.md "Risk and return"), in one pass.
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
  const y0 = Math.log(equity[0]);
  const yearMs = YEAR_DAYS * DAY_MS;
  // One pass of Welford's co-moment updates: centred sums without a second pass or a scratch array.
  let mx = 0;
  let my = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < points; t++) {
    if (!(equity[t] > 0)) return none;
    const x = (time[t] - t0) / yearMs;
    const y = Math.log(equity[t]) - y0;
    const n = t + 1;
    const dx = x - mx;
    const dy = y - my;
    mx += dx / n;
    my += dy / n;
    sxx += dx * (x - mx);
    syy += dy * (y - my);
    sxy += dx * (y - my);
  }
  if (sxx === 0) return none;
  return { slope: sxy / sxx, rSquared: syy === 0 ? NaN : (sxy * sxy) / (sxx * syy) };
}
