import type { Side } from './orders.js';
import { LotQueue } from './lot-queue.js';
import { RecordRows } from './record-columns.js';
import type { RoundTrip } from './results.js';

/**
 * Pairs exits with entry lots first-in first-out. Each (lot, exit fill) match is one round trip,
 * so a position closed in two fills gives two round trips; a position still open at the end gives none.
 * Kept round trips are columns; `trips` makes the objects when read.
 */
export class RoundTripTracker {
  /** Open entry lots per symbol. */
  private readonly lots: LotQueue[];
  /** Round trips so far (also when they are not kept). */
  count = 0;
  wins = 0;
  grossProfit = 0;
  grossLoss = 0;
  /** Kept round trips, one row each: symbol, sell, bars, quantity, entry and exit time and price, pnl, returnPct. */
  private readonly rows = new RecordRows(10);

  /** `keep` false: only the aggregates (count, wins, gross profit and loss) are kept. */
  constructor(private readonly symbols: readonly string[], private readonly keep = true) {
    this.lots = symbols.map(() => new LotQueue());
  }

  /** A fill of `quantity` of symbol s at `price`, `commission` for all of it. */
  onFill(s: number, side: Side, time: number, barIndex: number, quantity: number, price: number, commission: number): void {
    const queue = this.lots[s];
    const sell = side === 'SELL';
    let left = quantity;
    while (left > 0 && queue.length > 0 && queue.sell !== sell) {
      const matched = Math.min(left, queue.remaining);
      this.record(s, queue, time, barIndex, price, (commission * matched) / quantity, matched);
      queue.remaining -= matched;
      left -= matched;
      if (queue.remaining <= 0) queue.shift();
    }
    if (left > 0) queue.push(sell, time, barIndex, price, left, (commission * left) / quantity);
  }

  /** Closes `quantity` of the first of `lots`; `exitCommission`: the exit fill's commission attributable to `quantity`. */
  private record(s: number, lots: LotQueue, exitTime: number, exitBar: number, exitPrice: number, exitCommission: number, quantity: number): void {
    const direction = lots.sell ? -1 : 1;
    const commission = (lots.commission * quantity) / lots.quantity + exitCommission;
    const pnl = direction * quantity * (exitPrice - lots.price) - commission;
    if (pnl > 0) {
      this.wins++;
      this.grossProfit += pnl;
    } else if (pnl < 0) {
      this.grossLoss -= pnl;
    }
    this.count++;
    if (!this.keep) return;
    const at = this.rows.append();
    const v = this.rows.values;
    v[at] = s;
    v[at + 1] = lots.sell ? 1 : 0;
    v[at + 2] = exitBar - lots.barIndex;
    v[at + 3] = quantity;
    v[at + 4] = lots.time;
    v[at + 5] = exitTime;
    v[at + 6] = lots.price;
    v[at + 7] = exitPrice;
    v[at + 8] = pnl;
    v[at + 9] = (100 * pnl) / (quantity * lots.price);
  }

  /** Round trips kept so far. */
  get kept(): number {
    return this.rows.count;
  }

  /** The first `count` kept round trips as objects (a new array each call). */
  trips(count = this.kept): RoundTrip[] {
    const out: RoundTrip[] = [];
    for (let k = 0; k < count; k++) {
      const v = this.rows.chunkOf(k);
      const at = this.rows.offsetOf(k);
      out.push({
        symbol: this.symbols[v[at]],
        side: v[at + 1] === 1 ? 'SELL' : 'BUY',
        quantity: v[at + 3],
        entryTime: v[at + 4],
        exitTime: v[at + 5],
        entryPrice: v[at + 6],
        exitPrice: v[at + 7],
        pnl: v[at + 8],
        returnPct: v[at + 9],
        bars: v[at + 2],
      });
    }
    return out;
  }
}
