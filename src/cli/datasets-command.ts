/** `backtest datasets [list]`, `datasets delete ID`, `datasets rename ID NAME`: flags and help; the work is in datasets-action.ts. */
import { Option, type Command } from 'commander';
import { MAX_DATASET_NAME_CHARS } from '../data/dataset-name.js';

export function register(program: Command): void {
  const datasets = program
    .command('datasets')
    .summary('list, delete or rename datasets')
    .description('List datasets with their symbols and coverage (the default), delete one, or rename one.')
    .addHelpText(
      'after',
      `
Examples:
  $ backtest datasets
  $ backtest datasets delete mydata
  $ backtest datasets rename mydata "My data, 2010-2020 daily"`,
    );

  datasets
    .command('list', { isDefault: true })
    .description('List every dataset: id, name, and each symbol\'s bars per period (first, last, count).')
    .addOption(new Option('--json', 'print JSON instead of a table'))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest datasets list
  $ npx backtest datasets --json`,
    )
    .action(async (flags: { json?: boolean }) => (await import('./datasets-action.js')).listDatasetsCommand(flags.json === true));

  datasets
    .command('delete')
    .argument('<id>', 'id of the dataset, as listed by `backtest datasets`')
    .description(
      'Delete a dataset with its symbols and bars. Refused while a run or sweep on it is queued or running; finished runs that used it stay readable.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ backtest datasets delete mydata`,
    )
    .action(async (id: string) => (await import('./datasets-action.js')).deleteDatasetCommand(id));

  datasets
    .command('rename')
    .argument('<id>', 'id of the dataset, as listed by `backtest datasets`')
    .argument('<name>', `its new display name: 1 to ${MAX_DATASET_NAME_CHARS} characters, not another dataset's name (quote it if it has spaces)`)
    .description('Set a dataset\'s display name. Its id, which runs and --dataset refer to, stays the same.')
    .addHelpText(
      'after',
      `
Examples:
  $ backtest datasets rename mydata "S&P 500 daily, from Yahoo"`,
    )
    .action(async (id: string, name: string) => (await import('./datasets-action.js')).renameDatasetCommand(id, name));
}
