/**
 * Drawdown of an equity curve: 1 - equity / running peak (docs/CONVENTIONS.md). A run's curve
 * (RunEquityCurve) and a stored one both compute it here, on first read, from the equity column;
 * the progress samples and the finite-results check follow the same running peak without a column.
 */
export function drawdownsOf(equity: Float64Array, n: number = equity.length): Float64Array {
  const out = new Float64Array(n);
  let peak = -Infinity;
  for (let k = 0; k < n; k++) {
    const e = equity[k];
    if (e > peak) peak = e;
    out[k] = 1 - e / peak;
  }
  return out;
}
