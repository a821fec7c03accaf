import type { BarSeries } from './bars.js';
import type { CommissionModel, SlippageModel } from './costs.js';
import { nextOrderStatus, transitionOrder, type OrderEventKind } from './order-state-machine.js';
import { checkRequest, limitFillPrice, matchPass, trailingStopLevel } from './order-rules.js';
import { FillLog } from './fill-log.js';
import { OrderArchive } from './order-archive.js';
import {
  isWorking,
  type BracketOrders,
  type BracketRequest,
  type Order,
  type OrderModification,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
} from './orders.js';

const DAY_MS = 86_400_000;

/** Within a bar, working orders match in these passes (docs/CONVENTIONS.md); TRAILING_STOP goes with STOP. */
const MATCH_PASSES = ['MARKET', 'STOP', 'STOP_LIMIT', 'LIMIT'] as const;

/**
 * Where the broker reports what happens to orders; the engine routes these to portfolio, strategy
 * and listener. A fill comes as its numbers (fill `id`, `order`, bar and price), not as an object:
 * the engine makes a Fill only for a listener or strategy that takes one.
 */
export interface BrokerSink {
  onOrder(order: Order): void;
  onFill(id: number, order: Order, s: number, barIndex: number, time: number, quantity: number, price: number, commission: number): void;
}

/**
 * The checks between the strategy and the simulated market (docs/CONVENTIONS.md, "Account and
 * buying power" and "Risk limits"). `atSubmission` sees an accepted-looking order and the price its
 * checks use; `fillable` answers how much of `quantity` may fill at `price` now (all of it, less, or 0).
 */
export interface OrderGate {
  atSubmission(order: Order, price: number): string | null;
  /** How much of `quantity` may fill at `price`; when less, `reason` says why (read it before the next call). */
  fillable(order: Order, quantity: number, price: number): number;
  readonly reason: string | null;
}

/** An order that did not fit the buying power at its turn and waits for the rest of the step's fills. */
interface Deferred {
  order: Order;
  s: number;
  barIndex: number;
  time: number;
  price: number;
}

/**
 * The simulated broker of docs/CONVENTIONS.md: validates and queues orders, matches them against each
 * new bar (market, stop, stop-limit, limit), keeps trailing stops, OCO groups and bracket exits,
 * expires DAY orders, and applies cancel/modify at once.
 */
export class SimulatedBroker {
  /**
   * Orders by id - 1 while they may still change; undefined once finished and archived. Finished
   * orders move to `archive` between blocks of steps (see archiveFinished): a run keeps no object per order.
   */
  private readonly live: (Order | undefined)[] = [];
  private readonly archive: OrderArchive;
  /** Ids of the orders still working at the last archiveFinished, to look at again at the next. */
  private unsettled: number[] = [];
  private spareUnsettled: number[] = [];
  /** Orders submitted since the last archiveFinished have ids above this. */
  private scannedIds = 0;
  /** The fills kept (see keepFills). */
  readonly fills: FillLog;
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
  /** Orders of an OCO group (or a bracket's exits), by group; only orders submitted with a group are here. */
  private readonly ocoGroups = new Map<string, Order[]>();
  /** Bracket exits held until their entry fills, by entry id. */
  private readonly heldChildren = new Map<number, Order[]>();
  /** Orders waiting for the end of the step's matching (see `settleDeferred`); reused, never reallocated. */
  private readonly deferred: Deferred[] = [];
  deferredCount = 0;
  /** True while `settleDeferred` runs: orders that still do not fit are reduced or rejected, not deferred again. */
  private settling = false;
  /** Step being matched: exits activated now work from the next step. */
  private step = 0;

  constructor(
    private readonly symbols: readonly string[],
    private readonly commission: CommissionModel,
    private readonly slippage: SlippageModel,
    private readonly sink: BrokerSink,
    /** Latest price per symbol (the portfolio's marks), for trailing stops and the gate's reference price. */
    private readonly marks: Float64Array,
    private gate: OrderGate | null = null,
  ) {
    this.archive = new OrderArchive(symbols);
    this.working = symbols.map(() => []);
    this.workingCount = new Int32Array(symbols.length);
    this.fills = new FillLog(symbols);
  }

  /** Installs the pre-trade checks (they read the broker's working orders, so they come after it). */
  setGate(gate: OrderGate): void {
    this.gate = gate;
  }

  submit(req: OrderRequest, step: number, time: number): Order {
    const order = this.create(req, step, time, null, req.ocoGroup ?? null);
    const problem = checkRequest(req, order) ?? this.trailingStart(order) ?? this.gate?.atSubmission(order, this.referencePrice(order)) ?? null;
    if (problem !== null) {
      order.reason = problem;
      this.apply(order, 'REJECT', time);
      return order;
    }
    if (order.ocoGroup !== null) this.joinGroup(order);
    this.addWorking(order);
    this.sink.onOrder(order);
    return order;
  }

  /** An entry and its exits (docs/CONVENTIONS.md, "Brackets"); the exits are held until the entry fills. */
  bracket(req: BracketRequest, step: number, time: number): BracketOrders {
    const entryShape = req.entry ?? { type: 'MARKET' as const };
    const exitSide = req.side === 'BUY' ? 'SELL' : 'BUY';
    const base = { symbol: req.symbol, side: req.side, quantity: req.quantity, timeInForce: req.timeInForce, tag: req.tag };
    const problem = bracketProblem(req);
    const entry = problem === null ? this.submit({ ...base, ...entryShape } as OrderRequest, step, time) : this.rejectNow({ ...base, ...entryShape } as OrderRequest, step, time, problem);
    const group = `bracket-${entry.id}`;
    const child = (type: 'LIMIT' | 'STOP', price: number | undefined): Order | null => {
      if (price === undefined) return null;
      const shape = type === 'LIMIT' ? { type, limitPrice: price } : { type, stopPrice: price };
      const o = this.create({ symbol: req.symbol, side: exitSide, quantity: req.quantity, tag: type === 'LIMIT' ? 'take-profit' : 'stop-loss', ...shape } as OrderRequest, step, time, entry.id, group);
      return o;
    };
    const takeProfit = child('LIMIT', req.takeProfit);
    const stopLoss = child('STOP', req.stopLoss);
    const children = [takeProfit, stopLoss].filter((o): o is Order => o !== null);
    if (entry.status === 'REJECTED') {
      for (const c of children) {
        c.reason = `parent order ${entry.id} rejected`;
        this.apply(c, 'REJECT', time);
      }
    } else {
      for (const c of children) {
        c.held = true;
        this.joinGroup(c);
        this.sink.onOrder(c);
      }
      this.heldChildren.set(entry.id, children);
    }
    return { entry, takeProfit, stopLoss };
  }

  /** Orders submitted so far (ids 1..orderCount). */
  get orderCount(): number {
    return this.live.length;
  }

  /**
   * Order `id`: the live object while it can change, a snapshot (a new object each call) once it is
   * finished and archived; undefined for an unknown id.
   */
  order(id: number): Order | undefined {
    return (Number.isInteger(id) && id >= 1 ? this.live[id - 1] : undefined) ?? this.archive.get(id);
  }

  /** The status of order `id` without a snapshot; undefined for an unknown id. */
  orderStatus(id: number): OrderStatus | undefined {
    const live = Number.isInteger(id) && id >= 1 ? this.live[id - 1] : undefined;
    return live !== undefined ? live.status : this.archive.status(id);
  }

  /** Every order in id order (live objects and snapshots of archived ones). */
  allOrders(count = this.live.length): Order[] {
    const out: Order[] = [];
    for (let id = 1; id <= count; id++) out.push(this.order(id) as Order);
    return out;
  }

  /**
   * Moves the orders that finished since the last call into the archive: of those submitted since,
   * and of those still working then. Called between steps, when nothing still works on them (the
   * working lists only skip them until their next compaction). Per call it costs the new and the
   * working orders, and a fill or cancel costs nothing for it.
   */
  archiveFinished(): void {
    const next = this.spareUnsettled;
    next.length = 0;
    for (let k = 0; k < this.unsettled.length; k++) this.settle(this.unsettled[k], next);
    const submitted = this.live.length;
    for (let id = this.scannedIds + 1; id <= submitted; id++) this.settle(id, next);
    this.scannedIds = submitted;
    this.spareUnsettled = this.unsettled;
    this.unsettled = next;
  }

  /** Archives order `id` when it is finished (it stays an object when it cannot be a row); notes it in `working` when not. */
  private settle(id: number, working: number[]): void {
    const o = this.live[id - 1];
    if (o === undefined) return;
    if (isWorking(o.status)) working.push(id);
    else if (this.archive.add(o)) this.live[id - 1] = undefined;
  }

  cancel(orderId: number, time: number, reason: string | null = null): boolean {
    const order = this.live[orderId - 1];
    if (order === undefined || nextOrderStatus(order.status, 'CANCEL') === null) return false;
    if (reason !== null) order.reason = reason;
    this.apply(order, 'CANCEL', time);
    this.removeWorking(order);
    this.afterFinal(order, time);
    return true;
  }

  /** Cancels every working and held order (the drawdown halt). */
  cancelAll(time: number, reason: string): void {
    for (const o of this.live) if (o !== undefined && isWorking(o.status)) this.cancel(o.id, time, reason);
  }

  /** Applies a modification at once; returns the reason it was refused, or null. */
  modify(orderId: number, changes: OrderModification, time: number): string | null {
    const order = this.live[orderId - 1];
    if (order === undefined) {
      const done = this.archive.get(orderId);
      return done === undefined ? `unknown order ${orderId}` : `order ${orderId} is ${done.status}, not working`;
    }
    if (nextOrderStatus(order.status, 'MODIFY') === null) return `order ${orderId} is ${order.status}, not working`;
    const quantity = changes.quantity ?? order.quantity;
    if (!(Number.isFinite(quantity) && quantity > order.filledQuantity)) return `quantity must be a finite number > ${order.filledQuantity}`;
    if (changes.limitPrice !== undefined) {
      if (order.type !== 'LIMIT' && order.type !== 'STOP_LIMIT') return `a ${order.type} order has no limit price`;
      if (!isPositivePrice(changes.limitPrice)) return 'limitPrice must be a finite number > 0';
    }
    if (changes.stopPrice !== undefined) {
      if (order.type === 'TRAILING_STOP') return 'a TRAILING_STOP order\'s stop follows the price; it cannot be set';
      if (order.type !== 'STOP' && order.type !== 'STOP_LIMIT') return `a ${order.type} order has no stop price`;
      if (!isPositivePrice(changes.stopPrice)) return 'stopPrice must be a finite number > 0';
    }
    order.quantity = quantity;
    if (changes.limitPrice !== undefined) order.limitPrice = changes.limitPrice;
    if (changes.stopPrice !== undefined) order.stopPrice = changes.stopPrice;
    this.apply(order, 'MODIFY', time);
    return null;
  }

  /**
   * Per symbol, the signed change to its position that working MARKET orders reducing it will make
   * (capped at closing it): what the submission checks count as done (docs/CONVENTIONS.md).
   */
  pendingMarketReductions(position: Float64Array, out: Float64Array): void {
    for (let s = 0; s < this.working.length; s++) {
      out[s] = 0;
      const p = position[s];
      if (p === 0 || this.workingCount[s] === 0) continue;
      let delta = 0;
      for (const o of this.working[s]) {
        if (o.type !== 'MARKET' || !isWorking(o.status)) continue;
        const signed = (o.side === 'BUY' ? 1 : -1) * (o.quantity - o.filledQuantity);
        if (signed > 0 !== p > 0) delta += signed;
      }
      out[s] = Math.abs(delta) > Math.abs(p) ? -p : delta;
    }
  }

  /** Orders that can fill now (bracket exits still waiting for their entry are not). */
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
        if (order.expiresAt <= time) {
          this.apply(order, 'EXPIRE', order.expiresAt);
          this.afterFinal(order, order.expiresAt);
        } else if (order.expiresAt < next) next = order.expiresAt;
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
    this.step = step;
    this.matching = true;
    let trailing = false;
    // The common case, market orders only, takes one pass: the later ones run when the first saw an order for them.
    let later = false;
    for (let p = 0; p < MATCH_PASSES.length && (p === 0 || later); p++) {
      const pass = MATCH_PASSES[p];
      for (let k = 0; k < n; k++) {
        const o = list[k];
        if (o.submittedStep >= step || !isWorking(o.status)) continue;
        // A triggered stop-limit is a limit order now and is matched in the limit pass.
        const type: OrderType = o.type === 'STOP_LIMIT' && o.triggered ? 'LIMIT' : o.type;
        if (matchPass(type) !== pass) {
          later = true;
          continue;
        }
        const buy = o.side === 'BUY';
        let price = NaN;
        if (type === 'MARKET') {
          price = open;
        } else if (type === 'STOP' || type === 'TRAILING_STOP') {
          trailing ||= type === 'TRAILING_STOP';
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
        if (price === price) this.tryFill(o, s, i, time, this.slippage.adjust(price, o.side, o.type));
      }
    }
    // Trailing stops that did not fill follow this bar's best price (for the bars after it).
    if (trailing) {
      for (let k = 0; k < n; k++) {
        const o = list[k];
        if (o.type !== 'TRAILING_STOP' || o.submittedStep >= step || !isWorking(o.status)) continue;
        o.bestPrice = o.side === 'SELL' ? Math.max(o.bestPrice, high) : Math.min(o.bestPrice, low);
        o.stopPrice = trailingStopLevel(o);
      }
    }
    this.matching = false;
    this.compact(s);
  }

  /**
   * After every symbol of the step has been matched: orders that did not fit the buying power at their
   * turn are checked again at the price they would have filled at, then filled, reduced or rejected.
   */
  settleDeferred(): void {
    const count = this.deferredCount;
    this.deferredCount = 0;
    this.settling = true;
    try {
      for (let k = 0; k < count; k++) {
        const d = this.deferred[k];
        if (isWorking(d.order.status)) this.tryFill(d.order, d.s, d.barIndex, d.time, d.price);
        d.order = undefined as unknown as Order; // drop the reference
      }
    } finally {
      this.settling = false;
    }
    for (let s = 0; s < this.working.length; s++) this.compact(s);
  }

  /** Fills `o` at `price` as far as the gate allows; defers it once when it does not fit. */
  private tryFill(o: Order, s: number, barIndex: number, time: number, price: number): void {
    const wanted = o.quantity - o.filledQuantity;
    if (this.gate === null) {
      this.fill(o, s, barIndex, time, price, wanted, null);
      return;
    }
    const quantity = this.gate.fillable(o, wanted, price);
    if (quantity >= wanted) {
      this.fill(o, s, barIndex, time, price, wanted, null);
    } else if (!this.settling) {
      this.defer(o, s, barIndex, time, price);
    } else if (quantity > 0) {
      this.fill(o, s, barIndex, time, price, quantity, `reduced from ${fmt(wanted)} to ${fmt(quantity)} at the fill price ${fmt(price)}: ${this.gate.reason}`);
    } else {
      o.reason = `rejected at the fill price ${fmt(price)}: ${this.gate.reason}`;
      this.apply(o, 'REJECT', time);
      this.removeWorking(o);
      this.afterFinal(o, time);
    }
  }

  private defer(order: Order, s: number, barIndex: number, time: number, price: number): void {
    const k = this.deferredCount++;
    const slot = this.deferred[k];
    if (slot === undefined) this.deferred.push({ order, s, barIndex, time, price });
    else {
      slot.order = order;
      slot.s = s;
      slot.barIndex = barIndex;
      slot.time = time;
      slot.price = price;
    }
  }

  private fill(order: Order, s: number, barIndex: number, time: number, price: number, quantity: number, reducedBy: string | null): void {
    const commission = this.commission.commission(quantity, price);
    const filledBefore = order.filledQuantity;
    order.filledQuantity = filledBefore + quantity;
    order.averageFillPrice =
      filledBefore === 0 ? price : ((order.averageFillPrice as number) * filledBefore + price * quantity) / order.filledQuantity;
    const id = ++this.fillCount;
    if (this.keepFills) this.fills.add(id, order.id, time, s, barIndex, order.side, quantity, price, commission);
    order.status = transitionOrder(order.status, reducedBy === null ? 'FILL' : 'PARTIAL_FILL');
    order.updatedAt = time;
    // Fill first, so the portfolio is up to date when the order update is observed.
    this.sink.onFill(id, order, s, barIndex, time, quantity, price, commission);
    this.sink.onOrder(order);
    this.afterFill(order, time);
    if (reducedBy !== null && isWorking(order.status)) {
      order.reason = reducedBy;
      this.apply(order, 'CANCEL', time);
    }
    if (!isWorking(order.status)) this.removeWorking(order);
  }

  /** OCO: a fill cancels the group's other orders; a bracket entry's fill activates its exits for the filled quantity. */
  private afterFill(order: Order, time: number): void {
    if (order.ocoGroup !== null) {
      for (const other of this.ocoGroups.get(order.ocoGroup) ?? []) {
        if (other !== order && isWorking(other.status)) this.cancel(other.id, time, `OCO: order ${order.id} filled`);
      }
    }
    if (this.heldChildren.size === 0) return;
    const children = this.heldChildren.get(order.id);
    if (children === undefined) return;
    this.heldChildren.delete(order.id);
    for (const c of children) {
      if (!isWorking(c.status)) continue;
      c.quantity = order.filledQuantity;
      c.held = false;
      c.submittedStep = this.step;
      c.updatedAt = time;
      this.addWorking(c);
      this.sink.onOrder(c);
    }
  }

  /** A bracket entry that ends without any fill takes its held exits with it. */
  private afterFinal(order: Order, time: number): void {
    if (this.heldChildren.size === 0) return;
    const children = this.heldChildren.get(order.id);
    if (children === undefined || order.filledQuantity > 0) return;
    this.heldChildren.delete(order.id);
    for (const c of children) this.cancel(c.id, time, `parent order ${order.id} ${order.status.toLowerCase()}`);
  }

  private create(req: OrderRequest, step: number, time: number, parentId: number | null, ocoGroup: string | null): Order {
    const symbolIndex =
      typeof req.symbol === 'number'
        ? Number.isInteger(req.symbol) && req.symbol >= 0 && req.symbol < this.symbols.length
          ? req.symbol
          : -1
        : this.symbols.indexOf(req.symbol);
    const tif = req.timeInForce ?? 'GTC';
    const trailing = req.type === 'TRAILING_STOP';
    const order: Order = {
      id: this.live.length + 1,
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
      trailAmount: trailing ? (req.trailAmount ?? null) : null,
      trailPercent: trailing ? (req.trailPercent ?? null) : null,
      parentId,
      ocoGroup,
      status: 'PENDING',
      filledQuantity: 0,
      averageFillPrice: null,
      reason: null,
      triggered: false,
      bestPrice: 0,
      held: false,
      submittedStep: step,
      expiresAt: tif === 'DAY' ? (Math.floor(time / DAY_MS) + 1) * DAY_MS : Infinity,
      updatedAt: time,
    };
    this.live.push(order);
    return order;
  }

  private rejectNow(req: OrderRequest, step: number, time: number, reason: string): Order {
    const order = this.create(req, step, time, null, null);
    order.reason = reason;
    this.apply(order, 'REJECT', time);
    return order;
  }

  /** A trailing stop starts from the symbol's latest price; without one it cannot start. */
  private trailingStart(order: Order): string | null {
    if (order.type !== 'TRAILING_STOP') return null;
    const last = this.marks[order.symbolIndex];
    if (!(last > 0)) return `a TRAILING_STOP needs a latest price of ${order.symbol}; it has no bar yet`;
    order.bestPrice = last;
    order.stopPrice = trailingStopLevel(order);
    if (!(order.stopPrice > 0)) return `trailAmount ${fmt(order.trailAmount as number)} leaves no stop above 0 below the latest price ${fmt(last)}`;
    return null;
  }

  /** The price the submission checks value an order at (docs/CONVENTIONS.md): its own price, or the latest close. */
  private referencePrice(order: Order): number {
    if (order.type === 'LIMIT' || order.type === 'STOP_LIMIT') return order.limitPrice as number;
    if (order.type === 'STOP' || order.type === 'TRAILING_STOP') return order.stopPrice as number;
    return this.marks[order.symbolIndex];
  }

  private joinGroup(order: Order): void {
    const group = order.ocoGroup as string;
    const members = this.ocoGroups.get(group);
    if (members === undefined) this.ocoGroups.set(group, [order]);
    else members.push(order);
  }

  private addWorking(order: Order): void {
    this.working[order.symbolIndex].push(order);
    this.workingCount[order.symbolIndex]++;
    if (order.expiresAt < this.nextExpiry) this.nextExpiry = order.expiresAt;
  }

  private apply(order: Order, event: OrderEventKind, time: number): void {
    order.status = transitionOrder(order.status, event);
    order.updatedAt = time;
    this.sink.onOrder(order);
  }

  private removeWorking(order: Order): void {
    if (this.matching || order.held || order.symbolIndex < 0) return;
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
    // pop, not `length = kept`: setting the length is a call into the runtime, pop is inlined.
    while (list.length > kept) list.pop();
    this.workingCount[s] = kept;
  }

  private compactAll(): void {
    for (let s = 0; s < this.working.length; s++) this.compact(s);
  }
}

function isPositivePrice(p: unknown): boolean {
  return typeof p === 'number' && Number.isFinite(p) && p > 0;
}

/** Why a bracket cannot be placed as asked, or null (its entry is checked like any order). */
function bracketProblem(req: BracketRequest): string | null {
  const { takeProfit: tp, stopLoss: sl } = req;
  if (tp === undefined && sl === undefined) return 'a bracket needs a takeProfit, a stopLoss or both';
  if (tp !== undefined && !isPositivePrice(tp)) return 'takeProfit must be a finite price > 0';
  if (sl !== undefined && !isPositivePrice(sl)) return 'stopLoss must be a finite price > 0';
  if (tp !== undefined && sl !== undefined && (req.side === 'BUY' ? !(tp > sl) : !(tp < sl))) {
    return `a ${req.side} bracket needs takeProfit ${req.side === 'BUY' ? 'above' : 'below'} stopLoss, got ${tp} and ${sl}`;
  }
  return null;
}

/** Numbers in reasons: as they are, up to 6 decimals. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : String(x);
}
