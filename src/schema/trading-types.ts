/** Fills, orders, round trips and equity points: what a run produced. */
import { ORDER_STATUSES, ORDER_TYPES, type Fill, type Order } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';
import type { EquitySample } from '../jobs/run-events.js';
import { childId } from '../jobs/contract-shapes.js';
import { tradeReturn } from '../analytics/trade-stats.js';
import { builder } from './builder.js';

export const SideEnum = builder.enumType('Side', { values: ['BUY', 'SELL'] as const });
export const OrderTypeEnum = builder.enumType('OrderType', { values: ORDER_TYPES });
export const OrderStatusEnum = builder.enumType('OrderStatus', { values: ORDER_STATUSES });
export const TimeInForceEnum = builder.enumType('TimeInForce', { values: ['GTC', 'DAY'] as const });

/** Fills and orders are numbered per run; the run id makes their ids unique. */
export interface RunScoped<T> {
  readonly runId: number;
  readonly item: T;
}

export const FillRef = builder.objectRef<RunScoped<Fill>>('Fill').implement({
  fields: (t) => ({
    id: t.id({ resolve: (f) => childId(f.runId, f.item.id) }),
    orderId: t.id({ resolve: (f) => childId(f.runId, f.item.orderId) }),
    time: t.field({ type: 'DateTime', resolve: (f) => f.item.time }),
    symbol: t.string({ resolve: (f) => f.item.symbol }),
    side: t.field({ type: SideEnum, resolve: (f) => f.item.side }),
    quantity: t.float({ resolve: (f) => f.item.quantity }),
    price: t.float({ resolve: (f) => f.item.price }),
    commission: t.float({ resolve: (f) => f.item.commission }),
  }),
});

export const OrderRef = builder.objectRef<RunScoped<Order>>('Order').implement({
  fields: (t) => ({
    id: t.id({ resolve: (o) => childId(o.runId, o.item.id) }),
    time: t.field({ type: 'DateTime', resolve: (o) => o.item.time }),
    symbol: t.string({ resolve: (o) => o.item.symbol }),
    side: t.field({ type: SideEnum, resolve: (o) => o.item.side }),
    type: t.field({ type: OrderTypeEnum, resolve: (o) => o.item.type }),
    quantity: t.float({ resolve: (o) => o.item.quantity }),
    limitPrice: t.float({ nullable: true, resolve: (o) => o.item.limitPrice }),
    stopPrice: t.float({ nullable: true, resolve: (o) => o.item.stopPrice }),
    timeInForce: t.field({ type: TimeInForceEnum, resolve: (o) => o.item.timeInForce }),
    status: t.field({ type: OrderStatusEnum, resolve: (o) => o.item.status }),
    filledQuantity: t.float({ resolve: (o) => o.item.filledQuantity }),
    averageFillPrice: t.float({ nullable: true, resolve: (o) => o.item.averageFillPrice }),
    reason: t.string({ nullable: true, resolve: (o) => o.item.reason }),
    tag: t.string({ nullable: true, resolve: (o) => o.item.tag }),
    trailAmount: t.float({ nullable: true, description: 'TRAILING_STOP: the trail in price units (stopPrice is the level it reached).', resolve: (o) => o.item.trailAmount ?? null }),
    trailPercent: t.float({ nullable: true, description: 'TRAILING_STOP: the trail in percent of the best price.', resolve: (o) => o.item.trailPercent ?? null }),
    parentId: t.id({
      nullable: true,
      description: 'A bracket exit: the id of its entry order (the exit works only once the entry has filled).',
      resolve: (o) => (o.item.parentId == null ? null : childId(o.runId, o.item.parentId)),
    }),
    ocoGroup: t.string({ nullable: true, description: 'One-cancels-other group: a fill of one order of the group cancels the others.', resolve: (o) => o.item.ocoGroup ?? null }),
    updatedAt: t.field({ type: 'DateTime', description: 'Time of the last status change.', resolve: (o) => o.item.updatedAt }),
  }),
});

export const RoundTripRef = builder.objectRef<RoundTrip>('RoundTrip').implement({
  description: 'An entry lot closed by a later fill (FIFO); pnl is net of the attributable commissions.',
  fields: (t) => ({
    symbol: t.exposeString('symbol'),
    side: t.field({ type: SideEnum, resolve: (r) => r.side }),
    quantity: t.exposeFloat('quantity'),
    entryTime: t.field({ type: 'DateTime', resolve: (r) => r.entryTime }),
    exitTime: t.field({ type: 'DateTime', resolve: (r) => r.exitTime }),
    entryPrice: t.exposeFloat('entryPrice'),
    exitPrice: t.exposeFloat('exitPrice'),
    pnl: t.exposeFloat('pnl'),
    return: t.float({ description: 'pnl / (quantity × entryPrice), a fraction net of commissions (0.05 = 5 %).', resolve: (r) => tradeReturn(r) }),
    returnPct: t.exposeFloat('returnPct', { deprecationReason: 'Use `return`, a fraction: every return in the API is a fraction (returnPct = 100 × return).' }),
    bars: t.exposeInt('bars'),
  }),
});

export const EquityPointRef = builder.objectRef<EquitySample & { readonly benchmark?: number | null }>('EquityPoint').implement({
  fields: (t) => ({
    time: t.field({ type: 'DateTime', resolve: (p) => p.time }),
    equity: t.exposeFloat('equity'),
    cash: t.exposeFloat('cash'),
    drawdown: t.exposeFloat('drawdown'),
    benchmark: t.float({
      nullable: true,
      description: "Buy-and-hold of the run's benchmark with the initial cash, as of this time (currency); null without a benchmark, before its first bar, and on live samples.",
      resolve: (p) => p.benchmark ?? null,
    }),
  }),
});
