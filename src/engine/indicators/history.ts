/**
 * A bounded per-symbol history of one indicator output: the latest value and the values
 * up to `capacity - 1` bars ago. One flat ring buffer for all symbols, so pushing a value
 * allocates nothing. Values during warm-up are NaN.
 */
export class History {
  private readonly ring: Float64Array;
  private readonly heads: Int32Array;
  private readonly counts: Int32Array;
  private readonly mask: number;
  readonly capacity: number;

  constructor(symbols: number, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    // Round up to a power of two so the ring index is a mask, not a modulo.
    let size = 1;
    while (size < capacity) size <<= 1;
    this.capacity = size;
    this.mask = size - 1;
    this.ring = new Float64Array(symbols * size).fill(NaN);
    this.heads = new Int32Array(symbols).fill(-1);
    this.counts = new Int32Array(symbols);
  }

  push(s: number, v: number): void {
    const head = (this.heads[s] + 1) & this.mask;
    this.heads[s] = head;
    this.ring[s * this.capacity + head] = v;
    if (this.counts[s] < this.capacity) this.counts[s]++;
  }

  /** The latest value for symbol s (NaN before the first push or during warm-up). */
  value(s: number): number {
    const head = this.heads[s];
    return head < 0 ? NaN : this.ring[s * this.capacity + head];
  }

  /** The value k bars ago (0 = latest); NaN when k is beyond what is kept or was pushed. */
  ago(s: number, k: number): number {
    if (k < 0 || k >= this.counts[s]) return NaN;
    return this.ring[s * this.capacity + ((this.heads[s] - k) & this.mask)];
  }

  /** How many values are available for symbol s (at most `capacity`). */
  available(s: number): number {
    return this.counts[s];
  }
}
