/** `backtest import`: its flags and help; the work is in import-action.ts, loaded only when the command runs. */
import { Argument, Option, type Command } from 'commander';
import { BAR_PERIODS } from '../engine/bars.js';
import type { CsvColumns, CsvFormat, TimeFormat } from '../data/csv-layout.js';
import { ON_INVALID_ROW } from '../data/csv-parse.js';
import { TimeZone, UnknownTimeZoneError } from '../data/time-zone.js';
import { choiceFlag, datasetIdFlag, symbolFlag } from './flag-parsers.js';
import type { ImportFlags } from './import-action.js';
import { UsageError, quote } from './usage-error.js';

const TIME_FORMATS = ['iso-date', 'iso-datetime', 'epoch-s', 'epoch-ms'] as const satisfies readonly TimeFormat[];
const FORMATS = ['yahoo', 'generic'] as const satisfies readonly CsvFormat[];
const ROLES = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export function register(program: Command): void {
  program
    .command('import')
    .summary('import a bar CSV into a dataset')
    .description(
      'Import a CSV of bars into a dataset, all or nothing: every row is validated (prices > 0, low <= open, close <= high, volume >= 0, timestamps increasing and fitting --period) before one write; a bad row is refused naming its line. Timestamps without an offset are UTC unless --timezone names a zone; plain dates (YYYY-MM-DD) are calendar days stored at 00:00 UTC whatever the zone. DAY bars: at most one per UTC day; HOUR, MINUTE and SECOND bars: on a whole UTC hour, minute or second.',
    )
    .addArgument(new Argument('<file>', 'the CSV file'))
    .addOption(new Option('--dataset <id>', 'dataset to import into, created if new: lowercase letters, digits, _ or - (required)').argParser(datasetIdFlag('--dataset')).makeOptionMandatory())
    .addOption(new Option('--symbol <symbol>', 'symbol of the bars (required)').argParser(symbolFlag('--symbol')).makeOptionMandatory())
    .addOption(new Option('--period <period>', `bar period: ${BAR_PERIODS.join(', ')}, any case (required)`).argParser(choiceFlag('--period', BAR_PERIODS)).makeOptionMandatory())
    .addOption(new Option('--format <format>', 'yahoo (Date,Open,High,Low,Close,Adj Close,Volume; Adj Close is ignored) or generic (needs --columns)').default('yahoo').argParser(choiceFlag('--format', FORMATS)))
    .addOption(new Option('--columns <map>', 'generic layout: role=Header pairs for time, open, high, low, close[, volume], e.g. time=ts,open=o,high=h,low=l,close=c').argParser(parseColumns))
    .addOption(new Option('--time-format <format>', `${TIME_FORMATS.join(', ')} (default: iso-date for yahoo, iso-datetime for generic)`).argParser(choiceFlag('--time-format', TIME_FORMATS)))
    .addOption(new Option('--timezone <zone>', 'IANA time zone of date-times written without an offset, e.g. America/New_York (default UTC; DST handled)').argParser(timeZoneFlag))
    .addOption(new Option('--on-invalid <action>', 'rows whose prices are all null or empty (Yahoo writes them for holidays): fail, or skip and report them; any case').default('fail').argParser(choiceFlag('--on-invalid', ON_INVALID_ROW)))
    .addOption(new Option('--replace', 'overwrite the bars already stored for this symbol and period').default(false))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest import SPY.csv --dataset mydata --symbol SPY --period day                  # a Yahoo Finance download
  $ backtest import SPY.csv --dataset mydata --symbol SPY --period day --on-invalid skip --replace
  $ npx backtest import ticks.csv --dataset mydata --symbol ACME --period minute --format generic \\
      --columns time=ts,open=o,high=h,low=l,close=c,volume=v --time-format epoch-ms
  $ backtest import es.csv --dataset futures --symbol ES --period hour --format generic \\
      --columns time=Datetime,open=Open,high=High,low=Low,close=Close --timezone America/Chicago`,
    )
    .action(async (file: string, flags: ImportFlags) => {
      const { importFile } = await import('./import-action.js');
      await importFile(file, flags);
    });
}

/** `--columns time=Date,open=Open,...` for the generic layout; role names in any case. */
function parseColumns(text: string): CsvColumns {
  const map: Partial<Record<(typeof ROLES)[number], string>> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const role = ROLES.find((r) => r === part.slice(0, Math.max(eq, 0)).trim().toLowerCase());
    const header = part.slice(eq + 1).trim();
    if (eq <= 0 || role === undefined || header === '') {
      throw new UsageError(`--columns: expected role=Header pairs with roles ${ROLES.join(', ')}, got ${quote(part)}`);
    }
    if (map[role] !== undefined) throw new UsageError(`--columns: ${role} is given twice`);
    map[role] = header;
  }
  for (const role of ROLES.slice(0, 5)) if (map[role] === undefined) throw new UsageError(`--columns: missing ${role}=<header>`);
  return map as CsvColumns;
}

function timeZoneFlag(text: string): string {
  try {
    return new TimeZone(text).name;
  } catch (e) {
    if (e instanceof UnknownTimeZoneError) throw new UsageError(`--timezone: ${e.message}`);
    throw e;
  }
}
