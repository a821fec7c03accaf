import { DEFAULT_HISTORY } from './indicator.js';
import { WindowExtreme } from './window-extreme.js';

/** Highest high over the last n bars, the current bar included (bars t-n+1..t), defined from t = n-1. */
export class HighestHigh extends WindowExtreme {
  constructor(symbols: number, period: number, history: number = DEFAULT_HISTORY) {
    super('HighestHigh', 'high', 1, symbols, period, history);
  }
}
