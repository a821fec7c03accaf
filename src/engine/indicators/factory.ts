import type { BarHistory } from '../bar-history.js';
import type { BarClock } from './history.js';
import { DEFAULT_HISTORY, type BlockIndicator, type CustomIndicator, type Indicator } from './indicator.js';
import { Atr, Bollinger, Dmi, Ema, HighestHigh, LowestLow, ParabolicSar, Roc, Rsi, Sma } from './index.js';

/**
 * How strategies create indicators: each one is sized for the run's symbols and registered with
 * the engine, which updates it with every bar before the strategy sees that bar (SMAs, which
 * have a block kernel, are computed a block ahead and shown bar by bar through the engine's clock).
 */
export interface IndicatorFactory {
  sma(period: number, history?: number): Sma;
  ema(period: number, history?: number): Ema;
  rsi(period: number, history?: number): Rsi;
  atr(period: number, history?: number): Atr;
  bollinger(period: number, k: number, history?: number): Bollinger;
  roc(period: number, history?: number): Roc;
  highestHigh(period: number, history?: number): HighestHigh;
  lowestLow(period: number, history?: number): LowestLow;
  dmi(period: number, history?: number): Dmi;
  parabolicSar(step?: number, max?: number, history?: number): ParabolicSar;
  /** Registers an indicator of the strategy's own; it is updated with the bounded history of each bar's symbol. */
  custom<T extends CustomIndicator>(indicator: T): T;
}

/** Where the factory hands what it creates: the engine's bar clock and its two kinds of indicator. */
export interface IndicatorRegistry {
  readonly clock: BarClock;
  /** An indicator the engine updates bar by bar (custom ones, and built-ins without a block kernel). */
  add(indicator: Indicator): void;
  /** A built-in on the engine's clock, computed a block of bars at a time. */
  addBlock(indicator: BlockIndicator): void;
  /** The bounded view of symbol s's bars that custom indicators are updated with (the engine gives it; without it, `custom` throws). */
  history?(s: number): BarHistory;
}

export function createIndicatorFactory(symbols: number, registry: IndicatorRegistry): IndicatorFactory {
  const add = <T extends Indicator>(indicator: T): T => {
    registry.add(indicator);
    return indicator;
  };
  const addBlock = <T extends BlockIndicator>(indicator: T): T => {
    registry.addBlock(indicator);
    return indicator;
  };
  const h = DEFAULT_HISTORY;
  return {
    sma: (period, history = h) => addBlock(new Sma(symbols, period, history, registry.clock)),
    ema: (period, history = h) => add(new Ema(symbols, period, history)),
    rsi: (period, history = h) => add(new Rsi(symbols, period, history)),
    atr: (period, history = h) => add(new Atr(symbols, period, history)),
    bollinger: (period, k, history = h) => add(new Bollinger(symbols, period, k, history)),
    roc: (period, history = h) => add(new Roc(symbols, period, history)),
    highestHigh: (period, history = h) => add(new HighestHigh(symbols, period, history)),
    lowestLow: (period, history = h) => add(new LowestLow(symbols, period, history)),
    dmi: (period, history = h) => add(new Dmi(symbols, period, history)),
    parabolicSar: (step = 0.02, max = 0.2, history = h) => add(new ParabolicSar(symbols, step, max, history)),
    custom: (indicator) => {
      const history = registry.history;
      if (history === undefined) throw new Error('custom indicators need the engine: create them in a strategy factory');
      registry.add({ update: (s) => indicator.update(s, history(s)) });
      return indicator;
    },
  };
}
