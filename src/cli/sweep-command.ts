/** `backtest sweep`: its flags and help; the work is in sweep-action.ts, loaded only when the command runs. */
import { Option, type Command } from 'commander';
import { collect, integerFlag } from './flag-parsers.js';
import { addRunOptions } from './run-options.js';
import type { SweepFlags } from './sweep-action.js';

export function register(program: Command): void {
  const cmd = program
    .command('sweep')
    .summary('run a parameter sweep on a local worker pool')
    .description(
      'Run every combination of a parameter grid (validated first, like the service\'s runSweep), rank them by an objective and print the best; with --keep-top, re-run the best as ordinary runs with fills and equity curves.',
    );
  addRunOptions(cmd)
    .addOption(
      new Option('--grid <name=values>', 'swept parameter, repeatable: name=min:max[:step] (numeric) or name=a,b,c (required)')
        .argParser(collect)
        .makeOptionMandatory(),
    )
    // Checked against the metric names when the sweep is validated, so the list has one home (sweep-input.ts).
    .addOption(new Option('--objective <metric>', 'metric to rank by, any case, e.g. sharpe, sortino, totalReturn, cagr, maxDrawdown, profitFactor (default sharpe)'))
    .addOption(new Option('--minimize', 'rank the lowest objective first (default: highest first)').default(false))
    .addOption(new Option('--keep-top <n>', 're-run the best n combinations as full runs with fills and equity curves, after the table is printed (default 0: none)').argParser(integerFlag('--keep-top', { min: 0 })))
    .addOption(new Option('--max-combinations <n>', 'refuse grids larger than this (default 10000)').argParser(integerFlag('--max-combinations', { min: 1 })))
    .addOption(new Option('--top <n>', 'rows in the printed table').default(10).argParser(integerFlag('--top', { min: 1, max: 10_000 })))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest sweep --strategy sma-crossover --symbols SPX --period DAY \\
      --grid fastPeriod=10:100:10 --grid slowPeriod=50,100,200 --objective sharpe --keep-top 3
  $ npx backtest sweep --strategy sma-crossover --dataset sim --symbols X,Y --period minute \\
      --grid fastPeriod=5:15:5 --grid entry=market,limit --minimize --objective maxDrawdown --json`,
    )
    .action(async (flags: SweepFlags) => {
      const { runSweep } = await import('./sweep-action.js');
      process.exitCode = await runSweep(flags);
    });
}
