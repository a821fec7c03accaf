/** Rows per chunk: 2,048 rows of 9 to 14 numbers, 150-230 KB. */
const CHUNK_SHIFT = 11;
const CHUNK_ROWS = 1 << CHUNK_SHIFT;

/**
 * A run's records (fills, round trips, finished orders) as rows of numbers in Float64Array chunks:
 * numbers kept in typed arrays are no work for the garbage collector, where an object per record,
 * with a heap box per non-integer field, was most of what a fill cost (docs/CONVENTIONS.md,
 * "Records"). Row-major, so adding a record writes one contiguous stretch; chunks of fixed size, so
 * growing never copies what is kept (doubling one array copied and page-faulted twice the memory).
 * Integers (ids, indexes, codes) are exact as doubles.
 */
export class RecordRows {
  private readonly chunks: Float64Array[] = [];
  /** The chunk being filled. */
  values: Float64Array;
  count = 0;

  constructor(readonly stride: number) {
    this.values = new Float64Array(0);
  }

  /** Starts a new row: returns where it begins in `values`; the caller writes `stride` values from there. */
  append(): number {
    const row = this.count & (CHUNK_ROWS - 1);
    if (row === 0) {
      this.values = new Float64Array(CHUNK_ROWS * this.stride);
      this.chunks.push(this.values);
    }
    this.count++;
    return row * this.stride;
  }

  /** The chunk that holds row k; its values begin at `offsetOf(k)`. */
  chunkOf(k: number): Float64Array {
    return this.chunks[k >> CHUNK_SHIFT];
  }

  offsetOf(k: number): number {
    return (k & (CHUNK_ROWS - 1)) * this.stride;
  }
}
