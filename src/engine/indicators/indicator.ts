import type { BarSeries } from '../bars.js';

/**
 * A streaming indicator over every symbol of a run. The engine calls `update` once per bar of
 * symbol `s` (bar index `i` of `bars`), in time order, before the strategy sees that bar.
 * Implementations keep per-symbol state in typed arrays and allocate nothing per update.
 */
export interface Indicator {
  update(s: number, bars: BarSeries, i: number): void;
}

/** Default number of values kept per output: the latest and 15 bars back. */
export const DEFAULT_HISTORY = 16;
