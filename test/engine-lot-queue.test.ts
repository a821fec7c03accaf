/**
 * LotQueue (open entry lots as rows in a ring) against a plain array of objects doing the same
 * first-in first-out work: random pushes, partial closes and shifts, so the ring wraps and grows
 * while its head is in the middle.
 */
import { describe, expect, it } from 'vitest';
import { LotQueue } from '../src/engine/lot-queue.js';

interface Lot {
  sell: boolean;
  time: number;
  barIndex: number;
  price: number;
  quantity: number;
  commission: number;
  remaining: number;
}

describe('LotQueue', () => {
  it('keeps the same lots in the same order as an array of objects, through wraps and growth', () => {
    let seed = 9;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const q = new LotQueue();
    const model: Lot[] = [];
    let maxLength = 0;
    for (let step = 0; step < 20_000; step++) {
      const u = rand();
      // Runs of pushes, then runs of closes, so the length swings between 0 and a few hundred.
      const pushing = Math.floor(step / 500) % 2 === 0 ? u < 0.7 : u < 0.3;
      if (pushing || model.length === 0) {
        const lot = { sell: rand() < 0.5, time: step * 60_000, barIndex: step, price: 100 + rand(), quantity: 1 + Math.floor(rand() * 5), commission: rand() / 10, remaining: 0 };
        lot.remaining = lot.quantity;
        model.push(lot);
        q.push(lot.sell, lot.time, lot.barIndex, lot.price, lot.quantity, lot.commission);
      } else {
        const take = Math.min(model[0]!.remaining, 1 + Math.floor(rand() * 3));
        model[0]!.remaining -= take;
        q.remaining -= take;
        if (model[0]!.remaining <= 0) {
          model.shift();
          q.shift();
        }
      }
      expect(q.length).toBe(model.length);
      maxLength = Math.max(maxLength, model.length);
      if (model.length > 0) {
        const m = model[0]!;
        expect([q.sell, q.time, q.barIndex, q.price, q.quantity, q.commission, q.remaining]).toEqual([m.sell, m.time, m.barIndex, m.price, m.quantity, m.commission, m.remaining]);
      }
    }
    // (A ring that grows by copying its two halves in the wrong order fails the comparisons above.)
    // Drain what is left: every lot comes out in order with its own fields.
    while (model.length > 0) {
      const m = model.shift()!;
      expect([q.time, q.price, q.remaining]).toEqual([m.time, m.price, m.remaining]);
      q.shift();
    }
    expect(q.length).toBe(0);
    expect(maxLength).toBeGreaterThan(64);
  });
});
