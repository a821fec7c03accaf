import { ORDER_STATUSES, ORDER_TYPES, type Order, type OrderStatus, type OrderType } from './orders.js';
import { RecordRows } from './record-columns.js';

// Fields of a row. CODES packs the small ones: (symbolIndex + 1) × 2^16 + the bits below.
const CODES = 0;
const STEP = 1;
const TIME = 2;
const QUANTITY = 3;
const LIMIT = 4;
const STOP = 5;
const TRAIL_AMOUNT = 6;
const TRAIL_PERCENT = 7;
const PARENT = 8;
const FILLED = 9;
const AVERAGE = 10;
const BEST = 11;
const EXPIRES = 12;
const UPDATED = 13;
const STRIDE = 14;

// Bits of CODES: side, time in force, type (3 bits), status (3), triggered, held, then which nullable numbers are null.
const SELL = 1;
const DAY = 2;
const TYPE_SHIFT = 2;
const STATUS_SHIFT = 5;
const TRIGGERED = 1 << 8;
const HELD = 1 << 9;
const NULL_LIMIT = 1 << 10;
const NULL_STOP = 1 << 11;
const NULL_TRAIL_AMOUNT = 1 << 12;
const NULL_TRAIL_PERCENT = 1 << 13;
const NULL_PARENT = 1 << 14;
const NULL_AVERAGE = 1 << 15;
const SYMBOL_UNIT = 1 << 16;

/** Index of a type in ORDER_TYPES, or -1 (a switch on interned strings: no lookup per order). */
function typeCode(t: unknown): number {
  switch (t) {
    case 'MARKET':
      return 0;
    case 'LIMIT':
      return 1;
    case 'STOP':
      return 2;
    case 'STOP_LIMIT':
      return 3;
    case 'TRAILING_STOP':
      return 4;
    default:
      return -1;
  }
}

/** Index of a status in ORDER_STATUSES, or -1. */
function statusCode(s: unknown): number {
  switch (s) {
    case 'PENDING':
      return 0;
    case 'FILLED':
      return 1;
    case 'PARTIALLY_FILLED':
      return 2;
    case 'CANCELLED':
      return 3;
    case 'REJECTED':
      return 4;
    case 'EXPIRED':
      return 5;
    default:
      return -1;
  }
}

// The switches must follow the lists' order (checked once, at load).
ORDER_TYPES.forEach((t, k) => {
  if (typeCode(t) !== k) throw new Error(`order-archive: typeCode(${t}) is not ${k}`);
});
ORDER_STATUSES.forEach((s, k) => {
  if (statusCode(s) !== k) throw new Error(`order-archive: statusCode(${s}) is not ${k}`);
});

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
  /**
   * The strings of the rows that have any besides their symbol's name (a tag, an OCO group, a
   * reason, or a symbol the run does not know), by row. Most orders have none, and a push per
   * string field per order into run-long arrays was most of what archiving cost.
   */
  private readonly strings = new Map<number, OrderStrings>();

  constructor(private readonly symbols: readonly string[]) {}

  /**
   * Archives `o`; false (and nothing kept) when a field would not come back as it is: a rejected
   * order keeps what a JavaScript strategy sent, e.g. a quantity that is a string. Such an order
   * stays an object.
   */
  add(o: Order): boolean {
    const type = typeCode(o.type);
    const status = statusCode(o.status);
    if (type < 0 || status < 0 || !archivable(o)) return false;
    const k = this.rows.count;
    const at = this.rows.append();
    const v = this.rows.values;
    while (o.id > this.rowOfId.length) {
      const next = new Int32Array(this.rowOfId.length * 2).fill(-1);
      next.set(this.rowOfId);
      this.rowOfId = next;
    }
    this.rowOfId[o.id - 1] = k;
    const bits =
      (o.side === 'SELL' ? SELL : 0) |
      (o.timeInForce === 'DAY' ? DAY : 0) |
      (type << TYPE_SHIFT) |
      (status << STATUS_SHIFT) |
      (o.triggered ? TRIGGERED : 0) |
      (o.held ? HELD : 0) |
      (o.limitPrice === null ? NULL_LIMIT : 0) |
      (o.stopPrice === null ? NULL_STOP : 0) |
      (o.trailAmount === null ? NULL_TRAIL_AMOUNT : 0) |
      (o.trailPercent === null ? NULL_TRAIL_PERCENT : 0) |
      (o.parentId === null ? NULL_PARENT : 0) |
      (o.averageFillPrice === null ? NULL_AVERAGE : 0);
    v[at + CODES] = (o.symbolIndex + 1) * SYMBOL_UNIT + bits;
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
    if (o.tag !== null || o.ocoGroup !== null || o.reason !== null || o.symbol !== this.symbols[o.symbolIndex]) {
      this.strings.set(k, { symbol: o.symbol, tag: o.tag, ocoGroup: o.ocoGroup, reason: o.reason });
    }
    return true;
  }

  has(id: number): boolean {
    return id >= 1 && id <= this.rowOfId.length && this.rowOfId[id - 1] >= 0;
  }

  /** The status of archived order `id`, or undefined. */
  status(id: number): OrderStatus | undefined {
    if (!this.has(id)) return undefined;
    const k = this.rowOfId[id - 1];
    const bits = this.rows.chunkOf(k)[this.rows.offsetOf(k) + CODES] % SYMBOL_UNIT;
    return ORDER_STATUSES[(bits >> STATUS_SHIFT) & 7];
  }

  /** A snapshot of archived order `id` (a new object each call), or undefined. */
  get(id: number): Order | undefined {
    if (!this.has(id)) return undefined;
    const k = this.rowOfId[id - 1];
    const v = this.rows.chunkOf(k);
    const at = this.rows.offsetOf(k);
    const codes = v[at + CODES];
    const bits = codes % SYMBOL_UNIT;
    const symbolIndex = (codes - bits) / SYMBOL_UNIT - 1;
    const strings = this.strings.get(k);
    return {
      id,
      time: v[at + TIME],
      symbolIndex,
      symbol: strings?.symbol ?? this.symbols[symbolIndex],
      side: (bits & SELL) !== 0 ? 'SELL' : 'BUY',
      type: ORDER_TYPES[(bits >> TYPE_SHIFT) & 7] as OrderType,
      quantity: v[at + QUANTITY],
      limitPrice: (bits & NULL_LIMIT) !== 0 ? null : v[at + LIMIT],
      stopPrice: (bits & NULL_STOP) !== 0 ? null : v[at + STOP],
      timeInForce: (bits & DAY) !== 0 ? 'DAY' : 'GTC',
      tag: strings?.tag ?? null,
      trailAmount: (bits & NULL_TRAIL_AMOUNT) !== 0 ? null : v[at + TRAIL_AMOUNT],
      trailPercent: (bits & NULL_TRAIL_PERCENT) !== 0 ? null : v[at + TRAIL_PERCENT],
      parentId: (bits & NULL_PARENT) !== 0 ? null : v[at + PARENT],
      ocoGroup: strings?.ocoGroup ?? null,
      status: ORDER_STATUSES[(bits >> STATUS_SHIFT) & 7] as OrderStatus,
      filledQuantity: v[at + FILLED],
      averageFillPrice: (bits & NULL_AVERAGE) !== 0 ? null : v[at + AVERAGE],
      reason: strings?.reason ?? null,
      triggered: (bits & TRIGGERED) !== 0,
      bestPrice: v[at + BEST],
      held: (bits & HELD) !== 0,
      submittedStep: v[at + STEP],
      expiresAt: v[at + EXPIRES],
      updatedAt: v[at + UPDATED],
    };
  }
}

/** An archived order's strings, kept only when it has any besides its symbol's name. */
interface OrderStrings {
  readonly symbol: string;
  readonly tag: string | null;
  readonly ocoGroup: string | null;
  readonly reason: string | null;
}

/**
 * The fields a strategy's request supplies are of their declared types (the type and status are
 * checked by the caller; the broker sets every other field itself), so a row gives them back as they were.
 */
function archivable(o: Order): boolean {
  return (
    typeof o.symbol === 'string' &&
    (o.side === 'BUY' || o.side === 'SELL') &&
    (o.timeInForce === 'GTC' || o.timeInForce === 'DAY') &&
    typeof o.quantity === 'number' &&
    (o.limitPrice === null || typeof o.limitPrice === 'number') &&
    (o.stopPrice === null || typeof o.stopPrice === 'number') &&
    (o.trailAmount === null || typeof o.trailAmount === 'number') &&
    (o.trailPercent === null || typeof o.trailPercent === 'number') &&
    (o.tag === null || typeof o.tag === 'string') &&
    (o.ocoGroup === null || typeof o.ocoGroup === 'string')
  );
}
