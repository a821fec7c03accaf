/**
 * A run's records (fills, round trips, finished orders) as rows of numbers in one growable
 * Float64Array: numbers kept in typed arrays are no work for the garbage collector, where an object
 * per record, with a heap box per non-integer field, was most of what a fill cost
 * (docs/CONVENTIONS.md, "Records"). Row-major, so adding a record writes one contiguous stretch.
 * Integers (ids, indexes, codes) are exact as doubles.
 */
export class RecordRows {
  values: Float64Array;
  count = 0;

  constructor(readonly stride: number, initialRows = 64) {
    this.values = new Float64Array(stride * initialRows);
  }

  /** Starts a new row and returns the index of its first value; the caller writes `stride` values from there. */
  append(): number {
    const at = this.count * this.stride;
    if (at + this.stride > this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.count++;
    return at;
  }
}
