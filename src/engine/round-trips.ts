import type { Side } from './orders.js';
import { Float64Column, Int32Column } from './record-columns.js';
import type { RoundTrip } from './results.js';

/** An open entry lot awaiting exits, FIFO per symbol. */
interface Lot {
  readonly side: Side;
  readonly time: number;
  readonly barIndex: number;
  readonly price: number;
  /** Original quantity and commission, to attribute the entry commission pro rata. */
  readonly quantity: number;
  readonly commission: number;
  remaining: number;
}

/**
 * Pairs exits with entry lots first-in first-out. Each (lot, exit fill) match is one round trip,
 * so a position closed in two fills gives two round trips; a position still open at the end gives none.
 * Kept round trips are columns; `trips` makes the objects when read.
 */
export class RoundTripTracker {
  private readonly lots: Lot[][];
  /** Round trips so far (also when they are not kept). */
  count = 0;
  wins = 0;
  grossProfit = 0;
  grossLoss = 0;
  /** Round trips kept so far. */
  kept = 0;
  private readonly symbolIndex = new Int32Column();
  private readonly sell = new Int32Column();
  private readonly bars = new Int32Column();
  private readonly quantity = new Float64Column();
  private readonly entryTime = new Float64Column();
  private readonly exitTime = new Float64Column();
  private readonly entryPrice = new Float64Column();
  private readonly exitPrice = new Float64Column();
  private readonly pnl = new Float64Column();
  private readonly returnPct = new Float64Column();

  /** `keep` false: only the aggregates (count, wins, gross profit and loss) are kept. */
  constructor(private readonly symbols: readonly string[], private readonly keep = true) {
    this.lots = symbols.map(() => []);
  }

  /** A fill of `quantity` of symbol s at `price`, `commission` for all of it. */
  onFill(s: number, side: Side, time: number, barIndex: number, quantity: number, price: number, commission: number): void {
    const queue = this.lots[s];
    let left = quantity;
    while (left > 0 && queue.length > 0 && queue[0].side !== side) {
      const lot = queue[0];
      const matched = Math.min(left, lot.remaining);
      this.record(s, lot, time, barIndex, price, (commission * matched) / quantity, matched);
      lot.remaining -= matched;
      left -= matched;
      if (lot.remaining <= 0) queue.shift();
    }
    if (left > 0) {
      queue.push({ side, time, barIndex, price, quantity: left, commission: (commission * left) / quantity, remaining: left });
    }
  }

  /** `exitCommission`: the exit fill's commission attributable to `quantity`. */
  private record(s: number, lot: Lot, exitTime: number, exitBar: number, exitPrice: number, exitCommission: number, quantity: number): void {
    const direction = lot.side === 'BUY' ? 1 : -1;
    const commission = (lot.commission * quantity) / lot.quantity + exitCommission;
    const pnl = direction * quantity * (exitPrice - lot.price) - commission;
    if (pnl > 0) {
      this.wins++;
      this.grossProfit += pnl;
    } else if (pnl < 0) {
      this.grossLoss -= pnl;
    }
    this.count++;
    if (!this.keep) return;
    const k = this.kept++;
    this.symbolIndex.push(k, s);
    this.sell.push(k, lot.side === 'SELL' ? 1 : 0);
    this.quantity.push(k, quantity);
    this.entryTime.push(k, lot.time);
    this.exitTime.push(k, exitTime);
    this.entryPrice.push(k, lot.price);
    this.exitPrice.push(k, exitPrice);
    this.pnl.push(k, pnl);
    this.returnPct.push(k, (100 * pnl) / (quantity * lot.price));
    this.bars.push(k, exitBar - lot.barIndex);
  }

  /** The first `count` kept round trips as objects (a new array each call). */
  trips(count = this.kept): RoundTrip[] {
    const out: RoundTrip[] = [];
    for (let k = 0; k < count; k++) {
      out.push({
        symbol: this.symbols[this.symbolIndex.values[k]],
        side: this.sell.values[k] === 1 ? 'SELL' : 'BUY',
        quantity: this.quantity.values[k],
        entryTime: this.entryTime.values[k],
        exitTime: this.exitTime.values[k],
        entryPrice: this.entryPrice.values[k],
        exitPrice: this.exitPrice.values[k],
        pnl: this.pnl.values[k],
        returnPct: this.returnPct.values[k],
        bars: this.bars.values[k],
      });
    }
    return out;
  }
}
