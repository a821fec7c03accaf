/**
 * Seeded synthetic bars: a geometric random walk with consistent OHLCV, for demos,
 * tests and benchmarks. Same options and seed -> bit-identical series.
 */
import { allocateBarSeries, PERIOD_MS, PERIODS_PER_YEAR, type BarPeriod, type BarSeries } from '../engine/bars.js';

export interface SyntheticOptions {
  readonly symbol: string;
  readonly bars: number;
  readonly period: BarPeriod;
  readonly seed: number;
  /** Time of the first bar, epoch ms; bars follow every PERIOD_MS without gaps. */
  readonly start?: number;
  readonly startPrice?: number;
  /** Annualised drift of log returns (scaled by PERIODS_PER_YEAR, like the engine's metrics). */
  readonly drift?: number;
  /** Annualised volatility of log returns. */
  readonly volatility?: number;
}

export function generateSyntheticBars(o: SyntheticOptions): BarSeries {
  const { bars, period, start = Date.UTC(2020, 0, 1), startPrice = 100, drift = 0.05, volatility = 0.2 } = o;
  if (!Number.isInteger(bars) || bars < 0) throw new RangeError(`bars must be a non-negative integer, got ${bars}`);
  const s = allocateBarSeries(o.symbol, bars);
  const rand = mulberry32(o.seed);
  const normal = gaussian(rand);
  const perYear = PERIODS_PER_YEAR[period];
  const sigma = volatility / Math.sqrt(perYear);
  const mu = drift / perYear - (sigma * sigma) / 2; // Itô correction: E[price] grows at `drift`
  const step = PERIOD_MS[period];
  let price = startPrice;
  for (let i = 0; i < bars; i++) {
    const open = price;
    const close = open * Math.exp(mu + sigma * normal());
    // Wicks reach beyond the body by a half-normal fraction of one bar's volatility.
    const high = Math.max(open, close) * Math.exp(Math.abs(normal()) * sigma * 0.5);
    const low = Math.min(open, close) * Math.exp(-Math.abs(normal()) * sigma * 0.5);
    s.time[i] = start + i * step;
    s.open[i] = open;
    s.high[i] = high;
    s.low[i] = low;
    s.close[i] = close;
    s.volume[i] = 1000 + Math.floor(rand() * 9000);
    price = close;
  }
  return s;
}

/** mulberry32: tiny, fast 32-bit PRNG; plenty for synthetic prices. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals by Box-Muller, using both values of each pair. */
function gaussian(rand: () => number): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    const u = 1 - rand(); // (0, 1], keeps log finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * rand();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}
