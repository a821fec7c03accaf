import type { BarSeries } from '../bars.js';
import type { BarHistory } from '../bar-history.js';

/**
 * A streaming indicator over every symbol of a run. The engine calls `update` once per bar of
 * symbol `s` (bar index `i` of `bars`), in time order, before the strategy sees that bar.
 * Implementations keep per-symbol state in typed arrays and allocate nothing per update.
 */
export interface Indicator {
  update(s: number, bars: BarSeries, i: number): void;
}

/**
 * A built-in the engine can compute a block of bars at a time: one tight loop with its running
 * state in registers instead of a call and a load-modify-store of that state per bar. Values are
 * those `update` would give, bar for bar; they are written ahead into the ring of a History on the
 * engine's BarClock and become visible only as the clock reaches each bar, so the strategy still
 * sees nothing beyond the current bar.
 */
export interface BlockIndicator extends Indicator {
  /** Computes bars [from, to) of symbol s; blocks of a symbol come in order, starting at bar 0. */
  updateBlock(s: number, bars: BarSeries, from: number, to: number): void;
}

/** Default number of values kept per output: the latest and 15 bars back. */
export const DEFAULT_HISTORY = 16;

/**
 * A strategy's own indicator (`ctx.indicators.custom`). The engine calls `update` once per bar of
 * symbol s, before the strategy sees that bar, with the symbol's history ending at that bar: the
 * bounded view of `ctx.history(s)`, never the arrays, so it cannot read a later bar.
 */
export interface CustomIndicator {
  update(s: number, history: BarHistory): void;
}
