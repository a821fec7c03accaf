/**
 * Push-based bar CSV parser with full validation. Text goes in in arbitrary pieces (so a
 * file can be streamed); any bad row stops the parse with CsvImportError naming the line,
 * except rows without prices (Yahoo's holiday rows) when asked to skip them.
 * Rows are read as index ranges into the incoming text, not split into strings: at
 * millions of rows the per-field strings were most of the cost.
 */
import type { BarPeriod, BarSeries } from '../engine/bars.js';
import { resolveLayout, type CsvLayoutOptions, type ResolvedLayout, type TimeFormat } from './csv-layout.js';
import { PERIOD_UNIT, periodMismatch } from './csv-period.js';
import { fastDecimal } from './decimal.js';
import { parseIsoDate, parseIsoDateTime, readIsoDateTime, type WrittenDateTime } from './iso-time.js';
import { SeriesBuilder } from './series-builder.js';
import { TimeZone } from './time-zone.js';

/** The whole import is refused; `line` is 1-based, counting the header as line 1. */
export class CsvImportError extends Error {
  override readonly name = 'CsvImportError';
  constructor(
    readonly line: number,
    readonly reason: string,
    /** True for a row without prices, which onInvalid: 'skip' would have skipped. */
    readonly skippable = false,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** What to do with a row whose prices are all null or empty: refuse the file, or skip the row. */
export type OnInvalidRow = 'fail' | 'skip';
export const ON_INVALID_ROW: readonly OnInvalidRow[] = ['fail', 'skip'];

/** Rows skipped for having no prices: how many, and the first few line numbers. */
export interface SkippedRows {
  readonly count: number;
  readonly lines: readonly number[];
}

/** How many skipped line numbers are kept for the report. */
export const SKIPPED_LINES_REPORTED = 10;

const TIME_HINT: Record<TimeFormat, string> = {
  'iso-date': 'YYYY-MM-DD',
  'iso-datetime': 'YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]',
  'epoch-s': 'seconds since 1970-01-01 UTC',
  'epoch-ms': 'milliseconds since 1970-01-01 UTC',
};

/** Largest |epoch ms| a JS Date accepts. */
const MAX_TIME = 8.64e15;
const MAX_FIELDS = 256;
/** A bar row is ~60 characters; anything this long is not a bar CSV (and is not buffered further). */
export const MAX_LINE_CHARS = 65_536;
/** Longest piece of input quoted back in an error message, so a message stays one short line. */
const QUOTE_CHARS = 40;

export interface CsvRowRules {
  /** When given, timestamps must fit it (see csv-period.ts). */
  readonly period?: BarPeriod;
  /** Default 'fail'. */
  readonly onInvalid?: OnInvalidRow;
  /**
   * IANA zone for date-times written without an offset (default UTC). Plain dates are calendar
   * days and stay at 00:00 UTC; epoch times are UTC by definition.
   */
  readonly timeZone?: string;
}

export interface ParserOptions extends CsvLayoutOptions, CsvRowRules {
  /** Size of the whole input, to presize the columns from the first piece's line length. */
  readonly totalChars?: number;
}

export class BarCsvParser {
  private pending = '';
  private line = 0;
  private layout: ResolvedLayout | undefined;
  private readonly out = new SeriesBuilder();
  private prevLine = 0;
  private prevTimeText = '';
  private sized = false;
  private consumed = 0;
  /** Field boundaries of the current row within `src`. */
  private src = '';
  private readonly starts = new Int32Array(MAX_FIELDS);
  private readonly ends = new Int32Array(MAX_FIELDS);
  private fieldCount = 0;
  private readonly zone: TimeZone | undefined;
  private readonly written: WrittenDateTime = { wall: 0, offsetMs: null, hasTime: false };
  private skippedCount = 0;
  private readonly skippedLines: number[] = [];

  /** Throws UnknownTimeZoneError for a bad `timeZone`. */
  constructor(private readonly options: ParserOptions) {
    this.zone = options.timeZone === undefined ? undefined : new TimeZone(options.timeZone);
  }

  /** Data rows accepted so far. */
  get rows(): number {
    return this.out.length;
  }

  /** Rows skipped so far for having no prices (onInvalid: 'skip'). */
  get skipped(): SkippedRows {
    return { count: this.skippedCount, lines: [...this.skippedLines] };
  }

  push(text: string): void {
    const s = this.pending + text;
    let start = 0;
    if (this.line === 0 && s.charCodeAt(0) === 0xfeff) start = 1; // UTF-8 BOM
    let quote = s.indexOf('"', start);
    for (let nl = s.indexOf('\n', start); nl >= 0; nl = s.indexOf('\n', start)) {
      if (quote >= 0 && quote < start) quote = s.indexOf('"', start);
      this.onLine(s, start, nl, quote >= 0 && quote < nl);
      start = nl + 1;
    }
    this.consumed += start;
    if (s.length - start > MAX_LINE_CHARS) throw new CsvImportError(this.line + 1, tooLong());
    if (!this.sized && this.options.totalChars && this.line >= 1000) {
      this.sized = true;
      this.out.reserve(Math.ceil((this.options.totalChars / this.consumed) * this.line * 1.02) + 16);
    }
    this.pending = s.slice(start);
  }

  /** Flushes the last line and returns everything parsed. */
  end(symbol: string): BarSeries {
    const last = this.pending;
    this.pending = '';
    if (last.length > 0) this.onLine(last, 0, last.length, last.includes('"'));
    if (!this.layout) throw new CsvImportError(Math.max(1, this.line), 'missing header row');
    if (this.out.length === 0) {
      const skipped = this.skippedCount > 0 ? ` (${this.skippedCount} skipped without prices)` : '';
      throw new CsvImportError(this.line, `no data rows${skipped}`);
    }
    return this.out.toSeries(symbol);
  }

  /** One line: s[from, to), without its '\n'. */
  private onLine(s: string, from: number, to: number, quoted: boolean): void {
    const line = ++this.line;
    if (to - from > MAX_LINE_CHARS) throw new CsvImportError(line, tooLong());
    if (to > from && s.charCodeAt(to - 1) === 13) to--; // CRLF
    if (isBlank(s, from, to)) return; // e.g. a trailing empty line
    if (quoted) this.splitQuoted(s.slice(from, to));
    else this.splitPlain(s, from, to);
    const l = this.layout;
    if (!l) {
      const header = Array.from({ length: this.fieldCount }, (_, i) => this.text(i));
      const got = resolveLayout(header, this.options);
      if ('missing' in got) throw new CsvImportError(line, `missing column '${clip(got.missing)}'`);
      this.layout = got;
      return;
    }
    this.need(l.time, l.names.time, line);
    const timeText = this.text(l.time).trim();
    const n = this.out.length;
    const prev = n > 0 ? this.out.time[n - 1]! : NaN;
    const time = this.time(timeText, l.timeFormat, prev, line);
    if (this.pricesMissing(l, line)) {
      if (this.options.onInvalid !== 'skip') {
        throw new CsvImportError(line, `no prices (${l.names.open}, ${l.names.high}, ${l.names.low}, ${l.names.close} are null or empty)`, true);
      }
      this.skippedCount++;
      if (this.skippedLines.length < SKIPPED_LINES_REPORTED) this.skippedLines.push(line);
      return;
    }
    const open = this.price(l.open, l.names.open, line);
    const high = this.price(l.high, l.names.high, line);
    const low = this.price(l.low, l.names.low, line);
    const close = this.price(l.close, l.names.close, line);
    const volume = l.volume < 0 ? 0 : this.num(l.volume, l.names.volume, line);
    if (high < low) throw new CsvImportError(line, `high ${high} < low ${low}`);
    if (open < low || open > high) throw new CsvImportError(line, `open ${open} outside [low ${low}, high ${high}]`);
    if (close < low || close > high) throw new CsvImportError(line, `close ${close} outside [low ${low}, high ${high}]`);
    if (volume < 0) throw new CsvImportError(line, `negative volume ${volume}`);
    if (n > 0) {
      if (time === prev) {
        throw new CsvImportError(line, `duplicate timestamp '${clip(timeText)}' (same as line ${this.prevLine})`);
      }
      if (time < prev) {
        throw new CsvImportError(
          line,
          `timestamp '${clip(timeText)}' is out of order (before '${clip(this.prevTimeText)}' on line ${this.prevLine})`,
        );
      }
    }
    const period = this.options.period;
    if (period !== undefined) {
      const mismatch = periodMismatch(period, time, prev);
      if (mismatch === 'same-day') {
        throw new CsvImportError(
          line,
          `timestamp '${clip(timeText)}' is on the same UTC day as line ${this.prevLine} ('${clip(this.prevTimeText)}'): ` +
            'DAY bars are at most one per UTC day; intraday bars need a shorter period',
        );
      }
      if (mismatch === 'off-grid') {
        throw new CsvImportError(line, `timestamp '${clip(timeText)}' is not on a whole UTC ${PERIOD_UNIT[period]}, as ${period} bars must be`);
      }
    }
    this.out.push(time, open, high, low, close, volume);
    this.prevLine = line;
    this.prevTimeText = timeText;
  }

  /** Epoch ms of a row's timestamp; `prev` (the previous bar, or NaN) orders a repeated local hour. */
  private time(text: string, format: TimeFormat, prev: number, line: number): number {
    let time: number | undefined;
    const w = this.written;
    if (this.zone === undefined || format !== 'iso-datetime') time = parseTime(text, format);
    else if (readIsoDateTime(text, w)) {
      if (w.offsetMs !== null) time = w.wall - w.offsetMs;
      else if (!w.hasTime) time = w.wall; // a calendar day, not a moment: 00:00 UTC like every DAY bar
      else {
        time = this.zone.toUtc(w.wall, Number.isNaN(prev) ? -Infinity : prev);
        if (Number.isNaN(time)) {
          throw new CsvImportError(line, `local time '${clip(text)}' does not exist in ${clip(this.zone.name)} (the clocks skip it when daylight saving starts)`);
        }
      }
    }
    if (time === undefined || !(Math.abs(time) <= MAX_TIME)) {
      throw new CsvImportError(line, `bad timestamp '${clip(text)}' (expected ${TIME_HINT[format]})`);
    }
    return time;
  }

  /** True when every price field is 'null' or empty, as in Yahoo Finance's rows for market holidays. */
  private pricesMissing(l: ResolvedLayout, line: number): boolean {
    return this.isNull(l.open, l.names.open, line) && this.isNull(l.high, l.names.high, line) && this.isNull(l.low, l.names.low, line) && this.isNull(l.close, l.names.close, line);
  }

  private isNull(i: number, name: string, line: number): boolean {
    this.need(i, name, line);
    return isNullField(this.src, this.starts[i]!, this.ends[i]!);
  }

  private price(i: number, name: string, line: number): number {
    const v = this.num(i, name, line);
    if (!(v > 0)) throw new CsvImportError(line, `${name} ${v} is not a positive price`);
    return v;
  }

  private splitPlain(s: string, from: number, to: number): void {
    this.src = s;
    let n = 0;
    for (let a = from; n < MAX_FIELDS; n++) {
      let comma = s.indexOf(',', a);
      if (comma < 0 || comma > to) comma = to;
      this.starts[n] = a;
      this.ends[n] = comma;
      a = comma + 1;
      if (comma === to) {
        n++;
        break;
      }
    }
    this.fieldCount = n;
  }

  /** RFC 4180 quoting on one line ("" inside quotes is a quote); fields are laid end to end in `src`. */
  private splitQuoted(line: string): void {
    const fields: string[] = [];
    let cur = '';
    let inQuotes = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (inQuotes) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') inQuotes = false;
        else cur += c;
      } else if (c === '"') inQuotes = true;
      else if (c === ',') {
        fields.push(cur);
        cur = '';
      } else cur += c;
    }
    fields.push(cur);
    this.fieldCount = Math.min(fields.length, MAX_FIELDS);
    let at = 0;
    for (let i = 0; i < this.fieldCount; i++) {
      this.starts[i] = at;
      at += fields[i]!.length;
      this.ends[i] = at;
    }
    this.src = fields.join('');
  }

  private text(i: number): string {
    return this.src.slice(this.starts[i], this.ends[i]);
  }

  private need(i: number, name: string, line: number): void {
    if (i >= this.fieldCount) {
      throw new CsvImportError(line, `missing column '${name}' (row has ${this.fieldCount} fields)`);
    }
  }

  private num(i: number, name: string, line: number): number {
    this.need(i, name, line);
    let v = fastDecimal(this.src, this.starts[i]!, this.ends[i]!);
    if (Number.isNaN(v)) {
      const f = this.text(i);
      // Number('') and Number(' ') are 0, so blank fields are refused explicitly.
      v = f.trim().length === 0 ? NaN : Number(f);
      if (!Number.isFinite(v)) throw new CsvImportError(line, `${name} '${clip(f)}' is not a number`);
    }
    return v;
  }
}

/** Parses a whole CSV text at once (small files, the demo seeder). */
export function parseBarCsv(text: string, symbol: string, options: CsvLayoutOptions): BarSeries {
  const p = new BarCsvParser(options);
  p.push(text);
  return p.end(symbol);
}

/** At most QUOTE_CHARS of a piece of input, for error messages. */
function clip(text: string): string {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}

function tooLong(): string {
  return `longer than ${MAX_LINE_CHARS} characters: not a bar CSV row`;
}

/** '' or 'null' (any case), with surrounding spaces; reads char codes, so nothing is allocated per row. */
function isNullField(s: string, from: number, to: number): boolean {
  while (from < to && s.charCodeAt(from) <= 32) from++;
  while (to > from && s.charCodeAt(to - 1) <= 32) to--;
  if (to === from) return true;
  if (to - from !== 4) return false;
  // | 32 lower-cases ASCII letters.
  return (s.charCodeAt(from) | 32) === 110 && (s.charCodeAt(from + 1) | 32) === 117 && (s.charCodeAt(from + 2) | 32) === 108 && (s.charCodeAt(from + 3) | 32) === 108;
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) > 32) return false;
  return true;
}

function parseTime(s: string, format: TimeFormat): number | undefined {
  switch (format) {
    case 'iso-date':
      return parseIsoDate(s);
    case 'iso-datetime':
      return parseIsoDateTime(s);
    case 'epoch-s':
    case 'epoch-ms': {
      const v = s.length === 0 ? NaN : Number(s);
      if (!Number.isFinite(v)) return undefined;
      return format === 'epoch-s' ? Math.round(v * 1000) : v;
    }
  }
}
