import type { BarSeries } from './bars.js';

/**
 * Several series merged in time order. Step k covers the bars with timestamp `times[k]`:
 * entries `start[k] .. start[k+1]-1` of `symbol`/`bar` name the series and the bar index,
 * in the order the series were given. Symbols share a step exactly when their timestamps coincide.
 */
export interface Timeline {
  readonly times: Float64Array;
  readonly start: Int32Array;
  readonly symbol: Int32Array;
  readonly bar: Int32Array;
  readonly steps: number;
  readonly totalBars: number;
  /** One series: step k is its bar k, and `start`, `symbol`, `bar` are empty. */
  readonly single: boolean;
}

const EMPTY = new Int32Array(0);

/** Bars processed once `steps` timestamps are done. */
export function barsBefore(tl: Timeline, steps: number): number {
  return tl.single ? steps : tl.start[steps];
}

export function buildTimeline(series: readonly BarSeries[]): Timeline {
  let totalBars = 0;
  for (const s of series) totalBars += s.length;

  if (series.length === 1) {
    // One symbol: step k is bar k. No per-bar index arrays (they would cost 12 bytes a bar to
    // build and page in); the engine has a loop of its own for this case.
    const only = series[0];
    return { times: only.time, start: EMPTY, symbol: EMPTY, bar: EMPTY, steps: only.length, totalBars, single: true };
  }

  const symbol = new Int32Array(totalBars);
  const bar = new Int32Array(totalBars);
  // k-way merge by repeatedly taking the smallest head timestamp; k is small (<= 100).
  const heads = new Int32Array(series.length);
  const times = new Float64Array(totalBars);
  const start = new Int32Array(totalBars + 1);
  let steps = 0;
  let entry = 0;
  for (;;) {
    let next = Infinity;
    for (let s = 0; s < series.length; s++) {
      const h = heads[s];
      const ser = series[s];
      if (h < ser.length && ser.time[h] < next) next = ser.time[h];
    }
    if (next === Infinity) break;
    times[steps] = next;
    start[steps] = entry;
    for (let s = 0; s < series.length; s++) {
      const h = heads[s];
      const ser = series[s];
      if (h < ser.length && ser.time[h] === next) {
        symbol[entry] = s;
        bar[entry] = h;
        entry++;
        heads[s] = h + 1;
      }
    }
    steps++;
  }
  start[steps] = entry;
  return { times: times.subarray(0, steps), start: start.subarray(0, steps + 1), symbol, bar, steps, totalBars, single: false };
}

/** A copy of a timeline in SharedArrayBuffers, for worker threads to read without copying. */
export function shareTimeline(tl: Timeline): Timeline {
  const share = <T extends Float64Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a as never);
    return out;
  };
  const f64 = (a: Float64Array) => share(a, (b) => new Float64Array(b));
  const i32 = (a: Int32Array) => share(a, (b) => new Int32Array(b));
  return { ...tl, times: f64(tl.times), start: i32(tl.start), symbol: i32(tl.symbol), bar: i32(tl.bar) };
}
