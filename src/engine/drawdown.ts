/**
 * Drawdown of an equity curve: 1 - equity / running peak (docs/CONVENTIONS.md). The engine writes
 * it while folding points into its metrics (MetricsAccumulator.addBlock, same arithmetic); stored
 * curves recompute it on read from the equity column, so the two agree bit for bit.
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
