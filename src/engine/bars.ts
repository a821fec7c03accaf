/**
 * Bars of one symbol as columnar typed arrays: the engine's only market-data shape.
 * Columnar storage keeps the hot loop free of per-bar objects and lets storage,
 * workers and the engine hand the same buffers around without copying.
 */
export interface BarSeries {
  readonly symbol: string;
  /** Bar open time, epoch milliseconds UTC, strictly increasing. */
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly length: number;
}

export const BAR_PERIODS = ['SECOND', 'MINUTE', 'HOUR', 'DAY'] as const;
export type BarPeriod = (typeof BAR_PERIODS)[number];

export const PERIOD_MS: Record<BarPeriod, number> = {
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

/** Periods per year used to annualise return statistics (docs/CONVENTIONS.md). */
export const PERIODS_PER_YEAR: Record<BarPeriod, number> = {
  SECOND: 252 * 23_400,
  MINUTE: 252 * 390,
  HOUR: 252 * 6.5,
  DAY: 252,
};

/** Allocates an empty series of `length` bars, all columns zeroed. */
export function allocateBarSeries(symbol: string, length: number): BarSeries {
  return {
    symbol,
    length,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** Builds a series from row objects; convenient for tests and small inputs, not for bulk data. */
export function barSeriesFromRows(
  symbol: string,
  rows: ReadonlyArray<{ time: number; open: number; high: number; low: number; close: number; volume?: number }>,
): BarSeries {
  const s = allocateBarSeries(symbol, rows.length);
  rows.forEach((r, i) => {
    s.time[i] = r.time;
    s.open[i] = r.open;
    s.high[i] = r.high;
    s.low[i] = r.low;
    s.close[i] = r.close;
    s.volume[i] = r.volume ?? 0;
  });
  return s;
}

/** A view of the bars [from, to) of a series; shares the underlying buffers. */
export function sliceBarSeries(s: BarSeries, from: number, to: number): BarSeries {
  return {
    symbol: s.symbol,
    length: to - from,
    time: s.time.subarray(from, to),
    open: s.open.subarray(from, to),
    high: s.high.subarray(from, to),
    low: s.low.subarray(from, to),
    close: s.close.subarray(from, to),
    volume: s.volume.subarray(from, to),
  };
}
