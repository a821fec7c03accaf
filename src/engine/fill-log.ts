import type { Fill, Side } from './orders.js';
import { Float64Column, Int32Column } from './record-columns.js';

/**
 * A run's fills as columns; Fill objects are made only for a reader (`toArray`, the result's
 * `fills`). Side is stored as 0 (BUY) or 1 (SELL).
 */
export class FillLog {
  count = 0;
  private readonly orderId = new Int32Column();
  private readonly symbolIndex = new Int32Column();
  private readonly barIndex = new Int32Column();
  private readonly sell = new Int32Column();
  private readonly time = new Float64Column();
  private readonly quantity = new Float64Column();
  private readonly price = new Float64Column();
  private readonly commission = new Float64Column();
  /** Fill ids of the kept fills (ids count every fill, also those of runs that keep none). */
  private readonly id = new Int32Column();

  constructor(private readonly symbols: readonly string[]) {}

  add(id: number, orderId: number, time: number, s: number, barIndex: number, side: Side, quantity: number, price: number, commission: number): void {
    const k = this.count;
    this.id.push(k, id);
    this.orderId.push(k, orderId);
    this.time.push(k, time);
    this.symbolIndex.push(k, s);
    this.barIndex.push(k, barIndex);
    this.sell.push(k, side === 'SELL' ? 1 : 0);
    this.quantity.push(k, quantity);
    this.price.push(k, price);
    this.commission.push(k, commission);
    this.count = k + 1;
  }

  get(k: number): Fill {
    const s = this.symbolIndex.values[k];
    return {
      id: this.id.values[k],
      orderId: this.orderId.values[k],
      time: this.time.values[k],
      symbolIndex: s,
      symbol: this.symbols[s],
      barIndex: this.barIndex.values[k],
      side: this.sell.values[k] === 1 ? 'SELL' : 'BUY',
      quantity: this.quantity.values[k],
      price: this.price.values[k],
      commission: this.commission.values[k],
    };
  }

  /** Fills [from, to) as objects. */
  toArray(from = 0, to = this.count): Fill[] {
    const out: Fill[] = [];
    for (let k = from; k < to; k++) out.push(this.get(k));
    return out;
  }
}
