import type { AccountSettings } from './account.js';
import { fmt, type OrderGate, type SimulatedBroker } from './broker.js';
import type { CommissionModel } from './costs.js';
import type { Order } from './orders.js';
import type { Portfolio } from './portfolio.js';
import type { RiskLimits } from './risk-limits.js';

/** Rounding slack for the inequalities: a fill that fits exactly must not fail on the last bit. */
const EPS = 1e-9;

/** The portfolio as if an order of `signed` units of symbol s filled at `price` with `commission`; s is valued at `price`, others at their marks. */
interface Projection {
  equityBefore: number;
  equityAfter: number;
  grossAfter: number;
  cashAfter: number;
  cashBefore: number;
  positionBefore: number;
  positionAfter: number;
}

/**
 * The risk manager and the account's buying power between a strategy and the broker
 * (docs/CONVENTIONS.md, "Account and buying power", "Risk limits"). Orders that only reduce a
 * position always pass; orders that open or add are checked at submission (risk limits, then buying
 * power, at the order's reference price) and again at the fill (buying power only, at the fill price).
 */
export class PreTradeChecks implements OrderGate {
  /** Why the last `fillable` answered less than asked. */
  reason: string | null = null;
  private readonly unlimited: boolean;
  /** Reused by every projection: checks run per order and per fill, and allocate nothing of their own. */
  private readonly p: Projection = { equityBefore: 0, equityAfter: 0, grossAfter: 0, cashAfter: 0, cashBefore: 0, positionBefore: 0, positionAfter: 0 };
  /** Scratch: per symbol, the position change working market orders that reduce it will make. */
  private readonly pending: Float64Array;
  /** All zeros: no pending changes (the fill-time view). */
  private readonly none: Float64Array;

  constructor(
    private readonly portfolio: Portfolio,
    private readonly account: AccountSettings,
    private readonly risk: RiskLimits,
    private readonly commission: CommissionModel,
    private readonly broker: SimulatedBroker,
  ) {
    this.unlimited = account.type === 'MARGIN' && account.leverage === Infinity;
    this.pending = new Float64Array(portfolio.symbolCount);
    this.none = new Float64Array(portfolio.symbolCount);
  }

  atSubmission(order: Order, price: number): string | null {
    if (!(price > 0)) return null; // no price known yet: only the fill-time check applies
    const signed = order.side === 'BUY' ? order.quantity : -order.quantity;
    // Sales already submitted at market count as done (they fill at the next open, before purchases wait for them).
    this.broker.pendingMarketReductions(this.portfolio.position, this.pending);
    const p = this.project(order.symbolIndex, signed, price, this.commission.commission(order.quantity, price), this.pending);
    if (reduces(p.positionBefore, p.positionAfter)) return null;
    return this.riskProblem(order, price, p) ?? this.buyingPowerProblem(order, p);
  }

  fillable(order: Order, quantity: number, price: number): number {
    this.reason = null;
    if (this.unlimited) return quantity;
    const s = order.symbolIndex;
    const buy = order.side === 'BUY';
    const commission = this.commission.commission(quantity, price);
    const full = this.project(s, buy ? quantity : -quantity, price, commission);
    if (reduces(full.positionBefore, full.positionAfter)) return quantity;
    const reason = this.buyingPowerProblem(order, full);
    if (reason === null) return quantity;
    this.reason = reason;
    // The largest quantity that fits, with the full order's commission (commission never falls with size: conservative).
    const unit = Number.isInteger(quantity) ? 1 : 1e-8;
    let q = Math.min(quantity, this.maxQuantity(s, buy, price, commission));
    q = Math.floor(q / unit + 1e-9) * unit;
    for (let tries = 0; tries < 3 && q > 0; tries++) {
      const p = this.project(s, buy ? q : -q, price, this.commission.commission(q, price));
      if (this.buyingPowerProblem(order, p) === null) return q;
      q -= unit;
    }
    return 0;
  }

  /** Largest quantity of a buy (sell) of symbol s at `price` that keeps the account within its buying power. */
  private maxQuantity(s: number, buy: boolean, price: number, commission: number): number {
    const pf = this.portfolio;
    const p0 = pf.position[s];
    if (this.account.type === 'CASH') return buy ? (pf.cash - commission) / price : Math.max(p0, 0);
    let grossOthers = 0;
    let equityOthers = pf.cash;
    for (let j = 0; j < pf.symbolCount; j++) {
      if (j === s) continue;
      grossOthers += Math.abs(pf.position[j]) * pf.lastPrice[j];
      equityOthers += pf.position[j] * pf.lastPrice[j];
    }
    const maxAbsPosition = (this.account.leverage * (equityOthers + p0 * price - commission) - grossOthers) / price;
    return Math.max(0, maxAbsPosition - (buy ? p0 : -p0));
  }

  /** `pending`: position changes taken as already filled at the marks (cash moves with them, equity does not). */
  private project(s: number, signed: number, price: number, commission: number, pending: Float64Array = this.none): Projection {
    const pf = this.portfolio;
    let equityBefore = pf.cash;
    let grossAfter = 0;
    let cash = pf.cash;
    for (let j = 0; j < pf.symbolCount; j++) {
      const mark = j === s ? price : pf.lastPrice[j];
      const q = pf.position[j] + pending[j];
      cash -= pending[j] * mark;
      equityBefore += pf.position[j] * mark;
      grossAfter += Math.abs(j === s ? q + signed : q) * mark;
    }
    const before = pf.position[s] + pending[s];
    const p = this.p;
    p.equityBefore = equityBefore;
    p.equityAfter = equityBefore - commission;
    p.grossAfter = grossAfter;
    p.cashAfter = cash - signed * price - commission;
    p.cashBefore = cash;
    p.positionBefore = before;
    p.positionAfter = before + signed;
    return p;
  }

  private riskProblem(order: Order, price: number, p: Projection): string | null {
    const r = this.risk;
    const equity = p.equityBefore;
    if (r.maxOrderNotional !== undefined) {
      const notional = order.quantity * price;
      if (notional > r.maxOrderNotional * (1 + EPS)) {
        return `risk limit maxOrderNotional ${fmt(r.maxOrderNotional)}: order notional ${fmt(notional)} (${fmt(order.quantity)} × ${fmt(price)}) exceeds it`;
      }
    }
    if (r.maxPositionPct !== undefined) {
      const value = Math.abs(p.positionAfter) * price;
      const cap = (r.maxPositionPct / 100) * equity;
      if (value > cap + EPS * Math.max(1, Math.abs(cap))) {
        return `risk limit maxPositionPct ${fmt(r.maxPositionPct)}: position in ${order.symbol} after the order worth ${fmt(value)} would exceed ${fmt(r.maxPositionPct)} % of equity ${fmt(equity)} (${fmt(cap)})`;
      }
    }
    if (r.maxGrossExposurePct !== undefined) {
      const cap = (r.maxGrossExposurePct / 100) * equity;
      if (p.grossAfter > cap + EPS * Math.max(1, Math.abs(cap))) {
        return `risk limit maxGrossExposurePct ${fmt(r.maxGrossExposurePct)}: gross exposure after the order ${fmt(p.grossAfter)} would exceed ${fmt(r.maxGrossExposurePct)} % of equity ${fmt(equity)} (${fmt(cap)})`;
      }
    }
    return null;
  }

  private buyingPowerProblem(order: Order, p: Projection): string | null {
    if (this.unlimited) return null;
    if (this.account.type === 'CASH') {
      if (p.positionAfter < 0) {
        return `buying power (CASH): the order would leave a short position of ${fmt(p.positionAfter)} ${order.symbol}; a CASH account cannot sell short`;
      }
      if (p.cashAfter < -EPS * Math.max(1, Math.abs(p.equityBefore))) {
        return `buying power (CASH): cash after the order ${fmt(p.cashAfter)} would be below 0 (cash ${fmt(p.cashBefore)})`;
      }
      return null;
    }
    const L = this.account.leverage;
    const cap = L * p.equityAfter;
    if (p.grossAfter > cap + EPS * Math.max(1, Math.abs(cap))) {
      return `buying power (MARGIN, leverage ${fmt(L)}): gross exposure after the order ${fmt(p.grossAfter)} would exceed ${fmt(L)} × equity ${fmt(p.equityAfter)} = ${fmt(cap)}`;
    }
    return null;
  }
}

/** True when a position goes from `before` to `after` without opening or adding: same side (or flat) and no larger. */
function reduces(before: number, after: number): boolean {
  if (after === 0) return true;
  if (before === 0) return false;
  return (before > 0) === (after > 0) && Math.abs(after) <= Math.abs(before);
}
