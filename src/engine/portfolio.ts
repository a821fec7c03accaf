import type { Side } from './orders.js';

/**
 * Cash and signed positions per symbol. Adding to a position averages its price, reducing it
 * realises PnL against the average, and crossing through zero opens the remainder at the fill price.
 */
export class Portfolio {
  // Both start as doubles (NaN, then set in the constructor). Declared as `undefined` or an integer
  // first, V8 would keep them as generic tagged fields: every read in the per-bar mark to market
  // would need a type check and every result a fresh heap box.
  cash = Number.NaN;
  totalCommission = Number.NaN;
  /** Number of symbols whose position is non-zero; exposure needs only this. */
  openPositions = 0;
  // `declare`: first defined by the constructor as typed arrays, not as `undefined`, so the
  // per-bar mark to market reads them without type checks.
  declare readonly position: Float64Array;
  declare readonly averagePrice: Float64Array;
  declare readonly realizedPnl: Float64Array;
  /** Latest close per symbol, the mark for unrealised PnL and equity. */
  declare readonly lastPrice: Float64Array;

  constructor(readonly symbolCount: number, readonly initialCash: number) {
    this.cash = initialCash;
    this.totalCommission = 0;
    this.position = new Float64Array(symbolCount);
    this.averagePrice = new Float64Array(symbolCount);
    this.realizedPnl = new Float64Array(symbolCount);
    this.lastPrice = new Float64Array(symbolCount);
  }

  applyFill(s: number, side: Side, quantity: number, price: number, commission: number): void {
    const signed = side === 'BUY' ? quantity : -quantity;
    this.cash -= signed * price + commission;
    this.totalCommission += commission;

    const before = this.position[s];
    const after = before + signed;
    if (before === 0 || (before > 0) === (signed > 0)) {
      this.averagePrice[s] = (Math.abs(before) * this.averagePrice[s] + quantity * price) / Math.abs(after);
    } else {
      const closed = Math.min(quantity, Math.abs(before));
      this.realizedPnl[s] += closed * (price - this.averagePrice[s]) * (before > 0 ? 1 : -1);
      if (after === 0) this.averagePrice[s] = 0;
      else if ((after > 0) !== (before > 0)) this.averagePrice[s] = price;
    }
    this.position[s] = after;
    if (before === 0 && after !== 0) this.openPositions++;
    else if (before !== 0 && after === 0) this.openPositions--;
  }

  unrealizedPnl(s: number): number {
    const q = this.position[s];
    return q === 0 ? 0 : q * (this.lastPrice[s] - this.averagePrice[s]);
  }

  /** cash + Σ position × last price. */
  equity(): number {
    let value = this.cash;
    if (this.openPositions === 0) return value;
    const pos = this.position;
    const px = this.lastPrice;
    for (let s = 0; s < this.symbolCount; s++) value += pos[s] * px[s];
    return value;
  }
}
