import type { BarSeries } from './bars.js';

/**
 * One field of one symbol's bars, readable only up to the latest bar shown (docs/CONVENTIONS.md,
 * "What a strategy can see"). The arrays and the clock are private fields (#), so the view offers
 * no way to a later bar; reads allocate nothing.
 */
export class FieldHistory {
  readonly #values: Float64Array;
  readonly #clock: Int32Array;
  readonly #s: number;

  constructor(values: Float64Array, clock: Int32Array, s: number) {
    this.#values = values;
    this.#clock = clock;
    this.#s = s;
  }

  /** Bars shown so far (0 before the first). */
  get length(): number {
    return this.#clock[this.#s] + 1;
  }

  /** The value k bars back (0 = the latest shown); NaN when k >= length. A negative k is a look-ahead and throws. */
  ago(k: number): number {
    if (!(k >= 0 && Number.isInteger(k))) throw lookAhead(k);
    const i = this.#clock[this.#s] - k;
    return i >= 0 ? this.#values[i] : NaN;
  }

  /** A copy of the latest min(n, length) values, oldest first, in `out` (reused when given) or a new array. */
  last(n: number, out?: Float64Array): Float64Array {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`last(n) needs a whole n >= 0, got ${n}`);
    const end = this.#clock[this.#s] + 1;
    const count = Math.min(n, end);
    const target = out !== undefined && out.length >= count ? out : new Float64Array(count);
    for (let j = 0; j < count; j++) target[j] = this.#values[end - count + j];
    return target.length === count ? target : target.subarray(0, count);
  }
}

function lookAhead(k: number): RangeError {
  return new RangeError(`ago(${String(k)}): look-ahead refused, k must be a whole number >= 0 (0 = the latest bar shown)`);
}

/** A symbol's bars up to the latest one shown: what `ctx.history(symbol)` returns. */
export class BarHistory {
  readonly time: FieldHistory;
  readonly open: FieldHistory;
  readonly high: FieldHistory;
  readonly low: FieldHistory;
  readonly close: FieldHistory;
  readonly volume: FieldHistory;

  constructor(readonly symbol: string, readonly symbolIndex: number, bars: BarSeries, clock: Int32Array) {
    this.time = new FieldHistory(bars.time, clock, symbolIndex);
    this.open = new FieldHistory(bars.open, clock, symbolIndex);
    this.high = new FieldHistory(bars.high, clock, symbolIndex);
    this.low = new FieldHistory(bars.low, clock, symbolIndex);
    this.close = new FieldHistory(bars.close, clock, symbolIndex);
    this.volume = new FieldHistory(bars.volume, clock, symbolIndex);
  }

  /** Bars shown so far (0 before the first). */
  get length(): number {
    return this.close.length;
  }
}
