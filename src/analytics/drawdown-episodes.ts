/**
 * Drawdown episodes (CONVENTIONS.md "Drawdown episodes"): from a peak, through the lowest point,
 * to the first point back at the peak's level. One pass collects every episode into columns; the
 * deepest k are then picked with a bounded heap, O(n log k).
 */

export interface DrawdownEpisode {
  readonly peakIndex: number;
  readonly troughIndex: number;
  /** Null while unrecovered at the end of the run. */
  readonly recoveryIndex: number | null;
  readonly peakTime: number;
  readonly troughTime: number;
  readonly recoveryTime: number | null;
  /** 1 - E[trough] / E[peak], a positive fraction. */
  readonly depth: number;
  /** Underwater points. */
  readonly lengthBars: number;
  /** Points from the trough to the recovery; null while unrecovered. */
  readonly recoveryBars: number | null;
}

/** Every episode as columns, in time order. */
export class DrawdownEpisodes {
  private constructor(
    private readonly time: Float64Array,
    private readonly points: number,
    readonly count: number,
    private readonly peak: Int32Array,
    private readonly trough: Int32Array,
    /** -1: unrecovered. */
    private readonly recovery: Int32Array,
    private readonly depth: Float64Array,
  ) {}

  static find(time: Float64Array, equity: Float64Array, points = equity.length): DrawdownEpisodes {
    let cap = 64;
    let peak = new Int32Array(cap);
    let trough = new Int32Array(cap);
    let recovery = new Int32Array(cap);
    let depth = new Float64Array(cap);
    let count = 0;
    const push = (p: number, tr: number, q: number) => {
      if (count === cap) {
        cap *= 2;
        const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T) => {
          const b = make(cap);
          b.set(a as never);
          return b;
        };
        peak = grow(peak, (n) => new Int32Array(n));
        trough = grow(trough, (n) => new Int32Array(n));
        recovery = grow(recovery, (n) => new Int32Array(n));
        depth = grow(depth, (n) => new Float64Array(n));
      }
      peak[count] = p;
      trough[count] = tr;
      recovery[count] = q;
      depth[count] = 1 - equity[tr] / equity[p];
      count++;
    };

    let p = 0; // the current peak: the latest point at the running maximum
    let tr = -1; // trough of the open episode; -1 when not underwater
    for (let t = 1; t < points; t++) {
      const e = equity[t];
      if (e >= equity[p]) {
        if (tr >= 0) {
          push(p, tr, t);
          tr = -1;
        }
        p = t;
      } else if (tr < 0 || e < equity[tr]) {
        tr = t;
      }
    }
    if (tr >= 0) push(p, tr, -1);
    return new DrawdownEpisodes(time, points, count, peak, trough, recovery, depth);
  }

  episode(i: number): DrawdownEpisode {
    const p = this.peak[i];
    const tr = this.trough[i];
    const q = this.recovery[i];
    return {
      peakIndex: p,
      troughIndex: tr,
      recoveryIndex: q < 0 ? null : q,
      peakTime: this.time[p],
      troughTime: this.time[tr],
      recoveryTime: q < 0 ? null : this.time[q],
      depth: this.depth[i],
      lengthBars: (q < 0 ? this.points : q) - p - 1,
      recoveryBars: q < 0 ? null : q - tr,
    };
  }

  /** The longest underwater run over all episodes (metrics.maxDrawdownDuration). */
  longestBars(): number {
    let best = 0;
    for (let i = 0; i < this.count; i++) {
      const q = this.recovery[i] < 0 ? this.points : this.recovery[i];
      best = Math.max(best, q - this.peak[i] - 1);
    }
    return best;
  }

  /** The k deepest episodes, deepest first; ties: the earlier peak first. */
  top(k: number): DrawdownEpisode[] {
    const n = Math.min(k, this.count);
    if (n <= 0) return [];
    // `a` ranks below `b` when it is shallower, or as deep with a later peak (episodes are in peak order).
    const below = (a: number, b: number) => this.depth[a] < this.depth[b] || (this.depth[a] === this.depth[b] && a > b);
    // Min-heap (by that rank) of the best n seen so far.
    const heap = new Int32Array(n);
    let size = 0;
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && below(heap[l], heap[m])) m = l;
        if (r < size && below(heap[r], heap[m])) m = r;
        if (m === i) return;
        const t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
      }
    };
    for (let e = 0; e < this.count; e++) {
      if (size < n) {
        let i = size++;
        heap[i] = e;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!below(heap[i], heap[parent])) break;
          const t = heap[i];
          heap[i] = heap[parent];
          heap[parent] = t;
          i = parent;
        }
      } else if (below(heap[0], e)) {
        heap[0] = e;
        siftDown(0);
      }
    }
    const order = Array.from(heap.subarray(0, size)).sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
    return order.map((i) => this.episode(i));
  }
}
