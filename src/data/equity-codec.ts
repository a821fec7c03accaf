/**
 * Equity curve <-> one equity_curves row. Four raw Float64 blobs: a million points is
 * 32 MB written and read as memcpy's. Delta-encoding time was considered but without a
 * compressor it saves nothing at Float64 width, and narrower ints break on long gaps.
 */
import type { EquityCurve } from '../engine/results.js';
import { float64Bytes, float64View } from './float64-bytes.js';

export interface EncodedEquity {
  readonly points: number;
  readonly time: Buffer;
  readonly equity: Buffer;
  readonly cash: Buffer;
  readonly drawdown: Buffer;
}

/** Zero-copy: the buffers view the curve's arrays, valid until they change. */
export function encodeEquity(c: EquityCurve): EncodedEquity {
  const col = (a: Float64Array) => float64Bytes(a.subarray(0, c.length));
  return { points: c.length, time: col(c.time), equity: col(c.equity), cash: col(c.cash), drawdown: col(c.drawdown) };
}

export function decodeEquity(row: { points: number; time: Uint8Array; equity: Uint8Array; cash: Uint8Array; drawdown: Uint8Array }): EquityCurve {
  const col = (b: Uint8Array) => {
    const a = float64View(b);
    if (a.length !== row.points) throw new Error(`equity blob holds ${a.length} points, expected ${row.points}`);
    return a;
  };
  return { length: row.points, time: col(row.time), equity: col(row.equity), cash: col(row.cash), drawdown: col(row.drawdown) };
}
