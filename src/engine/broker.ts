import type { BarSeries } from './bars.js';
import type { CommissionModel, SlippageModel } from './costs.js';
import { nextOrderStatus, transitionOrder, type OrderEventKind } from './order-state-machine.js';
import { ORDER_TYPES, isWorking, type Fill, type Order, type OrderModification, type OrderRequest, type OrderType, type Side } from './orders.js';

const DAY_MS = 86_400_000;

/** Within a bar, working orders match in this order (docs/CONVENTIONS.md); not the declaration order of ORDER_TYPES. */
const MATCH_PASSES = ['MARKET', 'STOP', 'STOP_LIMIT', 'LIMIT'] as const;

/** Where the broker reports what happens to orders; the engine routes these to portfolio, strategy and listener. */
export interface BrokerSink {
  onOrder(order: Order): void;
  onFill(fill: Fill): void;
}

/**
 * The simulated broker of docs/CONVENTIONS.md: validates and queues orders, matches them against each
 * new bar (market, stop, stop-limit, limit), expires DAY orders, and applies cancel/modify at once.
 */
export class SimulatedBroker {
  readonly orders: Order[] = [];
  readonly fills: Fill[] = [];
  /** Fills so far (also when they are not kept). */
  fillCount = 0;
  /** False: fills are reported to the sink but not kept in `fills` (metrics-only runs, e.g. sweeps). */
  keepFills = true;
  /** Working orders per symbol, in submission order. */
  private readonly working: Order[][];
  /** Count of working orders per symbol, so the hot loop can skip matching with one load. */
  readonly workingCount: Int32Array;
  /** Earliest expiry of any working DAY order; Infinity when none. */
  nextExpiry = Infinity;
  /** True while `match` or `expire` walks the working lists: removals then wait for their compaction. */
  private matching = false;

  constructor(
    private readonly symbols: readonly string[],
    private readonly commission: CommissionModel,
    private readonly slippage: SlippageModel,
    private readonly sink: BrokerSink,
  ) {
    this.working = symbols.map(() => []);
    this.workingCount = new Int32Array(symbols.length);
  }

  submit(req: OrderRequest, step: number, time: number): Order {
    const symbolIndex = typeof req.symbol === 'number' ? (Number.isInteger(req.symbol) && req.symbol >= 0 && req.symbol < this.symbols.length ? req.symbol : -1) : this.symbols.indexOf(req.symbol);
    const tif = req.timeInForce ?? 'GTC';
    const order: Order = {
      id: this.orders.length + 1,
      time,
      symbolIndex,
      symbol: symbolIndex >= 0 ? this.symbols[symbolIndex] : String(req.symbol),
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      limitPrice: req.type === 'LIMIT' || req.type === 'STOP_LIMIT' ? req.limitPrice : null,
      stopPrice: req.type === 'STOP' || req.type === 'STOP_LIMIT' ? req.stopPrice : null,
      timeInForce: tif,
      tag: req.tag ?? null,
      status: 'PENDING',
      filledQuantity: 0,
      averageFillPrice: null,
      reason: null,
      triggered: false,
      submittedStep: step,
      expiresAt: tif === 'DAY' ? (Math.floor(time / DAY_MS) + 1) * DAY_MS : Infinity,
      updatedAt: time,
    };
    this.orders.push(order);
    const problem = rejectionReason(order, symbolIndex);
    if (problem !== null) {
      order.reason = problem;
      this.apply(order, 'REJECT', time);
      return order;
    }
    this.working[symbolIndex].push(order);
    this.workingCount[symbolIndex]++;
    if (order.expiresAt < this.nextExpiry) this.nextExpiry = order.expiresAt;
    this.sink.onOrder(order);
    return order;
  }

  cancel(orderId: number, time: number): boolean {
    const order = this.orders[orderId - 1];
    if (order === undefined || nextOrderStatus(order.status, 'CANCEL') === null) return false;
    this.apply(order, 'CANCEL', time);
    this.removeWorking(order);
    return true;
  }

  /** Applies a modification at once; returns the reason it was refused, or null. */
  modify(orderId: number, changes: OrderModification, time: number): string | null {
    const order = this.orders[orderId - 1];
    if (order === undefined) return `unknown order ${orderId}`;
    if (nextOrderStatus(order.status, 'MODIFY') === null) return `order ${orderId} is ${order.status}, not working`;
    const quantity = changes.quantity ?? order.quantity;
    if (!(Number.isFinite(quantity) && quantity > order.filledQuantity)) return `quantity must be a finite number > ${order.filledQuantity}`;
    if (changes.limitPrice !== undefined) {
      if (order.type !== 'LIMIT' && order.type !== 'STOP_LIMIT') return `a ${order.type} order has no limit price`;
      if (!isPositivePrice(changes.limitPrice)) return 'limitPrice must be a finite number > 0';
    }
    if (changes.stopPrice !== undefined) {
      if (order.type !== 'STOP' && order.type !== 'STOP_LIMIT') return `a ${order.type} order has no stop price`;
      if (!isPositivePrice(changes.stopPrice)) return 'stopPrice must be a finite number > 0';
    }
    order.quantity = quantity;
    if (changes.limitPrice !== undefined) order.limitPrice = changes.limitPrice;
    if (changes.stopPrice !== undefined) order.stopPrice = changes.stopPrice;
    this.apply(order, 'MODIFY', time);
    return null;
  }

  workingOrders(symbolIndex?: number): readonly Order[] {
    const lists = symbolIndex === undefined ? this.working : [this.working[symbolIndex] ?? []];
    return lists.flat().filter((o) => isWorking(o.status));
  }

  /** Expires DAY orders whose calendar day ended before `time`. */
  expire(time: number): void {
    let next = Infinity;
    // Callbacks may cancel orders while we walk the lists: defer removals to the compaction below.
    this.matching = true;
    for (const list of this.working) {
      for (const order of list) {
        if (!isWorking(order.status)) continue;
        if (order.expiresAt <= time) this.apply(order, 'EXPIRE', order.expiresAt);
        else if (order.expiresAt < next) next = order.expiresAt;
      }
    }
    this.matching = false;
    this.nextExpiry = next;
    this.compactAll();
  }

  /** Matches the working orders of symbol `s` against its bar `i`, submitted before `step`. */
  match(s: number, bars: BarSeries, i: number, step: number): void {
    const list = this.working[s];
    const n = list.length;
    const open = bars.open[i];
    const high = bars.high[i];
    const low = bars.low[i];
    const time = bars.time[i];
    this.matching = true;
    for (const pass of MATCH_PASSES) {
      for (let k = 0; k < n; k++) {
        const o = list[k];
        if (o.submittedStep >= step || !isWorking(o.status)) continue;
        // A triggered stop-limit is a limit order now and is matched in the limit pass.
        const type: OrderType = o.type === 'STOP_LIMIT' && o.triggered ? 'LIMIT' : o.type;
        if (type !== pass) continue;
        const buy = o.side === 'BUY';
        let price = NaN;
        if (type === 'MARKET') {
          price = open;
        } else if (type === 'STOP') {
          const stop = o.stopPrice as number;
          if (buy ? high >= stop : low <= stop) price = buy ? Math.max(stop, open) : Math.min(stop, open);
        } else if (type === 'STOP_LIMIT') {
          const stop = o.stopPrice as number;
          if (buy ? high >= stop : low <= stop) {
            o.triggered = true;
            price = limitFillPrice(buy, o.limitPrice as number, open, high, low);
          }
        } else {
          price = limitFillPrice(buy, o.limitPrice as number, open, high, low);
        }
        if (price === price) this.fill(o, s, i, time, this.slippage.adjust(price, o.side, o.type));
      }
    }
    this.matching = false;
    this.compact(s);
  }

  private fill(order: Order, s: number, barIndex: number, time: number, price: number): void {
    const quantity = order.quantity - order.filledQuantity;
    const commission = this.commission.commission(quantity, price);
    const filledBefore = order.filledQuantity;
    order.filledQuantity = order.quantity;
    order.averageFillPrice =
      filledBefore === 0 ? price : ((order.averageFillPrice as number) * filledBefore + price * quantity) / order.quantity;
    const fill: Fill = {
      id: ++this.fillCount,
      orderId: order.id,
      time,
      symbolIndex: s,
      symbol: order.symbol,
      barIndex,
      side: order.side,
      quantity,
      price,
      commission,
    };
    if (this.keepFills) this.fills.push(fill);
    order.status = transitionOrder(order.status, 'FILL');
    order.updatedAt = time;
    // Fill first, so the portfolio is up to date when the order update is observed.
    this.sink.onFill(fill);
    this.sink.onOrder(order);
  }

  private apply(order: Order, event: OrderEventKind, time: number): void {
    order.status = transitionOrder(order.status, event);
    order.updatedAt = time;
    this.sink.onOrder(order);
  }

  private removeWorking(order: Order): void {
    if (this.matching) return;
    const list = this.working[order.symbolIndex];
    const at = list.indexOf(order);
    if (at >= 0) {
      list.splice(at, 1);
      this.workingCount[order.symbolIndex]--;
    }
  }

  private compact(s: number): void {
    const list = this.working[s];
    let kept = 0;
    for (let k = 0; k < list.length; k++) if (isWorking(list[k].status)) list[kept++] = list[k];
    list.length = kept;
    this.workingCount[s] = kept;
  }

  private compactAll(): void {
    for (let s = 0; s < this.working.length; s++) this.compact(s);
  }
}

function limitFillPrice(buy: boolean, limit: number, open: number, high: number, low: number): number {
  if (buy) return low <= limit ? Math.min(limit, open) : NaN;
  return high >= limit ? Math.max(limit, open) : NaN;
}

function isPositivePrice(p: unknown): boolean {
  return typeof p === 'number' && Number.isFinite(p) && p > 0;
}

const SIDES: readonly Side[] = ['BUY', 'SELL'];

/** Why an order cannot be accepted (docs/CONVENTIONS.md: invalid orders are REJECTED, the run goes on), or null. */
function rejectionReason(order: Order, symbolIndex: number): string | null {
  if (symbolIndex < 0) return `unknown symbol ${order.symbol}`;
  if (!SIDES.includes(order.side)) return `side must be BUY or SELL, got ${String(order.side)}`;
  if (!ORDER_TYPES.includes(order.type)) return `unknown order type ${String(order.type)}`;
  if (order.timeInForce !== 'GTC' && order.timeInForce !== 'DAY') return `timeInForce must be GTC or DAY, got ${String(order.timeInForce)}`;
  if (!(typeof order.quantity === 'number' && Number.isFinite(order.quantity) && order.quantity > 0)) return 'quantity must be a finite number > 0';
  if ((order.type === 'LIMIT' || order.type === 'STOP_LIMIT') && !isPositivePrice(order.limitPrice)) return `a ${order.type} order needs a limitPrice > 0`;
  if ((order.type === 'STOP' || order.type === 'STOP_LIMIT') && !isPositivePrice(order.stopPrice)) return `a ${order.type} order needs a stopPrice > 0`;
  return null;
}
