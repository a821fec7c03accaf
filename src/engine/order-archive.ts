import { ORDER_STATUSES, ORDER_TYPES, type Order, type OrderStatus, type OrderType } from './orders.js';
import { RecordRows } from './record-columns.js';

// Fields of a row.
const ID = 0;
const SYMBOL = 1;
const SIDE = 2;
const TYPE = 3;
const TIF = 4;
const STATUS = 5;
const FLAGS = 6;
const NULLS = 7;
const STEP = 8;
const TIME = 9;
const QUANTITY = 10;
const LIMIT = 11;
const STOP = 12;
const TRAIL_AMOUNT = 13;
const TRAIL_PERCENT = 14;
const PARENT = 15;
const FILLED = 16;
const AVERAGE = 17;
const BEST = 18;
const EXPIRES = 19;
const UPDATED = 20;
const STRIDE = 21;

// Bits of NULLS: which nullable numbers are null.
const NULL_LIMIT = 1;
const NULL_STOP = 2;
const NULL_TRAIL_AMOUNT = 4;
const NULL_TRAIL_PERCENT = 8;
const NULL_PARENT = 16;
const NULL_AVERAGE = 32;

const TYPE_CODE: ReadonlyMap<unknown, number> = new Map(ORDER_TYPES.map((t, k) => [t, k]));
const STATUS_CODE: ReadonlyMap<unknown, number> = new Map(ORDER_STATUSES.map((t, k) => [t, k]));

/**
 * Orders that reached a final status, as rows of numbers (docs/CONVENTIONS.md, "Records"). A
 * finished order never changes again, so the broker moves it here and drops the object: a run
 * keeps no object per order, which was most of what its garbage collections had to copy and mark
 * (an order object with its boxed numbers is ~330 bytes). `get` makes a plain snapshot on demand.
 */
export class OrderArchive {
  private readonly rows = new RecordRows(STRIDE);
  /** Row of order id (index id - 1), or -1 while it is not archived. */
  private rowOfId = new Int32Array(1024).fill(-1);
  // Strings stay strings (the symbol is shared, the others mostly null).
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
    const type = TYPE_CODE.get(o.type);
    const status = STATUS_CODE.get(o.status);
    if (type === undefined || status === undefined || !archivable(o)) return false;
    const k = this.rows.count;
    const at = this.rows.append();
    const v = this.rows.values;
    while (o.id > this.rowOfId.length) {
      const next = new Int32Array(this.rowOfId.length * 2).fill(-1);
      next.set(this.rowOfId);
      this.rowOfId = next;
    }
    this.rowOfId[o.id - 1] = k;
    v[at + ID] = o.id;
    v[at + SYMBOL] = o.symbolIndex;
    v[at + SIDE] = o.side === 'SELL' ? 1 : 0;
    v[at + TYPE] = type;
    v[at + TIF] = o.timeInForce === 'DAY' ? 1 : 0;
    v[at + STATUS] = status;
    v[at + FLAGS] = (o.triggered ? 1 : 0) | (o.held ? 2 : 0);
    v[at + NULLS] =
      (o.limitPrice === null ? NULL_LIMIT : 0) |
      (o.stopPrice === null ? NULL_STOP : 0) |
      (o.trailAmount === null ? NULL_TRAIL_AMOUNT : 0) |
      (o.trailPercent === null ? NULL_TRAIL_PERCENT : 0) |
      (o.parentId === null ? NULL_PARENT : 0) |
      (o.averageFillPrice === null ? NULL_AVERAGE : 0);
    v[at + STEP] = o.submittedStep;
    v[at + TIME] = o.time;
    v[at + QUANTITY] = o.quantity;
    v[at + LIMIT] = o.limitPrice ?? 0;
    v[at + STOP] = o.stopPrice ?? 0;
    v[at + TRAIL_AMOUNT] = o.trailAmount ?? 0;
    v[at + TRAIL_PERCENT] = o.trailPercent ?? 0;
    v[at + PARENT] = o.parentId ?? 0;
    v[at + FILLED] = o.filledQuantity;
    v[at + AVERAGE] = o.averageFillPrice ?? 0;
    v[at + BEST] = o.bestPrice;
    v[at + EXPIRES] = o.expiresAt;
    v[at + UPDATED] = o.updatedAt;
    this.symbol.push(o.symbol);
    this.tag.push(o.tag);
    this.ocoGroup.push(o.ocoGroup);
    this.reason.push(o.reason);
    return true;
  }

  has(id: number): boolean {
    return id >= 1 && id <= this.rowOfId.length && this.rowOfId[id - 1] >= 0;
  }

  /** The status of archived order `id`, or undefined. */
  status(id: number): OrderStatus | undefined {
    return this.has(id) ? (ORDER_STATUSES[this.rows.values[this.rowOfId[id - 1] * STRIDE + STATUS]] as OrderStatus) : undefined;
  }

  /** A snapshot of archived order `id` (a new object each call), or undefined. */
  get(id: number): Order | undefined {
    if (!this.has(id)) return undefined;
    const k = this.rowOfId[id - 1];
    const v = this.rows.values;
    const at = k * STRIDE;
    const nulls = v[at + NULLS];
    const flags = v[at + FLAGS];
    return {
      id,
      time: v[at + TIME],
      symbolIndex: v[at + SYMBOL],
      symbol: this.symbol[k],
      side: v[at + SIDE] === 1 ? 'SELL' : 'BUY',
      type: ORDER_TYPES[v[at + TYPE]] as OrderType,
      quantity: v[at + QUANTITY],
      limitPrice: (nulls & NULL_LIMIT) !== 0 ? null : v[at + LIMIT],
      stopPrice: (nulls & NULL_STOP) !== 0 ? null : v[at + STOP],
      timeInForce: v[at + TIF] === 1 ? 'DAY' : 'GTC',
      tag: this.tag[k],
      trailAmount: (nulls & NULL_TRAIL_AMOUNT) !== 0 ? null : v[at + TRAIL_AMOUNT],
      trailPercent: (nulls & NULL_TRAIL_PERCENT) !== 0 ? null : v[at + TRAIL_PERCENT],
      parentId: (nulls & NULL_PARENT) !== 0 ? null : v[at + PARENT],
      ocoGroup: this.ocoGroup[k],
      status: ORDER_STATUSES[v[at + STATUS]] as OrderStatus,
      filledQuantity: v[at + FILLED],
      averageFillPrice: (nulls & NULL_AVERAGE) !== 0 ? null : v[at + AVERAGE],
      reason: this.reason[k],
      triggered: (flags & 1) !== 0,
      bestPrice: v[at + BEST],
      held: (flags & 2) !== 0,
      submittedStep: v[at + STEP],
      expiresAt: v[at + EXPIRES],
      updatedAt: v[at + UPDATED],
    };
  }
}

/** Every field is of its declared type (enums are checked by the caller), so a row gives it back as it was. */
function archivable(o: Order): boolean {
  return (
    typeof o.id === 'number' &&
    typeof o.symbolIndex === 'number' &&
    typeof o.submittedStep === 'number' &&
    typeof o.symbol === 'string' &&
    (o.side === 'BUY' || o.side === 'SELL') &&
    (o.timeInForce === 'GTC' || o.timeInForce === 'DAY') &&
    typeof o.time === 'number' &&
    typeof o.quantity === 'number' &&
    typeof o.filledQuantity === 'number' &&
    typeof o.bestPrice === 'number' &&
    typeof o.expiresAt === 'number' &&
    typeof o.updatedAt === 'number' &&
    (o.limitPrice === null || typeof o.limitPrice === 'number') &&
    (o.stopPrice === null || typeof o.stopPrice === 'number') &&
    (o.trailAmount === null || typeof o.trailAmount === 'number') &&
    (o.trailPercent === null || typeof o.trailPercent === 'number') &&
    (o.parentId === null || typeof o.parentId === 'number') &&
    (o.averageFillPrice === null || typeof o.averageFillPrice === 'number') &&
    (o.tag === null || typeof o.tag === 'string') &&
    (o.ocoGroup === null || typeof o.ocoGroup === 'string') &&
    (o.reason === null || typeof o.reason === 'string') &&
    typeof o.triggered === 'boolean' &&
    typeof o.held === 'boolean'
  );
}
