/**
 * The analytics' run inputs (`benchmark`, `riskFreeRate`) and the unit rule, shared by
 * RunBacktestInput and RunSweepInput. Kept apart from analytics.ts so run.ts can import it without
 * an import cycle.
 */
import { describeRange } from '../jobs/number-range.js';
import { RISK_FREE_RATE_RANGE, type BenchmarkInput } from '../jobs/benchmark-input.js';
import { builder } from './builder.js';

/** The one unit rule of the API, repeated in the descriptions that carry numbers. */
export const UNIT_RULE = 'Returns, rates and ratios are fractions (0.05 = 5 %); money is in the account currency.';

export const BenchmarkInputRef = builder.inputType('BenchmarkInput', {
  description: "Buy-and-hold of one symbol over the run's own timestamps, with the run's initial cash (CONVENTIONS.md \"Benchmark\").",
  fields: (t) => ({
    dataset: t.id({ description: "Default: the run's dataset." }),
    symbol: t.string({ required: true, description: "Needs bars of the run's period." }),
  }),
});

export const BENCHMARK_INPUT_DOC = 'Compare the run with buy-and-hold of this symbol (analytics.benchmark, EquityPoint.benchmark). Default: none.';
export const RISK_FREE_RATE_DOC = `Annual risk-free rate, a fraction (0.02 = 2 %), ${describeRange(RISK_FREE_RATE_RANGE)}; default 0. Sharpe, Sortino, rolling Sharpe and alpha use excess returns over (1 + rate)^(1/periodsPerYear) - 1 per period.`;

/** The GraphQL benchmark argument as validateRunInput takes it. */
export function toBenchmarkInput(b: { dataset?: string | number | null; symbol: string } | null | undefined): BenchmarkInput | null {
  return b == null ? null : { dataset: b.dataset == null ? null : String(b.dataset), symbol: b.symbol };
}
