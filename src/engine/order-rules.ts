/** The per-order rules of docs/CONVENTIONS.md ("Orders", "Fills"): validation, fill prices, trailing levels. */
import { ORDER_TYPES, type Order, type OrderRequest, type OrderType, type Side } from './orders.js';

const SIDES: readonly Side[] = ['BUY', 'SELL'];
/** An OCO group name is a short label. */
export const MAX_OCO_GROUP_CHARS = 64;

function isPositivePrice(p: unknown): boolean {
  return typeof p === 'number' && Number.isFinite(p) && p > 0;
}

/** Why an order cannot be accepted (invalid orders are REJECTED, the run goes on), or null. */
export function checkRequest(req: OrderRequest, order: Order): string | null {
  if (order.symbolIndex < 0) return `unknown symbol ${order.symbol}`;
  if (!SIDES.includes(order.side)) return `side must be BUY or SELL, got ${String(order.side)}`;
  if (!ORDER_TYPES.includes(order.type)) return `unknown order type ${String(order.type)}`;
  if (order.timeInForce !== 'GTC' && order.timeInForce !== 'DAY') return `timeInForce must be GTC or DAY, got ${String(order.timeInForce)}`;
  if (!(typeof order.quantity === 'number' && Number.isFinite(order.quantity) && order.quantity > 0)) return 'quantity must be a finite number > 0';
  if ((order.type === 'LIMIT' || order.type === 'STOP_LIMIT') && !isPositivePrice(order.limitPrice)) return `a ${order.type} order needs a limitPrice > 0`;
  if ((order.type === 'STOP' || order.type === 'STOP_LIMIT') && !isPositivePrice(order.stopPrice)) return `a ${order.type} order needs a stopPrice > 0`;
  if (req.type === 'TRAILING_STOP') {
    const amount = req.trailAmount;
    const percent = req.trailPercent;
    if ((amount === undefined) === (percent === undefined)) return 'a TRAILING_STOP order needs exactly one of trailAmount and trailPercent';
    if (amount !== undefined && !isPositivePrice(amount)) return 'trailAmount must be a finite number > 0';
    if (percent !== undefined && !(isPositivePrice(percent) && (percent as number) < 100)) return 'trailPercent must be a number > 0 and < 100';
  }
  const group = req.ocoGroup;
  if (group !== undefined && !(typeof group === 'string' && group.length > 0 && group.length <= MAX_OCO_GROUP_CHARS)) {
    return `ocoGroup must be a string of 1..${MAX_OCO_GROUP_CHARS} characters`;
  }
  return null;
}

/** The matching pass an order type belongs to: trailing stops are stops. */
export function matchPass(type: OrderType): OrderType {
  return type === 'TRAILING_STOP' ? 'STOP' : type;
}

/** LIMIT fill price on a bar, or NaN when the bar does not reach the limit. */
export function limitFillPrice(buy: boolean, limit: number, open: number, high: number, low: number): number {
  if (buy) return low <= limit ? Math.min(limit, open) : NaN;
  return high >= limit ? Math.max(limit, open) : NaN;
}

/** A trailing stop's level from its best price: below it for a sell, above it for a buy. */
export function trailingStopLevel(o: Order): number {
  const best = o.bestPrice;
  if (o.side === 'SELL') return o.trailAmount !== null ? best - o.trailAmount : best * (1 - (o.trailPercent as number) / 100);
  return o.trailAmount !== null ? best + o.trailAmount : best * (1 + (o.trailPercent as number) / 100);
}
