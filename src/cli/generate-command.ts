/** `backtest generate`: flags and help; the work is in generate-action.ts, loaded only when the command runs. */
import { Option, type Command } from 'commander';
import { BAR_PERIODS } from '../engine/bars.js';
import { dayRange, DayRangeError } from '../data/day-range.js';
import { choiceFlag, datasetIdFlag, integerFlag, symbolListFlag } from './flag-parsers.js';
import type { GenerateFlags } from './generate-action.js';
import { UsageError, quote } from './usage-error.js';

export const MAX_GENERATED_BARS = 50_000_000;

export function register(program: Command): void {
  program
    .command('generate')
    .summary('generate synthetic bars into a dataset')
    .description('Generate synthetic OHLCV bars (a seeded random walk, the same for the same seed) for each symbol, one bar every period without gaps.')
    .addOption(new Option('--dataset <id>', 'dataset to write into, created if new: lowercase letters, digits, _ or - (required)').argParser(datasetIdFlag('--dataset')).makeOptionMandatory())
    .addOption(new Option('--symbols <list>', 'comma-separated symbols, e.g. X,Y (required)').argParser(symbolListFlag('--symbols')).makeOptionMandatory())
    .addOption(new Option('--period <period>', `bar period: ${BAR_PERIODS.join(', ')}, any case (required)`).argParser(choiceFlag('--period', BAR_PERIODS)).makeOptionMandatory())
    .addOption(new Option('--bars <n>', `bars per symbol, 1 to ${MAX_GENERATED_BARS} (required)`).argParser(integerFlag('--bars', { min: 1, max: MAX_GENERATED_BARS })).makeOptionMandatory())
    .addOption(new Option('--seed <n>', 'random seed of the first symbol; the next symbols use seed+1, seed+2, ...').default(1).argParser(integerFlag('--seed', { min: 0, max: 2 ** 31 - 1 })))
    .addOption(new Option('--start <date>', 'day of the first bar, YYYY-MM-DD (UTC; default 2020-01-01)').argParser(startFlag))
    .addOption(new Option('--replace', 'overwrite the bars already stored for these symbols and period').default(false))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest generate --dataset sim --symbols X,Y --period minute --bars 1000000 --seed 7
  $ npx backtest generate --dataset daily --symbols A --period DAY --bars 5000 --start 2000-01-03 --replace`,
    )
    .action(async (flags: GenerateFlags) => {
      const { generate } = await import('./generate-action.js');
      await generate(flags);
    });
}

function startFlag(text: string): number {
  try {
    return dayRange(text).from as number;
  } catch (e) {
    if (e instanceof DayRangeError) throw new UsageError(`--start: expected a YYYY-MM-DD date, got ${quote(text)}`);
    throw e;
  }
}
