/** Calmar and Omega(0) (CONVENTIONS.md "Risk and return"). */

/** cagr / maxDrawdown over the whole run; NaN when either is missing or there is no drawdown. */
export function calmar(cagr: number | null, maxDrawdown: number): number {
  return cagr === null || maxDrawdown === 0 ? NaN : cagr / maxDrawdown;
}

/** Σ max(r, 0) / Σ max(-r, 0), threshold 0 per period; NaN when no return is negative. */
export function omega(returns: Float64Array): number {
  let gains = 0;
  let losses = 0;
  // Without a branch (the sign of a return is a coin flip the branch predictor loses): for r > 0,
  // (|r| + r) / 2 = r and (|r| - r) / 2 = 0, the other way round for r < 0, each exactly; adding 0
  // leaves a sum as it is, so the sums are those of the branch, bit for bit.
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    const a = Math.abs(r);
    gains += 0.5 * (a + r);
    losses += 0.5 * (a - r);
  }
  return losses === 0 ? NaN : gains / losses;
}
