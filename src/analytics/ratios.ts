/** Calmar and Omega(0) (CONVENTIONS.md "Risk and return"). */

/** cagr / maxDrawdown over the whole run; NaN when either is missing or there is no drawdown. */
export function calmar(cagr: number | null, maxDrawdown: number): number {
  return cagr === null || maxDrawdown === 0 ? NaN : cagr / maxDrawdown;
}

/** Σ max(r, 0) / Σ max(-r, 0), threshold 0 per period; NaN when no return is negative. */
export function omega(returns: Float64Array): number {
  let gains = 0;
  let losses = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    if (r > 0) gains += r;
    else losses -= r;
  }
  return losses === 0 ? NaN : gains / losses;
}
