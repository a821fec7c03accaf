/**
 * Push-based bar CSV parser with full validation. Text goes in in arbitrary pieces (so a
 * file can be streamed); any bad row stops the parse with CsvImportError naming the line.
 * Rows are read as index ranges into the incoming text, not split into strings: at
 * millions of rows the per-field strings were most of the cost.
 */
import type { BarSeries } from '../engine/bars.js';
import { resolveLayout, type CsvLayoutOptions, type ResolvedLayout, type TimeFormat } from './csv-layout.js';
import { fastDecimal } from './decimal.js';
import { parseIsoDate, parseIsoDateTime } from './iso-time.js';
import { SeriesBuilder } from './series-builder.js';

/** The whole import is refused; `line` is 1-based, counting the header as line 1. */
export class CsvImportError extends Error {
  override readonly name = 'CsvImportError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const TIME_HINT: Record<TimeFormat, string> = {
  'iso-date': 'YYYY-MM-DD',
  'iso-datetime': 'YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]',
  'epoch-s': 'seconds since 1970-01-01 UTC',
  'epoch-ms': 'milliseconds since 1970-01-01 UTC',
};

/** Largest |epoch ms| a JS Date accepts. */
const MAX_TIME = 8.64e15;
const MAX_FIELDS = 256;

export interface ParserOptions extends CsvLayoutOptions {
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

  constructor(private readonly options: ParserOptions) {}

  /** Data rows accepted so far. */
  get rows(): number {
    return this.out.length;
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
    if (this.out.length === 0) throw new CsvImportError(this.line, 'no data rows');
    return this.out.toSeries(symbol);
  }

  /** One line: s[from, to), without its '\n'. */
  private onLine(s: string, from: number, to: number, quoted: boolean): void {
    const line = ++this.line;
    if (to > from && s.charCodeAt(to - 1) === 13) to--; // CRLF
    if (isBlank(s, from, to)) return; // e.g. a trailing empty line
    if (quoted) this.splitQuoted(s.slice(from, to));
    else this.splitPlain(s, from, to);
    const l = this.layout;
    if (!l) {
      const header = Array.from({ length: this.fieldCount }, (_, i) => this.text(i));
      const got = resolveLayout(header, this.options);
      if ('missing' in got) throw new CsvImportError(line, `missing column '${got.missing}'`);
      this.layout = got;
      return;
    }
    this.need(l.time, l.names.time, line);
    const timeText = this.text(l.time).trim();
    const time = parseTime(timeText, l.timeFormat);
    if (time === undefined || !(Math.abs(time) <= MAX_TIME)) {
      throw new CsvImportError(line, `bad timestamp '${timeText}' (expected ${TIME_HINT[l.timeFormat]})`);
    }
    const open = this.num(l.open, l.names.open, line);
    const high = this.num(l.high, l.names.high, line);
    const low = this.num(l.low, l.names.low, line);
    const close = this.num(l.close, l.names.close, line);
    const volume = l.volume < 0 ? 0 : this.num(l.volume, l.names.volume, line);
    if (high < low) throw new CsvImportError(line, `high ${high} < low ${low}`);
    if (open < low || open > high) throw new CsvImportError(line, `open ${open} outside [low ${low}, high ${high}]`);
    if (close < low || close > high) throw new CsvImportError(line, `close ${close} outside [low ${low}, high ${high}]`);
    if (volume < 0) throw new CsvImportError(line, `negative volume ${volume}`);
    const n = this.out.length;
    if (n > 0) {
      const prev = this.out.time[n - 1]!;
      if (time === prev) {
        throw new CsvImportError(line, `duplicate timestamp '${timeText}' (same as line ${this.prevLine})`);
      }
      if (time < prev) {
        throw new CsvImportError(
          line,
          `timestamp '${timeText}' is out of order (before '${this.prevTimeText}' on line ${this.prevLine})`,
        );
      }
    }
    this.out.push(time, open, high, low, close, volume);
    this.prevLine = line;
    this.prevTimeText = timeText;
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
      if (!Number.isFinite(v)) throw new CsvImportError(line, `${name} '${f}' is not a number`);
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
