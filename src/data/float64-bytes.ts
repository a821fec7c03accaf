/**
 * Float64 columns <-> BLOB bytes. Blobs hold the platform's native bytes unchanged,
 * which is only the documented little-endian format on a little-endian host: check once.
 */
if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) {
  throw new Error('backtest-gql storage needs a little-endian platform');
}

/** Zero-copy byte view of a column, ready to bind as a BLOB. */
export function float64Bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Copies `count` values starting at value `srcIndex` of a blob into `dst` at `dstIndex`; any alignment. */
export function copyFloat64(src: Uint8Array, srcIndex: number, dst: Float64Array, dstIndex: number, count: number): void {
  const bytes = new Uint8Array(dst.buffer, dst.byteOffset + dstIndex * 8, count * 8);
  bytes.set(src.subarray(srcIndex * 8, (srcIndex + count) * 8));
}

/** A blob as Float64Array: a view when the bytes are 8-aligned (the usual case), else a copy. */
export function float64View(src: Uint8Array): Float64Array {
  if (src.byteLength % 8 !== 0) throw new RangeError(`blob of ${src.byteLength} bytes is not a Float64 column`);
  if (src.byteOffset % 8 === 0) return new Float64Array(src.buffer, src.byteOffset, src.byteLength / 8);
  const out = new Float64Array(src.byteLength / 8);
  new Uint8Array(out.buffer).set(src);
  return out;
}

/** First index i in [lo, hi) with a[i] >= x, or hi: the boundary for "from inclusive / to exclusive". */
export function lowerBound(a: Float64Array, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
