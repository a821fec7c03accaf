/** Orders as the strategy submits them: one shape per order type, so a LIMIT without a price cannot be written. */
export type Side = 'BUY' | 'SELL';
export type TimeInForce = 'GTC' | 'DAY';
export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'TRAILING_STOP'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

interface OrderBase {
  /** Symbol index in the run (see `StrategyContext.symbols`) or the symbol name. */
  readonly symbol: number | string;
  readonly side: Side;
  readonly quantity: number;
  readonly timeInForce?: TimeInForce;
  /** Free-form label kept with the order, e.g. 'entry' or 'stop'. */
  readonly tag?: string;
  /** One-cancels-other: when an order of the group fills, the group's other orders are cancelled. */
  readonly ocoGroup?: string;
}
export interface MarketOrderRequest extends OrderBase { readonly type: 'MARKET' }
export interface LimitOrderRequest extends OrderBase { readonly type: 'LIMIT'; readonly limitPrice: number }
export interface StopOrderRequest extends OrderBase { readonly type: 'STOP'; readonly stopPrice: number }
export interface StopLimitOrderRequest extends OrderBase {
  readonly type: 'STOP_LIMIT';
  readonly stopPrice: number;
  readonly limitPrice: number;
}
/** A stop that follows the best price since submission by `trailAmount` (price units) or `trailPercent` (percent): give exactly one. */
export interface TrailingStopOrderRequest extends OrderBase {
  readonly type: 'TRAILING_STOP';
  readonly trailAmount?: number;
  readonly trailPercent?: number;
}
export type OrderRequest = MarketOrderRequest | LimitOrderRequest | StopOrderRequest | StopLimitOrderRequest | TrailingStopOrderRequest;

/** The entry of a bracket: how the position is opened. */
export type BracketEntry =
  | { readonly type: 'MARKET' }
  | { readonly type: 'LIMIT'; readonly limitPrice: number }
  | { readonly type: 'STOP'; readonly stopPrice: number };

/**
 * An entry with attached exits (docs/CONVENTIONS.md, "Brackets"): a take-profit LIMIT and/or a
 * stop-loss STOP on the opposite side, for the quantity the entry fills, working only once it has
 * filled, as an OCO pair.
 */
export interface BracketRequest {
  readonly symbol: number | string;
  readonly side: Side;
  readonly quantity: number;
  /** Default MARKET. */
  readonly entry?: BracketEntry;
  /** Limit price of the take-profit exit. */
  readonly takeProfit?: number;
  /** Stop price of the stop-loss exit. */
  readonly stopLoss?: number;
  /** The entry's time in force; the exits are GTC. */
  readonly timeInForce?: TimeInForce;
  readonly tag?: string;
}

export interface BracketOrders<O = Order> {
  readonly entry: O;
  readonly takeProfit: O | null;
  readonly stopLoss: O | null;
}

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
  /** TRAILING_STOP: the trail (one of the two is set); `stopPrice` is the level now. */
  readonly trailAmount: number | null;
  readonly trailPercent: number | null;
  /** A bracket exit: the id of its entry. */
  readonly parentId: number | null;
  readonly ocoGroup: string | null;
  status: OrderStatus;
  filledQuantity: number;
  averageFillPrice: number | null;
  reason: string | null;
  /** A STOP_LIMIT whose stop has been hit behaves as a LIMIT from then on. */
  triggered: boolean;
  /** TRAILING_STOP: the best price since submission (highest for a sell, lowest for a buy). */
  bestPrice: number;
  /** A bracket exit waiting for its entry to fill: PENDING but not yet working. */
  held: boolean;
  /** Timeline step at which the order was submitted (a bracket exit: activated); it works from the next step on. */
  submittedStep: number;
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
