/**
 * Rows of the tables that held orders, fills and round trips before result blocks existed (runs
 * stored before them), as the engine's shapes. Shared by the SQLite and Postgres stores, whose
 * tables have the same columns and JavaScript values.
 */
import type { Fill, Order } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';
import type { fills, orders, roundTrips } from './schema/index.js';

export function orderFromRow(r: typeof orders.$inferSelect): Order {
  return {
    id: r.orderId,
    time: r.time,
    symbolIndex: r.symbolIndex,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: r.quantity,
    limitPrice: r.limitPrice,
    stopPrice: r.stopPrice,
    timeInForce: r.timeInForce,
    tag: r.tag,
    // Order kinds these rows predate: no trail, no bracket parent, no OCO group.
    trailAmount: null,
    trailPercent: null,
    parentId: null,
    ocoGroup: null,
    bestPrice: 0,
    held: false,
    status: r.status,
    filledQuantity: r.filledQuantity,
    averageFillPrice: r.averageFillPrice,
    reason: r.reason,
    triggered: r.triggered,
    submittedStep: r.submittedStep,
    expiresAt: r.expiresAt ?? Infinity,
    updatedAt: r.updatedAt,
  };
}

export function fillFromRow({ runId: _r, seq: _s, fillId, ...f }: typeof fills.$inferSelect): Fill {
  return { id: fillId, ...f };
}

export function roundTripFromRow({ runId: _r, seq: _s, ...t }: typeof roundTrips.$inferSelect): RoundTrip {
  return t;
}
