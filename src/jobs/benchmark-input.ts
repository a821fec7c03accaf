/**
 * Validation of a run's `benchmark` and `riskFreeRate` inputs (CONVENTIONS.md "Benchmark",
 * "Risk-free rate"), called from validateRunInput so runs and sweeps check them alike.
 */
import type { BarPeriod } from '../engine/bars.js';
import { brief } from '../engine/brief.js';
import { coverageIn, type DatasetInfo } from '../data/bar-store.js';
import type { BenchmarkSpec } from '../data/run-types.js';
import type { NumberRange } from './number-range.js';

/** An annual fraction: from -10 % (negative policy rates) to 100 %. */
export const RISK_FREE_RATE_RANGE: NumberRange = { min: -0.1, max: 1 };

export interface BenchmarkInput {
  /** Default: the run's dataset. */
  readonly dataset?: string | null;
  readonly symbol?: string | null;
}

const MAX_ID_CHARS = 64;
const SYMBOL = /^[A-Za-z0-9._^=-]{1,32}$/;

/**
 * The benchmark to store, or null for none. `runDataset` is undefined when the run's own dataset is
 * invalid (then a missing benchmark dataset is not reported a second time). Problems go to `fail`
 * as `benchmark.dataset` / `benchmark.symbol`.
 */
export function validateBenchmark(
  datasets: readonly DatasetInfo[],
  input: BenchmarkInput | null | undefined,
  runDataset: string | undefined,
  period: BarPeriod | null,
  fail: (name: string, message: string) => void,
): BenchmarkSpec | null {
  if (input == null) return null;
  if (typeof input !== 'object' || Array.isArray(input)) {
    fail('benchmark', 'must be an object { dataset, symbol }');
    return null;
  }
  const symbol = input.symbol;
  let ok = true;
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) {
    fail('benchmark.symbol', `must be 1 to 32 letters, digits or . _ ^ = -, got ${brief(symbol, 40)}`);
    ok = false;
  }
  let dataset = runDataset;
  if (input.dataset != null) {
    if (typeof input.dataset === 'string' && input.dataset.length <= MAX_ID_CHARS && datasets.some((d) => d.id === input.dataset)) dataset = input.dataset;
    else {
      fail('benchmark.dataset', `unknown dataset ${brief(input.dataset, MAX_ID_CHARS)} (known: ${datasets.map((d) => d.id).join(', ') || 'none'})`);
      ok = false;
    }
  }
  if (!ok || dataset === undefined || period === null) return null;
  if (coverageIn(datasets, { dataset, symbol: symbol as string, period }) === null) {
    fail('benchmark.symbol', `no ${period} bars for ${symbol as string} in dataset ${dataset} (the benchmark needs bars of the run's period)`);
    return null;
  }
  return { dataset, symbol: symbol as string };
}
