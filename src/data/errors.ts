/** Errors of the market-data store that callers (GraphQL, CLI) report to users as-is. */
import type { BarPeriod } from '../engine/bars.js';

/** Bars already stored for the instrument and period, and the caller did not ask to replace them. */
export class BarsExistError extends Error {
  override readonly name = 'BarsExistError';
  constructor(dataset: string, symbol: string, period: BarPeriod, bars: number) {
    super(`${dataset}/${symbol} already has ${bars} ${period} bars; use replace to overwrite them`);
  }
}

/** No bars of that period for that dataset/symbol (unknown dataset, symbol or period). */
export class BarsNotFoundError extends Error {
  override readonly name = 'BarsNotFoundError';
  constructor(dataset: string, symbol: string, period: BarPeriod) {
    super(`no ${period} bars for ${dataset}/${symbol}`);
  }
}

/** A series that cannot be stored, e.g. timestamps not strictly increasing. */
export class InvalidBarsError extends Error {
  override readonly name = 'InvalidBarsError';
}
