/**
 * The cash column of a run, kept as the steps where it changed: cash changes only at fills, so a
 * million-step run with ten thousand fills keeps ten thousand entries instead of a million. A full
 * column is written only when a reader asks for one (RunEquityCurve.cash).
 */
export class CashChanges {
  private steps = new Int32Array(256);
  private values = new Float64Array(256);
  /** Entries: steps[j] is the first step at which the cash was values[j]. */
  count = 0;

  constructor(initialCash: number) {
    this.record(0, initialCash);
  }

  /** The cash from `step` on (steps only grow; a second change at the same step replaces the first). */
  record(step: number, cash: number): void {
    const last = this.count - 1;
    if (last >= 0 && this.steps[last] === step) {
      this.values[last] = cash;
      return;
    }
    if (this.count === this.steps.length) this.grow();
    this.steps[this.count] = step;
    this.values[this.count] = cash;
    this.count++;
  }

  private grow(): void {
    const steps = new Int32Array(this.steps.length * 2);
    steps.set(this.steps);
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.steps = steps;
    this.values = values;
  }

  /** Index of the entry in force at step k (the last with steps[j] <= k). */
  private entryAt(k: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.steps[mid] <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The cash at step k. */
  valueAt(k: number): number {
    return this.values[this.entryAt(k)];
  }

  /** The first step in [0, n) whose cash is NaN or ±Infinity, or n. */
  firstNonFinite(n: number): number {
    for (let j = 0; j < this.count && this.steps[j] < n; j++) {
      const v = this.values[j];
      if (v - v !== 0) return this.steps[j];
    }
    return n;
  }

  /** The column of steps [0, n). */
  column(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let j = 0; j < this.count && this.steps[j] < n; j++) {
      const end = j + 1 < this.count ? Math.min(n, this.steps[j + 1]) : n;
      out.fill(this.values[j], this.steps[j], end);
    }
    return out;
  }

  /**
   * Steps [0, n) as runs [value1, count1, value2, count2, ...], equal neighbours (same bits) merged:
   * the stored form of the column (data/equity-codec.ts). Undefined when the runs would take at least
   * as many values as the column, which is then stored raw.
   */
  runs(n: number): Float64Array | undefined {
    let runs = 0;
    for (let j = 0; j < this.count && this.steps[j] < n; j++) if (j === 0 || !sameBits(this.values[j], this.values[j - 1])) runs++;
    if (2 * runs >= n) return undefined;
    const out = new Float64Array(2 * runs);
    let w = -2;
    for (let j = 0; j < this.count && this.steps[j] < n; j++) {
      const end = j + 1 < this.count ? Math.min(n, this.steps[j + 1]) : n;
      if (j === 0 || !sameBits(this.values[j], this.values[j - 1])) {
        w += 2;
        out[w] = this.values[j];
      }
      out[w + 1] += end - this.steps[j];
    }
    return out;
  }
}

/** Object.is without NaN: -0 and 0 stay apart. */
export function sameBits(a: number, b: number): boolean {
  return a === b && (a !== 0 || 1 / a === 1 / b);
}
