import type { OrderStatus } from './orders.js';

/** What can happen to an order. Transitions not in the table are refused. */
export type OrderEventKind = 'PARTIAL_FILL' | 'FILL' | 'CANCEL' | 'EXPIRE' | 'MODIFY' | 'REJECT';

const TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderEventKind, OrderStatus>>>> = {
  PENDING: {
    PARTIAL_FILL: 'PARTIALLY_FILLED',
    FILL: 'FILLED',
    CANCEL: 'CANCELLED',
    EXPIRE: 'EXPIRED',
    MODIFY: 'PENDING',
    REJECT: 'REJECTED',
  },
  PARTIALLY_FILLED: {
    PARTIAL_FILL: 'PARTIALLY_FILLED',
    FILL: 'FILLED',
    CANCEL: 'CANCELLED',
    EXPIRE: 'EXPIRED',
    MODIFY: 'PARTIALLY_FILLED',
  },
  FILLED: {},
  CANCELLED: {},
  REJECTED: {},
  EXPIRED: {},
};

export class InvalidOrderTransition extends Error {
  constructor(readonly from: OrderStatus, readonly event: OrderEventKind) {
    super(`order in status ${from} cannot ${event.toLowerCase().replace('_', ' ')}`);
  }
}

/** The status after `event`, or null when the transition is not allowed. */
export function nextOrderStatus(from: OrderStatus, event: OrderEventKind): OrderStatus | null {
  return TRANSITIONS[from][event] ?? null;
}

export function transitionOrder(from: OrderStatus, event: OrderEventKind): OrderStatus {
  const to = nextOrderStatus(from, event);
  if (to === null) throw new InvalidOrderTransition(from, event);
  return to;
}
