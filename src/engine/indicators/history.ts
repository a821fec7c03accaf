/**
 * The engine's per-symbol bar clock: `bar[s]` is the index of the latest bar of symbol s that
 * indicators show (-1 before its first bar). Built-ins with a block kernel compute their outputs
 * up to `lookahead` bars ahead of it; moving the clock is what makes those values visible.
 */
export class BarClock {
  declare readonly bar: Int32Array;
  constructor(symbols: number, readonly lookahead: number) {
    this.bar = new Int32Array(symbols).fill(-1);
  }
}

/**
 * A bounded per-symbol history of one indicator output: the latest value and the values
 * up to `capacity - 1` bars ago. One flat ring buffer for all symbols, so storing a value
 * allocates nothing. Values during warm-up are NaN.
 *
 * Per symbol only the index of the latest value is kept (`latest`); the value of index i sits in
 * slot `i & mask`. Slots never written still hold the NaN the ring starts with, so reading before
 * the first value, or further back than was stored, needs no bounds check of its own. Every read
 * is a few loads, small enough for V8 to inline into a strategy's onBar.
 *
 * Streaming indicators `push` values and so advance their own index. Built-ins created by the
 * engine share its BarClock instead: they write a block of bars ahead (see BlockIndicator) and the
 * ring has room for that block besides the readable history.
 */
export class History {
  // `declare`: fields are first defined by the constructor's assignments, not as `undefined` by a
  // class field declaration, so V8 knows their exact types (Smi, Float64Array) in the inlined reads.
  /** Symbol s owns slots [s << shift, (s + 1) << shift); the one slot after them all stays NaN. */
  protected declare readonly ring: Float64Array;
  /** Per symbol, the index of the latest visible value: pushes so far - 1, or the shared clock. */
  protected declare readonly latest: Int32Array;
  protected declare readonly mask: number;
  protected declare readonly shift: number;
  /** Index of the always-NaN slot, read for an out-of-range `ago`. */
  private declare readonly outside: number;
  private declare readonly ownsClock: boolean;
  declare readonly capacity: number;

  constructor(symbols: number, capacity: number, clock?: BarClock) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    // Round up to a power of two so the ring index is a mask, not a modulo.
    this.capacity = 1 << log2AtLeast(capacity);
    this.shift = log2AtLeast(this.capacity + (clock?.lookahead ?? 0));
    const slots = 1 << this.shift;
    this.mask = slots - 1;
    this.outside = symbols * slots;
    this.ring = new Float64Array(this.outside + 1).fill(NaN);
    this.latest = clock?.bar ?? new Int32Array(symbols).fill(-1);
    this.ownsClock = clock === undefined;
  }

  /** Appends the next value of symbol s: for streaming indicators, which own their index (not on the engine's clock). */
  push(s: number, v: number): void {
    const i = this.latest[s] + 1;
    this.ring[(s << this.shift) | (i & this.mask)] = v;
    this.latest[s] = i;
  }

  /** Makes bar i the latest of symbol s, unless the engine's clock does that. */
  protected show(s: number, i: number): void {
    if (this.ownsClock) this.latest[s] = i;
  }

  /** The latest value for symbol s (NaN before the first value or during warm-up). */
  value(s: number): number {
    return this.ring[(s << this.shift) | (this.latest[s] & this.mask)];
  }

  /** The value k bars ago (0 = latest); NaN when k is beyond what is kept or was stored. */
  ago(s: number, k: number): number {
    // Choosing an index, not returning a NaN constant early, keeps the result an unboxed double in
    // optimised code (a NaN branch merged with the loaded value made V8 box it on every call).
    const slot = k >= 0 && k < this.capacity ? (s << this.shift) | ((this.latest[s] - k) & this.mask) : this.outside;
    return this.ring[slot];
  }

  /** How many values are available for symbol s (at most `capacity`). */
  available(s: number): number {
    return Math.min(this.latest[s] + 1, this.capacity);
  }
}

/** The smallest k with 2^k >= n. */
function log2AtLeast(n: number): number {
  let k = 0;
  while (1 << k < n) k++;
  return k;
}
