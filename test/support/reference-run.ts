/** The SPX reference backtest run in-process: the input of the reference file on the real S&P 500 bars. */
import { PERIODS_PER_YEAR, runBacktest, smaCrossover, validateStrategyParams } from '../../src/engine/index.js';
import { loadReference, loadSp500 } from './sp500.js';

export function runReferenceBacktest() {
  const ref = loadReference();
  const bars = loadSp500();
  const checked = validateStrategyParams(smaCrossover, ref.input.params);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const params = checked.values;
  const result = runBacktest({
    series: [bars],
    strategy: smaCrossover,
    params,
    initialCash: ref.input.initialCash,
    commission: ref.input.commission,
    slippage: ref.input.slippageBps,
    periodsPerYear: PERIODS_PER_YEAR.DAY,
  });
  return { ref, bars, params, result };
}
