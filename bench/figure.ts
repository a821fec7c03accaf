/** One measured figure, as written to bench/results.json. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** A benchmark section: measures and returns its figures; prints nothing itself. */
export type BenchSection = () => Promise<Figure[]>;

/** Best-of-n wall time in ms of a synchronous function (the minimum is the least noisy estimate). */
export function bestOf(n: number, fn: () => void): number {
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
