import type { Fill, Side } from './orders.js';
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
 */
export class RoundTripTracker {
  private readonly lots: Lot[][];
  readonly trips: RoundTrip[] = [];
  /** Round trips so far (also when they are not kept). */
  count = 0;

  /** `keep` false: only the aggregates (count, wins, gross profit and loss) are kept. */
  constructor(symbolCount: number, private readonly keep = true) {
    this.lots = Array.from({ length: symbolCount }, () => []);
  }
  wins = 0;
  grossProfit = 0;
  grossLoss = 0;

  onFill(fill: Fill): void {
    const queue = this.lots[fill.symbolIndex];
    let left = fill.quantity;
    while (left > 0 && queue.length > 0 && queue[0].side !== fill.side) {
      const lot = queue[0];
      const matched = Math.min(left, lot.remaining);
      this.record(lot, fill, matched);
      lot.remaining -= matched;
      left -= matched;
      if (lot.remaining <= 0) queue.shift();
    }
    if (left > 0) {
      queue.push({
        side: fill.side,
        time: fill.time,
        barIndex: fill.barIndex,
        price: fill.price,
        quantity: left,
        commission: (fill.commission * left) / fill.quantity,
        remaining: left,
      });
    }
  }

  private record(lot: Lot, exit: Fill, quantity: number): void {
    const direction = lot.side === 'BUY' ? 1 : -1;
    const commission = (lot.commission * quantity) / lot.quantity + (exit.commission * quantity) / exit.quantity;
    const pnl = direction * quantity * (exit.price - lot.price) - commission;
    if (pnl > 0) {
      this.wins++;
      this.grossProfit += pnl;
    } else if (pnl < 0) {
      this.grossLoss -= pnl;
    }
    this.count++;
    if (!this.keep) return;
    this.trips.push({
      symbol: exit.symbol,
      side: lot.side,
      quantity,
      entryTime: lot.time,
      exitTime: exit.time,
      entryPrice: lot.price,
      exitPrice: exit.price,
      pnl,
      returnPct: (100 * pnl) / (quantity * lot.price),
      bars: exit.barIndex - lot.barIndex,
    });
  }
}
