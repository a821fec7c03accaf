/**
 * What `backtest run` and its tearsheet thread (tearsheet.worker.ts) send each other. Fills and
 * round trips go as columns: structured-cloning ten thousand objects costs the main thread ~25 ms,
 * filling typed arrays ~1 ms, and the arrays are transferred, not copied.
 */
import type { ExposureFill } from '../analytics/exposure.js';
import type { Side } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';

/** The run's settings the analytics use (analyticsSettings of load-run-analytics.ts). */
export interface TearsheetSettings {
  readonly initialCash: number;
  readonly periodsPerYear: number;
  readonly riskFreeRate: number;
  /** The run's symbols, in order: round trips carry their index. */
  readonly symbols: readonly string[];
}

export type TearsheetFormat = 'table' | 'json';

export type ToTearsheetThread =
  /** The whole equity curve (exactly `length` points each), once the simulation has produced it. */
  | { readonly kind: 'curve'; readonly time: Float64Array; readonly equity: Float64Array; readonly cash: Float64Array }
  /** The run is stored: its fills and round trips, and what to render. */
  | { readonly kind: 'results'; readonly points: number; readonly fills: FillColumns; readonly roundTrips: RoundTripColumns; readonly format: TearsheetFormat };

export type FromTearsheetThread =
  | { readonly kind: 'table'; readonly text: string }
  | { readonly kind: 'json'; readonly analytics: unknown }
  | { readonly kind: 'failed'; readonly message: string };

const SIDES: readonly Side[] = ['BUY', 'SELL'];

export interface FillColumns {
  readonly symbolIndex: Int32Array;
  readonly time: Float64Array;
  /** Index into SIDES. */
  readonly side: Uint8Array;
  readonly quantity: Float64Array;
  readonly price: Float64Array;
}

export interface RoundTripColumns {
  /** Index into the run's symbols. */
  readonly symbol: Int32Array;
  readonly side: Uint8Array;
  /** quantity, entryTime, exitTime, entryPrice, exitPrice, pnl, returnPct, bars: one after another, `count` each. */
  readonly numbers: Float64Array;
  readonly count: number;
}

const TRIP_NUMBERS = ['quantity', 'entryTime', 'exitTime', 'entryPrice', 'exitPrice', 'pnl', 'returnPct', 'bars'] as const;

export function fillColumns(fills: readonly ExposureFill[]): FillColumns {
  const n = fills.length;
  const c = { symbolIndex: new Int32Array(n), time: new Float64Array(n), side: new Uint8Array(n), quantity: new Float64Array(n), price: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const f = fills[i];
    c.symbolIndex[i] = f.symbolIndex;
    c.time[i] = f.time;
    c.side[i] = SIDES.indexOf(f.side);
    c.quantity[i] = f.quantity;
    c.price[i] = f.price;
  }
  return c;
}

export function fillsFromColumns(c: FillColumns): ExposureFill[] {
  return Array.from(c.time, (time, i) => ({ symbolIndex: c.symbolIndex[i], time, side: SIDES[c.side[i]], quantity: c.quantity[i], price: c.price[i] }));
}

export function roundTripColumns(trips: readonly RoundTrip[], symbols: readonly string[]): RoundTripColumns {
  const n = trips.length;
  const index = new Map(symbols.map((s, i) => [s, i]));
  const c = { symbol: new Int32Array(n), side: new Uint8Array(n), numbers: new Float64Array(n * TRIP_NUMBERS.length), count: n };
  for (let i = 0; i < n; i++) {
    const t = trips[i];
    const s = index.get(t.symbol);
    if (s === undefined) throw new Error(`round trip of ${t.symbol}, not one of the run's symbols`);
    c.symbol[i] = s;
    c.side[i] = SIDES.indexOf(t.side);
  }
  TRIP_NUMBERS.forEach((key, k) => {
    for (let i = 0; i < n; i++) c.numbers[k * n + i] = trips[i][key];
  });
  return c;
}

export function roundTripsFromColumns(c: RoundTripColumns, symbols: readonly string[]): RoundTrip[] {
  const n = c.count;
  const [quantity, entryTime, exitTime, entryPrice, exitPrice, pnl, returnPct, bars] = TRIP_NUMBERS.map((_, k) => c.numbers.subarray(k * n, (k + 1) * n));
  return Array.from({ length: n }, (_, i) => ({
    symbol: symbols[c.symbol[i]],
    side: SIDES[c.side[i]],
    quantity: quantity[i],
    entryTime: entryTime[i],
    exitTime: exitTime[i],
    entryPrice: entryPrice[i],
    exitPrice: exitPrice[i],
    pnl: pnl[i],
    returnPct: returnPct[i],
    bars: bars[i],
  }));
}

/** The arrays a message owns, to transfer rather than copy. */
export function transferList(message: ToTearsheetThread): ArrayBuffer[] {
  const arrays =
    message.kind === 'curve'
      ? [message.time, message.equity, message.cash]
      : [...Object.values(message.fills), message.roundTrips.symbol, message.roundTrips.side, message.roundTrips.numbers];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
