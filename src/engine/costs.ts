import type { OrderType, Side } from './orders.js';

/** Commission charged for one fill. */
export interface CommissionModel {
  commission(quantity: number, price: number): number;
}

/** Adjusts a raw fill price for slippage. */
export interface SlippageModel {
  adjust(price: number, side: Side, orderType: OrderType): number;
}

export interface CommissionSettings {
  readonly perUnit: number;
  readonly minimumPerOrder: number;
  readonly percentOfNotional: number;
}

export const NO_COMMISSION: CommissionSettings = { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 };

/** max(minimumPerOrder, perUnit × qty) + percentOfNotional/100 × qty × price (docs/CONVENTIONS.md). */
export class TieredCommission implements CommissionModel {
  constructor(private readonly s: CommissionSettings) {}
  commission(quantity: number, price: number): number {
    const perUnit = Math.max(this.s.minimumPerOrder, this.s.perUnit * quantity);
    return perUnit + (this.s.percentOfNotional / 100) * quantity * price;
  }
}

/** Worsens market and stop fills by price × bps / 10000; limit fills (including triggered stop-limits) get none. */
export class BasisPointSlippage implements SlippageModel {
  private readonly fraction: number;
  constructor(bps: number) {
    this.fraction = bps / 10_000;
  }
  adjust(price: number, side: Side, orderType: OrderType): number {
    if (this.fraction === 0 || orderType === 'LIMIT' || orderType === 'STOP_LIMIT') return price;
    const delta = price * this.fraction;
    return side === 'BUY' ? price + delta : price - delta;
  }
}
