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
}

export function buildTimeline(series: readonly BarSeries[]): Timeline {
  let totalBars = 0;
  for (const s of series) totalBars += s.length;
  const symbol = new Int32Array(totalBars);
  const bar = new Int32Array(totalBars);

  if (series.length === 1) {
    const only = series[0];
    const start = new Int32Array(only.length + 1);
    for (let i = 0; i <= only.length; i++) start[i] = i;
    for (let i = 0; i < only.length; i++) bar[i] = i;
    return { times: only.time, start, symbol, bar, steps: only.length, totalBars };
  }

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
  return { times: times.subarray(0, steps), start: start.subarray(0, steps + 1), symbol, bar, steps, totalBars };
}
