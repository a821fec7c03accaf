/** A simulated run's end as a RunOutcome, ready for Storage.storeOutcome (pool threads, and `backtest run` on a Storage). */
import { encodeEquity } from '../data/equity-codec.js';
import { compressBlocks, encodeBlocks } from '../data/result-blocks.js';
import type { RunOutcome } from '../data/run-outcome-store.js';
import type { SimulatedRun } from './execute-run.js';

export function encodeOutcome(s: SimulatedRun): RunOutcome {
  const base = { status: s.status, error: s.error, progress: s.progress, barsProcessed: s.barsProcessed };
  const r = s.result;
  if (!r) return { ...base, metrics: null, blocks: [], equity: null };
  try {
    const blocks = compressBlocks([...encodeBlocks('orders', r.orders), ...encodeBlocks('fills', r.fills), ...encodeBlocks('roundTrips', r.roundTrips)]);
    // In a pool thread this runs off the main thread. The engine's equity column itself is handed
    // over, not copied (the engine is done with it): once the outcome is transferred, the curve is gone.
    return { ...base, metrics: r.metrics, blocks, equity: encodeEquity(r.equity, { transferable: true }) };
  } catch (e) {
    return { ...base, status: 'FAILED', error: `the results could not be stored: ${e instanceof Error ? e.message : String(e)}`, metrics: null, blocks: [], equity: null };
  }
}
