/**
 * Sharpe and Sortino over excess returns, with the risk-free rate turned into a per-period rate
 * (CONVENTIONS.md "Risk-free rate"). With rate 0 these are exactly the engine's metrics.
 */

export interface RiskAdjusted {
  /** NaN when fewer than 2 returns or their stdev is 0. */
  readonly sharpe: number;
  /** NaN when no return is below the risk-free rate. */
  readonly sortino: number;
}

export function riskAdjusted(returns: Float64Array, periodsPerYear: number, rfPerPeriod: number): RiskAdjusted {
  const n = returns.length;
  if (n === 0) return { sharpe: NaN, sortino: NaN };
  let s = 0;
  let downside = 0;
  for (let i = 0; i < n; i++) {
    s += returns[i];
    const x = returns[i] - rfPerPeriod;
    if (x < 0) downside += x * x;
  }
  const mean = s / n;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mean;
    m2 += d * d;
  }
  const annual = Math.sqrt(periodsPerYear);
  const stdev = n >= 2 ? Math.sqrt(m2 / (n - 1)) : 0;
  const down = Math.sqrt(downside / n);
  return {
    sharpe: stdev === 0 ? NaN : ((mean - rfPerPeriod) / stdev) * annual,
    sortino: down === 0 ? NaN : ((mean - rfPerPeriod) / down) * annual,
  };
}
