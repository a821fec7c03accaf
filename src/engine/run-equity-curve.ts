import type { CashChanges } from './cash-changes.js';
import { drawdownsOf } from './drawdown.js';
import type { EquityCurve } from './results.js';

/**
 * A run's equity curve as the engine keeps it: time and equity as columns, cash as the steps where
 * it changed, drawdown not at all (it follows from the equity). The `cash` and `drawdown` columns
 * are written on first read, so a run whose reader stores or summarises it never allocates them:
 * two fresh 8-byte-a-step arrays per run were a third of a run's time (page faults and the
 * garbage collections their size triggers). Readers that only need a few points use `cashAt`.
 */
export class RunEquityCurve implements EquityCurve {
  #cash: Float64Array | undefined;
  #drawdown: Float64Array | undefined;

  constructor(
    readonly length: number,
    readonly time: Float64Array,
    readonly equity: Float64Array,
    private readonly changes: CashChanges,
  ) {}

  get cash(): Float64Array {
    return (this.#cash ??= this.changes.column(this.length));
  }

  /** 1 - equity / running peak, computed once by the formula stored curves use (drawdownsOf). */
  get drawdown(): Float64Array {
    return (this.#drawdown ??= drawdownsOf(this.equity, this.length));
  }

  cashAt(k: number): number {
    return this.changes.valueAt(k);
  }

  /** The cash column as stored (see CashChanges.runs); undefined when it is stored raw. */
  cashRuns(): Float64Array | undefined {
    return this.changes.runs(this.length);
  }

  /** The first point whose cash is not finite, or `length`. */
  firstNonFiniteCash(): number {
    return this.changes.firstNonFinite(this.length);
  }
}
