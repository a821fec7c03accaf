/**
 * Growable typed columns for a run's records (fills, round trips): numbers kept in typed arrays
 * are no work for the garbage collector, where an object per record, with a heap box per
 * non-integer field, was most of what a fill cost (docs/CONVENTIONS.md, "Records").
 */
export class Float64Column {
  values = new Float64Array(64);
  push(at: number, v: number): void {
    if (at === this.values.length) {
      const next = new Float64Array(at * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[at] = v;
  }
}

export class Int32Column {
  values = new Int32Array(64);
  push(at: number, v: number): void {
    if (at === this.values.length) {
      const next = new Int32Array(at * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[at] = v;
  }
}
