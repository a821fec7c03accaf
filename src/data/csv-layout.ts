/** Which CSV column holds what: the Yahoo layout or an explicit mapping, resolved against the header row. */

export type CsvFormat = 'yahoo' | 'generic';
export type TimeFormat = 'iso-date' | 'iso-datetime' | 'epoch-s' | 'epoch-ms';

/** Header names of the columns to read (generic format). Without volume, volume is 0. */
export interface CsvColumns {
  readonly time: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume?: string;
}

export interface CsvLayoutOptions {
  readonly format: CsvFormat;
  /** Required for 'generic'. */
  readonly columns?: CsvColumns;
  /** Defaults: 'iso-date' for yahoo, 'iso-datetime' for generic. */
  readonly timeFormat?: TimeFormat;
}

/** Field indexes per role; volume -1 when absent. */
export interface ResolvedLayout {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly timeFormat: TimeFormat;
  /** Header names per role, for error messages. */
  readonly names: Readonly<Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', string>>;
}

/** Yahoo Finance export; 'Adj Close' is deliberately ignored: the engine trades the unadjusted close. */
const YAHOO: CsvColumns = { time: 'date', open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' };

/** Case, spaces and punctuation do not matter: 'Adj Close' == 'adjclose'. */
const normalise = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Maps header fields to roles; returns the name of the first missing column instead when there is one. */
export function resolveLayout(header: readonly string[], o: CsvLayoutOptions): ResolvedLayout | { missing: string } {
  const columns = o.format === 'yahoo' ? YAHOO : o.columns;
  if (!columns) throw new TypeError("format 'generic' needs a columns mapping { time, open, high, low, close, volume? }");
  const exact = header.map((h) => h.trim());
  const loose = exact.map(normalise);
  const find = (name: string) => {
    const i = exact.indexOf(name.trim());
    return i >= 0 ? i : loose.indexOf(normalise(name));
  };
  const roles = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
  const idx: Record<string, number> = {};
  for (const role of roles) {
    const name = columns[role];
    if (name === undefined) {
      idx[role] = -1;
      continue;
    }
    idx[role] = find(name);
    if (idx[role] < 0) return { missing: clipName(name) };
  }
  return {
    time: idx.time!,
    open: idx.open!,
    high: idx.high!,
    low: idx.low!,
    close: idx.close!,
    volume: idx.volume!,
    timeFormat: o.timeFormat ?? (o.format === 'yahoo' ? 'iso-date' : 'iso-datetime'),
    names: {
      time: clipName(columns.time),
      open: clipName(columns.open),
      high: clipName(columns.high),
      low: clipName(columns.low),
      close: clipName(columns.close),
      volume: clipName(columns.volume ?? ''),
    },
  };
}

/** Column names go into error messages: keep them short. */
function clipName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}
