import type { Fill, Side } from './orders.js';
import { RecordRows } from './record-columns.js';

// Fields of a row.
const ID = 0;
const ORDER_ID = 1;
const TIME = 2;
const SYMBOL = 3;
const BAR = 4;
const SELL = 5;
const QUANTITY = 6;
const PRICE = 7;
const COMMISSION = 8;

/** A run's fills as rows of numbers; Fill objects are made only for a reader (`get`, `toArray`). */
export class FillLog {
  private readonly rows = new RecordRows(9);

  constructor(private readonly symbols: readonly string[]) {}

  get count(): number {
    return this.rows.count;
  }

  add(id: number, orderId: number, time: number, s: number, barIndex: number, side: Side, quantity: number, price: number, commission: number): void {
    const at = this.rows.append();
    const v = this.rows.values;
    v[at + ID] = id;
    v[at + ORDER_ID] = orderId;
    v[at + TIME] = time;
    v[at + SYMBOL] = s;
    v[at + BAR] = barIndex;
    v[at + SELL] = side === 'SELL' ? 1 : 0;
    v[at + QUANTITY] = quantity;
    v[at + PRICE] = price;
    v[at + COMMISSION] = commission;
  }

  get(k: number): Fill {
    const v = this.rows.chunkOf(k);
    const at = this.rows.offsetOf(k);
    const s = v[at + SYMBOL];
    return {
      id: v[at + ID],
      orderId: v[at + ORDER_ID],
      time: v[at + TIME],
      symbolIndex: s,
      symbol: this.symbols[s],
      barIndex: v[at + BAR],
      side: v[at + SELL] === 1 ? 'SELL' : 'BUY',
      quantity: v[at + QUANTITY],
      price: v[at + PRICE],
      commission: v[at + COMMISSION],
    };
  }

  /** Fills [from, to) as objects. */
  toArray(from = 0, to = this.count): Fill[] {
    const out: Fill[] = [];
    for (let k = from; k < to; k++) out.push(this.get(k));
    return out;
  }
}
