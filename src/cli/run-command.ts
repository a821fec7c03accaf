/** `backtest run`: its flags and help; the work is in run-action.ts, loaded only when the command runs. */
import type { Command } from 'commander';
import { addRunOptions, type RunFlags } from './run-options.js';
import { addAccountRiskOptions, type AccountRiskFlags } from './account-risk-options.js';

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .summary('run one backtest and print its metrics (or JSON)')
    .description(
      'Run one backtest in this process and store it like the service does (it appears in the GraphQL API). Validation is the service\'s own: a bad flag prints one line naming it and exits with code 2.',
    );
  addAccountRiskOptions(addRunOptions(cmd))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest run --strategy sma-crossover --dataset demo --symbols SPX --period day \\
      --param fastPeriod=50 --param slowPeriod=200 --param quantity=10 --param entry=limit \\
      --commission-per-unit 0.005 --commission-min 1 --cash 100000
  $ backtest run --strategy rebalance --dataset synthetic-daily --symbols EQUITY,BONDS --period day \
      --account cash --max-drawdown-pct 25
  $ npx backtest run --strategy buy-and-hold --symbols SPX --period DAY --start 2010-01-01 --json > run.json`,
    )
    .action(async (flags: RunFlags & AccountRiskFlags) => {
      const { runBacktest } = await import('./run-action.js');
      process.exitCode = await runBacktest(flags);
    });
}
