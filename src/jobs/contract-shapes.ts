/**
 * Stored records in the shapes of CONTRACT.md's GraphQL types (times as ISO-8601), for outputs
 * that are not GraphQL, such as `backtest run --json`, so they read the same as API results.
 */
import type { Fill } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';
import type { RunRecord } from '../data/run-types.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** IDs of a run's fills and orders are scoped by the run so they are unique across runs. */
export const childId = (runId: number, n: number) => `${runId}:${n}`;

export function runShape(r: RunRecord) {
  return {
    id: String(r.id),
    strategy: r.strategy,
    params: r.params,
    symbols: r.symbols,
    period: r.period,
    dataset: r.dataset,
    start: r.start,
    end: r.end,
    initialCash: r.initialCash,
    status: r.status,
    progress: r.progress,
    barsProcessed: r.barsProcessed,
    error: r.error,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}

export function fillShape(runId: number, f: Fill) {
  return {
    id: childId(runId, f.id),
    orderId: childId(runId, f.orderId),
    time: iso(f.time),
    symbol: f.symbol,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    commission: f.commission,
  };
}

export function roundTripShape(t: RoundTrip) {
  return {
    symbol: t.symbol,
    side: t.side,
    quantity: t.quantity,
    entryTime: iso(t.entryTime),
    exitTime: iso(t.exitTime),
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    pnl: t.pnl,
    returnPct: t.returnPct,
    bars: t.bars,
  };
}
