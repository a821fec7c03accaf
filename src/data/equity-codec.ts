/**
 * Equity curve <-> one equity_curves row.
 *
 * Format 2 (written since issue 13) stores only what cannot be derived: the equity column raw
 * (8 bytes a point, it changes every point), the time column as runs of equal steps and the cash
 * column as runs of equal values (cash changes only at fills), each raw instead when its runs would
 * not be shorter, and no drawdown: it is recomputed on
 * read with the engine's own formula (`drawdownsOf`), bit for bit. A 1,000,000-point curve is
 * ~8 MB instead of 32 MB, which is most of a run's storing time.
 * Format 1 (before): four raw Float64 blobs; still read.
 */
import { sameBits } from '../engine/cash-changes.js';
import { drawdownsOf } from '../engine/drawdown.js';
import type { EquityCurve } from '../engine/results.js';
import { RunEquityCurve } from '../engine/run-equity-curve.js';
import { float64Bytes, float64View } from './float64-bytes.js';

export const EQUITY_FORMAT_RAW = 1;
export const EQUITY_FORMAT_RUNS = 2;

export interface EncodedEquity {
  readonly points: number;
  readonly format: number;
  readonly time: Uint8Array;
  readonly equity: Uint8Array;
  readonly cash: Uint8Array;
  readonly drawdown: Uint8Array;
}

export interface EncodeOptions {
  /**
   * The bytes will be transferred to another thread: the equity column must own its whole buffer.
   * When the curve's array is exactly that (a finished run) it is handed over as is, and the curve
   * must not be used afterwards; otherwise it is copied. Default: a view of the curve's array.
   */
  readonly transferable?: boolean;
}

/** Format 2. The equity bytes view the curve's array (see `transferable`), valid until that array changes. */
export function encodeEquity(c: EquityCurve, options: EncodeOptions = {}): EncodedEquity {
  const n = c.length;
  const all = c.equity;
  const whole = all.byteOffset === 0 && all.length === n && all.buffer instanceof ArrayBuffer;
  const equity = options.transferable && !whole ? all.slice(0, n) : all.subarray(0, n);
  return {
    points: n,
    format: EQUITY_FORMAT_RUNS,
    time: float64Bytes(stepRuns(c.time, n) ?? c.time.slice(0, n)),
    equity: float64Bytes(equity),
    // An engine curve has its cash as changes already: no column is written to find the runs.
    cash: float64Bytes((c instanceof RunEquityCurve ? c.cashRuns() : valueRuns(c.cash, n)) ?? c.cash.slice(0, n)),
    drawdown: new Uint8Array(0),
  };
}

/** A row as read back: the same columns as written. */
export type StoredEquityRow = EncodedEquity;

export function decodeEquity(row: StoredEquityRow): EquityCurve {
  const { time, equity, cash } = decodeTimeEquityCash(row);
  const n = row.points;
  if (row.format === EQUITY_FORMAT_RAW) {
    const drawdown = float64View(row.drawdown);
    if (drawdown.length !== n) throw new Error(`equity blob drawdown holds ${drawdown.length} points, expected ${n}`);
    return { length: n, time, equity, cash, drawdown };
  }
  return { length: n, time, equity, cash, drawdown: drawdownsOf(equity, n) };
}

/** A curve's time, equity and cash columns, `length` points each: what analytics read. */
export interface EquityColumns {
  readonly length: number;
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly cash: Float64Array;
}

/** The columns without the drawdown (which format 2 would compute): what analytics read. */
export function decodeTimeEquityCash(row: Omit<StoredEquityRow, 'drawdown'>): EquityColumns {
  const n = row.points;
  const column = (b: Uint8Array, name: string) => {
    const a = float64View(b);
    if (a.length !== n) throw new Error(`equity blob ${name} holds ${a.length} points, expected ${n}`);
    return a;
  };
  if (row.format === EQUITY_FORMAT_RAW) return { length: n, time: column(row.time, 'time'), equity: column(row.equity, 'equity'), cash: column(row.cash, 'cash') };
  if (row.format !== EQUITY_FORMAT_RUNS) throw new Error(`equity format ${row.format} is not supported (expected ${EQUITY_FORMAT_RAW} or ${EQUITY_FORMAT_RUNS})`);
  // A column of exactly n values is raw (runs would not have been shorter); a shorter one is runs.
  const time = row.time.byteLength === n * 8 ? float64View(row.time) : expandSteps(float64View(row.time), n);
  const cash = row.cash.byteLength === n * 8 ? float64View(row.cash) : expandValues(float64View(row.cash), n);
  return { length: n, time, equity: column(row.equity, 'equity'), cash };
}

/**
 * [t0, step1, count1, step2, count2, ...]: t0 then `count` points each `step` after the previous.
 * Exact: times are integers (epoch ms) far below 2^53, so every sum is exact. Undefined when the
 * runs would take at least as many values as the column (irregular times): it is stored raw.
 */
function stepRuns(time: Float64Array, n: number): Float64Array | undefined {
  if (n === 0) return new Float64Array(0);
  let runs = 0;
  for (let k = 1, prev = NaN; k < n; k++) {
    const step = time[k] - time[k - 1];
    if (step !== prev) {
      runs++;
      prev = step;
    }
  }
  if (1 + 2 * runs >= n) return undefined;
  const out = new Float64Array(1 + 2 * runs);
  out[0] = time[0];
  let w = -1;
  for (let k = 1, prev = NaN; k < n; k++) {
    const step = time[k] - time[k - 1];
    if (step !== prev) {
      w += 2;
      out[w] = step;
      prev = step;
    }
    out[w + 1]++;
  }
  return out;
}

function expandSteps(runs: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 0) return out;
  let t = runs[0];
  out[0] = t;
  let k = 1;
  for (let r = 1; r + 1 < runs.length; r += 2) {
    const step = runs[r];
    const end = k + runs[r + 1];
    if (end > n) break;
    for (; k < end; k++) out[k] = t += step;
  }
  if (k !== n) throw new Error(`equity time runs cover ${k} points, expected ${n}`);
  return out;
}

/**
 * [value1, count1, value2, count2, ...]; equal means the same bits (-0 and 0 stay apart). Undefined
 * when the runs would take at least as many values as the column (cash changing almost every
 * point): it is stored raw.
 */
function valueRuns(values: Float64Array, n: number): Float64Array | undefined {
  let runs = 0;
  for (let k = 0; k < n; k++) if (k === 0 || !sameBits(values[k], values[k - 1])) runs++;
  if (2 * runs >= n) return undefined;
  const out = new Float64Array(2 * runs);
  let w = -2;
  for (let k = 0; k < n; k++) {
    if (k === 0 || !sameBits(values[k], values[k - 1])) {
      w += 2;
      out[w] = values[k];
    }
    out[w + 1]++;
  }
  return out;
}

function expandValues(runs: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  let k = 0;
  for (let r = 0; r + 1 < runs.length; r += 2) {
    const end = k + runs[r + 1];
    if (end > n) break;
    out.fill(runs[r], k, end);
    k = end;
  }
  if (k !== n) throw new Error(`equity cash runs cover ${k} points, expected ${n}`);
  return out;
}
