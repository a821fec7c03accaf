/** Orders as the strategy submits them: one shape per order type, so a LIMIT without a price cannot be written. */
export type Side = 'BUY' | 'SELL';
export type TimeInForce = 'GTC' | 'DAY';
export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

interface OrderBase {
  /** Symbol index in the run (see `StrategyContext.symbols`) or the symbol name. */
  readonly symbol: number | string;
  readonly side: Side;
  readonly quantity: number;
  readonly timeInForce?: TimeInForce;
  /** Free-form label kept with the order, e.g. 'entry' or 'stop'. */
  readonly tag?: string;
}
export interface MarketOrderRequest extends OrderBase { readonly type: 'MARKET' }
export interface LimitOrderRequest extends OrderBase { readonly type: 'LIMIT'; readonly limitPrice: number }
export interface StopOrderRequest extends OrderBase { readonly type: 'STOP'; readonly stopPrice: number }
export interface StopLimitOrderRequest extends OrderBase {
  readonly type: 'STOP_LIMIT';
  readonly stopPrice: number;
  readonly limitPrice: number;
}
export type OrderRequest = MarketOrderRequest | LimitOrderRequest | StopOrderRequest | StopLimitOrderRequest;

/** Changes a strategy may apply to a working order; absent fields stay as they are. */
export interface OrderModification {
  readonly quantity?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

export const ORDER_STATUSES = ['PENDING', 'FILLED', 'PARTIALLY_FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order as the broker tracks it and as results report it. */
export interface Order {
  readonly id: number;
  /** Submission time, epoch ms. */
  readonly time: number;
  readonly symbolIndex: number;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  quantity: number;
  limitPrice: number | null;
  stopPrice: number | null;
  readonly timeInForce: TimeInForce;
  readonly tag: string | null;
  status: OrderStatus;
  filledQuantity: number;
  averageFillPrice: number | null;
  reason: string | null;
  /** A STOP_LIMIT whose stop has been hit behaves as a LIMIT from then on. */
  triggered: boolean;
  /** Timeline step at which the order was submitted; it works from the next step on. */
  readonly submittedStep: number;
  /** DAY orders: epoch ms of the next UTC midnight, when they expire. Infinity for GTC. */
  readonly expiresAt: number;
  /** Time of the last status change, epoch ms. */
  updatedAt: number;
}

export interface Fill {
  readonly id: number;
  readonly orderId: number;
  readonly time: number;
  readonly symbolIndex: number;
  readonly symbol: string;
  /** Index of the bar in its symbol's series. */
  readonly barIndex: number;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
}

export function isWorking(status: OrderStatus): boolean {
  return status === 'PENDING' || status === 'PARTIALLY_FILLED';
}
