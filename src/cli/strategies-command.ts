/** `backtest strategies`: flags and help; the work is in strategies-action.ts, loaded only when the command runs. */
import { Option, type Command } from 'commander';

export function register(program: Command): void {
  program
    .command('strategies')
    .summary('list strategies with their parameters')
    .description('List the built-in strategies and those loaded from STRATEGIES_DIR, with each parameter\'s type, default and allowed values.')
    .addOption(new Option('--json', 'print JSON instead of tables'))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest strategies
  $ STRATEGIES_DIR=./my-strategies npx backtest strategies --json`,
    )
    .action(async (flags: { json?: boolean }) => {
      const { listStrategies } = await import('./strategies-action.js');
      await listStrategies(flags.json === true);
    });
}
