import { ORDER_STATUSES, ORDER_TYPES, type Order } from './orders.js';
import { Float64Column, Int32Column } from './record-columns.js';

const NULL_LIMIT = 1;
const NULL_STOP = 2;
const NULL_TRAIL_AMOUNT = 4;
const NULL_TRAIL_PERCENT = 8;
const NULL_PARENT = 16;
const NULL_AVERAGE = 32;

/**
 * Orders that reached a final status, as columns (docs/CONVENTIONS.md, "Records"). A finished
 * order never changes again, so the broker moves it here and drops the object: a run keeps no
 * object per order, which was most of what its garbage collections had to copy and mark (an order
 * object with its boxed numbers is ~330 bytes). `get` makes a plain snapshot object on demand.
 */
export class OrderArchive {
  count = 0;
  /** Row of order id (index id - 1), or -1 while it is not archived. */
  private rowOfId = new Int32Array(1024).fill(-1);
  private readonly id = new Int32Column();
  private readonly symbolIndex = new Int32Column();
  private readonly side = new Int32Column();
  private readonly type = new Int32Column();
  private readonly timeInForce = new Int32Column();
  private readonly status = new Int32Column();
  private readonly flags = new Int32Column();
  private readonly nulls = new Int32Column();
  private readonly submittedStep = new Int32Column();
  private readonly time = new Float64Column();
  private readonly quantity = new Float64Column();
  private readonly limitPrice = new Float64Column();
  private readonly stopPrice = new Float64Column();
  private readonly trailAmount = new Float64Column();
  private readonly trailPercent = new Float64Column();
  private readonly parentId = new Float64Column();
  private readonly filledQuantity = new Float64Column();
  private readonly averageFillPrice = new Float64Column();
  private readonly bestPrice = new Float64Column();
  private readonly expiresAt = new Float64Column();
  private readonly updatedAt = new Float64Column();
  // Strings stay strings: the symbol is shared, the others are mostly null.
  private readonly symbol: string[] = [];
  private readonly tag: (string | null)[] = [];
  private readonly ocoGroup: (string | null)[] = [];
  private readonly reason: (string | null)[] = [];

  /**
   * Archives `o`; false (and nothing kept) when a field would not come back as it is: a rejected
   * order keeps what a JavaScript strategy sent, e.g. a quantity that is a string. Such an order
   * stays an object.
   */
  add(o: Order): boolean {
    if (!archivable(o)) return false;
    const k = this.count;
    while (o.id > this.rowOfId.length) {
      const next = new Int32Array(this.rowOfId.length * 2).fill(-1);
      next.set(this.rowOfId);
      this.rowOfId = next;
    }
    this.rowOfId[o.id - 1] = k;
    this.id.push(k, o.id);
    this.symbolIndex.push(k, o.symbolIndex);
    this.side.push(k, o.side === 'SELL' ? 1 : 0);
    this.type.push(k, ORDER_TYPES.indexOf(o.type));
    this.timeInForce.push(k, o.timeInForce === 'DAY' ? 1 : 0);
    this.status.push(k, ORDER_STATUSES.indexOf(o.status));
    this.flags.push(k, (o.triggered ? 1 : 0) | (o.held ? 2 : 0));
    this.nulls.push(
      k,
      (o.limitPrice === null ? NULL_LIMIT : 0) |
        (o.stopPrice === null ? NULL_STOP : 0) |
        (o.trailAmount === null ? NULL_TRAIL_AMOUNT : 0) |
        (o.trailPercent === null ? NULL_TRAIL_PERCENT : 0) |
        (o.parentId === null ? NULL_PARENT : 0) |
        (o.averageFillPrice === null ? NULL_AVERAGE : 0),
    );
    this.submittedStep.push(k, o.submittedStep);
    this.time.push(k, o.time);
    this.quantity.push(k, o.quantity);
    this.limitPrice.push(k, o.limitPrice ?? 0);
    this.stopPrice.push(k, o.stopPrice ?? 0);
    this.trailAmount.push(k, o.trailAmount ?? 0);
    this.trailPercent.push(k, o.trailPercent ?? 0);
    this.parentId.push(k, o.parentId ?? 0);
    this.filledQuantity.push(k, o.filledQuantity);
    this.averageFillPrice.push(k, o.averageFillPrice ?? 0);
    this.bestPrice.push(k, o.bestPrice);
    this.expiresAt.push(k, o.expiresAt);
    this.updatedAt.push(k, o.updatedAt);
    this.symbol.push(o.symbol);
    this.tag.push(o.tag);
    this.ocoGroup.push(o.ocoGroup);
    this.reason.push(o.reason);
    this.count = k + 1;
    return true;
  }

  has(id: number): boolean {
    return id >= 1 && id <= this.rowOfId.length && this.rowOfId[id - 1] >= 0;
  }

  /** A snapshot of archived order `id` (a new object each call), or undefined. */
  get(id: number): Order | undefined {
    if (!this.has(id)) return undefined;
    const k = this.rowOfId[id - 1];
    const nulls = this.nulls.values[k];
    const nullable = (bit: number, v: number) => ((nulls & bit) !== 0 ? null : v);
    const flags = this.flags.values[k];
    return {
      id,
      time: this.time.values[k],
      symbolIndex: this.symbolIndex.values[k],
      symbol: this.symbol[k],
      side: this.side.values[k] === 1 ? 'SELL' : 'BUY',
      type: ORDER_TYPES[this.type.values[k]],
      quantity: this.quantity.values[k],
      limitPrice: nullable(NULL_LIMIT, this.limitPrice.values[k]),
      stopPrice: nullable(NULL_STOP, this.stopPrice.values[k]),
      timeInForce: this.timeInForce.values[k] === 1 ? 'DAY' : 'GTC',
      tag: this.tag[k],
      trailAmount: nullable(NULL_TRAIL_AMOUNT, this.trailAmount.values[k]),
      trailPercent: nullable(NULL_TRAIL_PERCENT, this.trailPercent.values[k]),
      parentId: nullable(NULL_PARENT, this.parentId.values[k]),
      ocoGroup: this.ocoGroup[k],
      status: ORDER_STATUSES[this.status.values[k]],
      filledQuantity: this.filledQuantity.values[k],
      averageFillPrice: nullable(NULL_AVERAGE, this.averageFillPrice.values[k]),
      reason: this.reason[k],
      triggered: (flags & 1) !== 0,
      bestPrice: this.bestPrice.values[k],
      held: (flags & 2) !== 0,
      submittedStep: this.submittedStep.values[k],
      expiresAt: this.expiresAt.values[k],
      updatedAt: this.updatedAt.values[k],
    };
  }
}

const isNumber = (v: unknown): boolean => typeof v === 'number';
const isNumberOrNull = (v: unknown): boolean => v === null || typeof v === 'number';
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
const isInt32 = (v: unknown): boolean => typeof v === 'number' && (v | 0) === v;

function archivable(o: Order): boolean {
  return (
    isInt32(o.id) &&
    isInt32(o.symbolIndex) &&
    isInt32(o.submittedStep) &&
    typeof o.symbol === 'string' &&
    (o.side === 'BUY' || o.side === 'SELL') &&
    (o.timeInForce === 'GTC' || o.timeInForce === 'DAY') &&
    ORDER_TYPES.includes(o.type) &&
    ORDER_STATUSES.includes(o.status) &&
    isNumber(o.time) &&
    isNumber(o.quantity) &&
    isNumber(o.filledQuantity) &&
    isNumber(o.bestPrice) &&
    isNumber(o.expiresAt) &&
    isNumber(o.updatedAt) &&
    isNumberOrNull(o.limitPrice) &&
    isNumberOrNull(o.stopPrice) &&
    isNumberOrNull(o.trailAmount) &&
    isNumberOrNull(o.trailPercent) &&
    isNumberOrNull(o.parentId) &&
    isNumberOrNull(o.averageFillPrice) &&
    isStringOrNull(o.tag) &&
    isStringOrNull(o.ocoGroup) &&
    isStringOrNull(o.reason) &&
    typeof o.triggered === 'boolean' &&
    typeof o.held === 'boolean'
  );
}
