// Fields of a lot's row.
const SELL = 0;
const TIME = 1;
const BAR = 2;
const PRICE = 3;
const QUANTITY = 4;
const COMMISSION = 5;
const REMAINING = 6;
const STRIDE = 7;

/**
 * The open entry lots of one symbol, first in first out, as rows of numbers in a ring that doubles
 * when full: an entry costs no object (a lot object per entry fill, alive until its exit, was
 * the largest allocation left on the order path). Read the first lot through the getters.
 */
export class LotQueue {
  private values = new Float64Array(8 * STRIDE);
  private capacity = 8;
  /** Row of the first lot. */
  private head = 0;
  length = 0;

  /** Adds a lot at the end: its side, entry time and bar, price, quantity and entry commission. */
  push(sell: boolean, time: number, barIndex: number, price: number, quantity: number, commission: number): void {
    if (this.length === this.capacity) this.grow();
    let row = this.head + this.length;
    if (row >= this.capacity) row -= this.capacity;
    const v = this.values;
    const at = row * STRIDE;
    v[at + SELL] = sell ? 1 : 0;
    v[at + TIME] = time;
    v[at + BAR] = barIndex;
    v[at + PRICE] = price;
    v[at + QUANTITY] = quantity;
    v[at + COMMISSION] = commission;
    v[at + REMAINING] = quantity;
    this.length++;
  }

  /** Drops the first lot. */
  shift(): void {
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.length--;
  }

  // The first lot (only while length > 0).
  get sell(): boolean {
    return this.values[this.head * STRIDE + SELL] === 1;
  }
  get time(): number {
    return this.values[this.head * STRIDE + TIME];
  }
  get barIndex(): number {
    return this.values[this.head * STRIDE + BAR];
  }
  get price(): number {
    return this.values[this.head * STRIDE + PRICE];
  }
  /** Its original quantity and commission, to attribute the entry commission pro rata. */
  get quantity(): number {
    return this.values[this.head * STRIDE + QUANTITY];
  }
  get commission(): number {
    return this.values[this.head * STRIDE + COMMISSION];
  }
  get remaining(): number {
    return this.values[this.head * STRIDE + REMAINING];
  }
  set remaining(q: number) {
    this.values[this.head * STRIDE + REMAINING] = q;
  }

  /** Twice the room, the lots copied in order from row 0. */
  private grow(): void {
    const next = new Float64Array(this.capacity * 2 * STRIDE);
    const firstPart = (this.capacity - this.head) * STRIDE;
    next.set(this.values.subarray(this.head * STRIDE));
    next.set(this.values.subarray(0, this.head * STRIDE), firstPart);
    this.values = next;
    this.head = 0;
    this.capacity *= 2;
  }
}
