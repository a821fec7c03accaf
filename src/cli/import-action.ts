/** `backtest import`: reads, validates and stores the file, then reports what was imported and skipped. */
import { existsSync, statSync } from 'node:fs';
import type { BarPeriod } from '../engine/bars.js';
import { CsvImportError, importCsvInto, type CsvColumns, type CsvFormat, type OnInvalidRow, type TimeFormat } from '../data/csv-import.js';
import { BarsExistError } from '../data/errors.js';
import { ProgressBar } from './progress-bar.js';
import { formatBarTime } from './table.js';
import { UsageError, quote } from './usage-error.js';
import { withStorage } from './with-storage.js';

export interface ImportFlags {
  readonly dataset: string;
  readonly symbol: string;
  readonly period: BarPeriod;
  readonly format: CsvFormat;
  readonly columns?: CsvColumns;
  readonly timeFormat?: TimeFormat;
  readonly timezone?: string;
  readonly onInvalid: OnInvalidRow;
  readonly replace: boolean;
}

export async function importFile(file: string, flags: ImportFlags): Promise<void> {
  if (flags.format === 'generic' && flags.columns === undefined) throw new UsageError('--columns is required with --format generic');
  if (flags.format === 'yahoo' && flags.columns !== undefined) throw new UsageError('--columns is for --format generic; the yahoo layout has fixed columns');
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`import: no such file: ${quote(file)}`);
  await withStorage(async (storage) => {
    const bar = new ProgressBar(`import ${flags.symbol}`);
    const t0 = performance.now();
    const result = await importCsvInto(storage, {
      file,
      dataset: flags.dataset,
      symbol: flags.symbol,
      period: flags.period,
      format: flags.format,
      columns: flags.columns,
      timeFormat: flags.timeFormat,
      timeZone: flags.timezone,
      onInvalid: flags.onInvalid,
      replace: flags.replace,
      onProgress: (rows, bytes, total) => bar.update(total === 0 ? 1 : bytes / total, () => `${rows.toLocaleString('en-US')} rows`),
    }).catch((e: unknown) => {
      bar.done();
      throw explain(e);
    });
    bar.done();
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `imported ${result.bars.toLocaleString('en-US')} ${flags.period} bars of ${flags.symbol} into ${flags.dataset} ` +
        `(${formatBarTime(result.first, flags.period)} .. ${formatBarTime(result.last, flags.period)}) in ${secs.toFixed(2)} s`,
    );
    const { count, lines } = result.skipped;
    if (count > 0) {
      const more = count > lines.length ? ', ...' : '';
      console.log(`skipped ${count.toLocaleString('en-US')} row${count === 1 ? '' : 's'} without prices (line${count === 1 ? '' : 's'} ${lines.join(', ')}${more})`);
    }
  });
}

/** Data-layer refusals, worded for the command line. */
function explain(e: unknown): unknown {
  if (e instanceof CsvImportError && e.skippable) return new Error(`${e.message}; --on-invalid skip skips such rows`);
  if (e instanceof BarsExistError) return new Error(e.message.replace('use replace', 'use --replace'));
  return e;
}
