/**
 * Streams a bar CSV from disk through BarCsvParser, then stores it with writeBars.
 * Every row is validated before the single write transaction, so a bad file writes nothing.
 * Timestamps without an offset are UTC unless `timeZone` names an IANA zone.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { BarPeriod } from '../engine/bars.js';
import { getCoverage, writeBars, type Coverage } from './bar-store.js';
import type { CsvLayoutOptions } from './csv-layout.js';
import { BarCsvParser, type CsvRowRules, type SkippedRows } from './csv-parse.js';
import type { AppDatabase } from './db.js';
import { BarsExistError } from './errors.js';
import type { MarketStorage } from './storage.js';

export { CsvImportError, ON_INVALID_ROW, type OnInvalidRow, type SkippedRows } from './csv-parse.js';
export { UnknownTimeZoneError } from './time-zone.js';
export type { CsvColumns, CsvFormat, TimeFormat } from './csv-layout.js';

export interface ImportCsvOptions extends CsvLayoutOptions, Omit<CsvRowRules, 'period'> {
  readonly file: string;
  readonly dataset: string;
  readonly symbol: string;
  readonly period: BarPeriod;
  /** Overwrite bars already stored for this instrument and period. */
  readonly replace?: boolean;
  /** Display name if the dataset is new. */
  readonly datasetName?: string;
  /** Called about every 100k rows and once at the end. */
  readonly onProgress?: (rowsDone: number, bytesDone: number, totalBytes: number) => void;
}

const PROGRESS_EVERY = 100_000;

/** What was stored, and which rows were skipped for having no prices (onInvalid: 'skip'). */
export interface ImportResult extends Coverage {
  readonly skipped: SkippedRows;
}

export function importCsv(app: AppDatabase, o: ImportCsvOptions): Promise<ImportResult> {
  return importCsvInto({ getCoverage: async (key) => getCoverage(app, key), writeBars: async (input) => writeBars(app, input) }, o);
}

/** importCsv into a Storage (SQLite or Postgres). */
export async function importCsvInto(storage: Pick<MarketStorage, 'getCoverage' | 'writeBars'>, o: ImportCsvOptions): Promise<ImportResult> {
  const key = { dataset: o.dataset, symbol: o.symbol, period: o.period };
  // Fail before reading a large file; writeBars checks again inside its transaction.
  const existing = await storage.getCoverage(key);
  if (existing && !o.replace) throw new BarsExistError(o.dataset, o.symbol, o.period, existing.bars);

  const totalBytes = (await stat(o.file)).size;
  const parser = new BarCsvParser({
    format: o.format,
    columns: o.columns,
    timeFormat: o.timeFormat,
    period: o.period,
    onInvalid: o.onInvalid,
    timeZone: o.timeZone,
    totalChars: totalBytes,
  });
  const decoder = new StringDecoder('utf8');
  let bytesDone = 0;
  let nextReport = PROGRESS_EVERY;
  for await (const chunk of createReadStream(o.file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytesDone += chunk.length;
    parser.push(decoder.write(chunk));
    if (o.onProgress && parser.rows >= nextReport) {
      o.onProgress(parser.rows, bytesDone, totalBytes);
      nextReport = (Math.floor(parser.rows / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
    }
  }
  parser.push(decoder.end());
  const series = parser.end(o.symbol);
  o.onProgress?.(series.length, bytesDone, totalBytes);
  const coverage = await storage.writeBars({ ...key, series, replace: o.replace, datasetName: o.datasetName });
  return { ...coverage, skipped: parser.skipped };
}
