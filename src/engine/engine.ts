import { DEFAULT_ACCOUNT, accountProblem, type AccountSettings } from './account.js';
import { BarHistory } from './bar-history.js';
import { CashChanges } from './cash-changes.js';
import type { BarSeries } from './bars.js';
import { BasisPointSlippage, NO_COMMISSION, TieredCommission, type CommissionModel, type CommissionSettings, type SlippageModel } from './costs.js';
import { SimulatedBroker } from './broker.js';
import { createIndicatorFactory } from './indicators/factory.js';
import { BarClock } from './indicators/history.js';
import type { BlockIndicator, Indicator } from './indicators/indicator.js';
import { MetricsAccumulator } from './metrics.js';
import type { Fill, Order } from './orders.js';
import { Portfolio } from './portfolio.js';
import { PreTradeChecks } from './pre-trade-checks.js';
import type { BacktestResult, EquityCurve, RoundTrip } from './results.js';
import { riskLimitsProblem, type RiskHalt, type RiskLimits } from './risk-limits.js';
import { RoundTripTracker } from './round-trips.js';
import { RunEquityCurve } from './run-equity-curve.js';
import { fmt } from './broker.js';
import type { AnyStrategy, BarView, StepView, StrategyInstance } from './strategy.js';
import { createStrategyContext, type ContextHost } from './strategy-context.js';
import { barsBefore, buildTimeline, type Timeline } from './timeline.js';

/**
 * Timestamps per block of `advance`, for one symbol. A block's indicator values (computed ahead) and
 * equity points (read back by the metrics pass) then stay in cache; with many symbols blocks are
 * shorter so that all symbols' look-ahead together stays about as large.
 */
const MAX_BLOCK_STEPS = 2048;
const BLOCK_BARS_BUDGET = 16_384;
const MIN_BLOCK_STEPS = 64;

function blockStepsFor(symbols: number): number {
  let steps = MAX_BLOCK_STEPS;
  while (steps > MIN_BLOCK_STEPS && steps * symbols > BLOCK_BARS_BUDGET) steps /= 2;
  return steps;
}

/** Observes a run as it happens. Every method is optional; a run without a listener pays nothing. */
export interface EngineListener {
  /** Every order status change (submitted, rejected, modified, filled, cancelled, expired). The object is live: copy what you keep. */
  onOrder?(order: Readonly<Order>): void;
  onFill?(fill: Fill): void;
  /** The drawdown limit was reached: trading stops (docs/CONVENTIONS.md, "Risk limits"). */
  onHalt?(halt: RiskHalt): void;
}

export interface BacktestConfig {
  readonly series: readonly BarSeries[];
  readonly strategy: AnyStrategy;
  /** Already validated and resolved (see validateStrategyParams). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly initialCash: number;
  readonly commission?: CommissionModel | CommissionSettings;
  /** A model, or basis points for the standard one. */
  readonly slippage?: SlippageModel | number;
  /** Annualisation factor for volatility, Sharpe and Sortino (e.g. 252 for daily bars). */
  readonly periodsPerYear: number;
  /** Annual risk-free rate (a fraction) for Sharpe and Sortino; default 0. */
  readonly riskFreeRate?: number;
  /** Default MARGIN with leverage 1 (docs/CONVENTIONS.md, "Account and buying power"). */
  readonly account?: AccountSettings;
  /** Checked before an order reaches the broker; default none. */
  readonly risk?: RiskLimits;
  readonly listener?: EngineListener;
  /** The merged timeline of `series`, when the caller already has it (sweeps build it once for all combinations). */
  readonly timeline?: Timeline;
  /**
   * An array for the equity column to reuse, at least as long as the timeline (its contents are
   * overwritten). Fresh multi-megabyte arrays cost page faults that do not scale across threads of
   * one process (measured: 2 threads allocating them run no faster than 1), so a worker running many
   * backtests in a row (a sweep) passes the same one each time.
   */
  readonly curveBuffers?: CurveBuffers;
  /**
   * 'metrics': fills and round trips are not kept in the result (its lists stay empty), only counted
   * and folded into the metrics, which are identical. For runs only their metrics matter (sweeps):
   * fewer long-lived objects, less garbage collection. Orders are always kept (strategies look them up).
   */
  readonly records?: 'full' | 'metrics';
}

export interface CurveBuffers {
  readonly equity: Float64Array;
}

/**
 * The bar handed to onBar: one per run, repointed at each bar. Prices are getters over the
 * columnar arrays, so showing a bar costs two stores instead of copying nine fields.
 */
class BarCursor implements BarView {
  symbolIndex = 0;
  index = 0;
  // Private (#): the cursor must not be a way to the arrays, i.e. to later bars.
  readonly #all: readonly BarSeries[];
  constructor(all: readonly BarSeries[]) {
    this.#all = all;
  }
  get symbol(): string {
    return this.#all[this.symbolIndex].symbol;
  }
  get time(): number {
    return this.#all[this.symbolIndex].time[this.index];
  }
  get open(): number {
    return this.#all[this.symbolIndex].open[this.index];
  }
  get high(): number {
    return this.#all[this.symbolIndex].high[this.index];
  }
  get low(): number {
    return this.#all[this.symbolIndex].low[this.index];
  }
  get close(): number {
    return this.#all[this.symbolIndex].close[this.index];
  }
  get volume(): number {
    return this.#all[this.symbolIndex].volume[this.index];
  }
}

/** The step handed to onStep: one per run, repointed at each step. */
class StepCursor implements StepView {
  time = 0;
  index = 0;
  count = 0;
  first = 0;
  constructor(private readonly entries: Int32Array | null) {}
  symbolIndex(k: number): number {
    if (!(k >= 0 && k < this.count)) throw new RangeError(`step has ${this.count} symbols, no symbol ${k}`);
    return this.entries === null ? 0 : this.entries[this.first + k];
  }
}

/**
 * One backtest over a merged timeline. Per timestamp: match working orders of each symbol with a bar
 * there, update that symbol's indicators, show the strategy the bar; then mark to market once
 * (docs/CONVENTIONS.md). `advance(n)` runs up to n timestamps so a caller can report progress, stream
 * and check for cancellation between chunks while the loop itself stays free of awaits and allocations.
 */
export class Backtest implements ContextHost {
  readonly timeline: Timeline;
  readonly symbols: readonly string[];
  private readonly series: readonly BarSeries[];
  readonly portfolio: Portfolio;
  readonly broker: SimulatedBroker;
  /** Per symbol, its bars up to the latest shown (ctx.history and custom indicators). */
  readonly histories: readonly BarHistory[];
  private readonly trips: RoundTripTracker;
  private readonly metrics: MetricsAccumulator;
  /** Indicators updated bar by bar, in registration order. */
  private readonly indicators: Indicator[] = [];
  /** Built-ins computed a block ahead; `clock` shows their values bar by bar. */
  private readonly blockIndicators: BlockIndicator[] = [];
  private readonly clock: BarClock;
  private readonly blockSteps: number;
  /** Per symbol: bars [0, computed[s]) are done by the block indicators. */
  private readonly computed: Int32Array;
  /** Scratch: per symbol, the end of its bars in the block being computed. */
  private readonly blockBarsEnd: Int32Array;
  private readonly instance: StrategyInstance;
  private readonly view: BarCursor;
  private readonly stepView: StepCursor;
  private readonly equityValues: Float64Array;
  /** The cash column, as the steps where it changed (it changes only at fills). */
  private readonly cashChanges: CashChanges;
  /** broker.fillCount when cash was last recorded: a step with new fills records its cash. */
  private fillsSeen = 0;
  /** Steps done; while `running`, the step being processed. */
  private cursor = 0;
  /** True while onStep runs: the step being processed has its equity point already. */
  private stepMarked = false;
  private running = false;
  /** maxDrawdownPct as a fraction (Infinity: no drawdown limit), the running equity peak, and the halt once it happened. */
  private readonly haltDrawdown: number;
  private peak = -Infinity;
  private haltRecord: RiskHalt | null = null;
  private readonly listener: EngineListener | undefined;

  constructor(config: BacktestConfig) {
    if (config.series.length === 0) throw new RangeError('a backtest needs at least one symbol');
    if (!(Number.isFinite(config.initialCash) && config.initialCash > 0)) throw new RangeError('initialCash must be a finite number > 0');
    const account = config.account ?? DEFAULT_ACCOUNT;
    const risk = config.risk ?? {};
    const problem = accountProblem(account) ?? riskLimitsProblem(risk);
    if (problem !== null) throw new RangeError(problem);
    this.haltDrawdown = risk.maxDrawdownPct === undefined ? Infinity : risk.maxDrawdownPct / 100;
    this.series = config.series;
    this.symbols = config.series.map((s) => s.symbol);
    this.timeline = config.timeline ?? buildTimeline(config.series);
    const steps = this.timeline.steps;
    const reuse = config.curveBuffers;
    this.equityValues = reuse !== undefined && reuse.equity.length >= steps ? reuse.equity : new Float64Array(steps);
    this.cashChanges = new CashChanges(config.initialCash);
    this.blockSteps = blockStepsFor(this.symbols.length);
    this.clock = new BarClock(this.symbols.length, this.blockSteps);
    this.computed = new Int32Array(this.symbols.length);
    this.blockBarsEnd = new Int32Array(this.symbols.length);
    this.histories = this.series.map((bars, s) => new BarHistory(bars.symbol, s, bars, this.clock.bar));

    this.portfolio = new Portfolio(this.symbols.length, config.initialCash);
    const keep = config.records !== 'metrics';
    this.trips = new RoundTripTracker(this.symbols, keep);
    this.metrics = new MetricsAccumulator(config.initialCash, config.periodsPerYear, config.riskFreeRate ?? 0);
    const settings = config.commission ?? NO_COMMISSION;
    const commission = 'commission' in settings ? settings : new TieredCommission(settings);
    const slippage = config.slippage ?? 0;
    const listener = config.listener;
    this.listener = listener;
    let instance: StrategyInstance | undefined;
    this.broker = new SimulatedBroker(
      this.symbols,
      commission,
      typeof slippage === 'number' ? new BasisPointSlippage(slippage) : slippage,
      {
        onFill: (id, order, s, barIndex, time, quantity, price, commission) => {
          this.portfolio.applyFill(s, order.side, quantity, price, commission);
          this.trips.onFill(s, order.side, time, barIndex, quantity, price, commission);
          const toStrategy = this.haltRecord === null && instance?.onFill !== undefined;
          if (listener?.onFill === undefined && !toStrategy) return;
          // An object only for those who take one.
          const fill: Fill = { id, orderId: order.id, time, symbolIndex: s, symbol: order.symbol, barIndex, side: order.side, quantity, price, commission };
          listener?.onFill?.(fill);
          if (toStrategy) instance!.onFill!(fill);
        },
        onOrder: (order) => {
          listener?.onOrder?.(order);
          if (this.haltRecord === null) instance?.onOrderUpdate?.(order);
        },
      },
      this.portfolio.lastPrice,
    );
    this.broker.setGate(new PreTradeChecks(this.portfolio, account, risk, commission, this.broker));
    this.broker.keepFills = keep;
    this.view = new BarCursor(this.series);
    this.stepView = new StepCursor(this.timeline.single ? null : this.timeline.symbol);

    let creating = true;
    const checkCreating = () => {
      if (!creating) throw new Error('indicators must be created in the strategy factory, before the first bar');
    };
    const factory = createIndicatorFactory(this.symbols.length, {
      clock: this.clock,
      add: (indicator) => {
        checkCreating();
        this.indicators.push(indicator);
      },
      addBlock: (indicator) => {
        checkCreating();
        this.blockIndicators.push(indicator);
      },
      history: (s) => this.histories[s],
    });
    instance = config.strategy.create(createStrategyContext(this, factory), config.params as never);
    creating = false;
    if (typeof instance?.onBar !== 'function' && typeof instance?.onStep !== 'function') {
      throw new TypeError(`strategy ${config.strategy.id}: create() must return an object with onBar(bar) and/or onStep(step)`);
    }
    this.instance = instance;
  }

  get done(): boolean {
    return this.cursor >= this.timeline.steps;
  }
  get stepsDone(): number {
    return this.cursor;
  }
  get barsProcessed(): number {
    return barsBefore(this.timeline, this.cursor);
  }
  /** Time of the last processed timestamp, epoch ms (0 before the first). */
  get simTime(): number {
    return this.cursor > 0 ? this.timeline.times[this.cursor - 1] : 0;
  }
  /** The drawdown halt, once it happened. */
  get halt(): RiskHalt | null {
    return this.haltRecord;
  }

  /** ContextHost: the step orders are submitted at. */
  get step(): number {
    return this.cursor;
  }
  /** ContextHost: time of the step being processed (for the strategy), else of the last processed one. */
  get time(): number {
    return this.running ? this.timeline.times[this.cursor] : this.simTime;
  }
  /** ContextHost: equity at the last mark to market (the previous step's point in onBar, this step's in onStep). */
  get lastEquity(): number {
    const i = this.stepMarked ? this.cursor : this.cursor - 1;
    return i >= 0 ? this.equityValues[i] : this.portfolio.initialCash;
  }
  get halted(): boolean {
    return this.haltRecord !== null;
  }

  /**
   * Runs up to `maxSteps` more timestamps; returns true when the run has reached its end.
   * Per block of steps: compute the block indicators for its bars, run the steps, then fold the
   * block's equity points into the metrics while they are still in cache.
   */
  advance(maxSteps = Infinity): boolean {
    const end = Math.min(this.timeline.steps, this.cursor + maxSteps);
    const single = this.timeline.single;
    this.running = true;
    try {
      while (this.cursor < end) {
        const begin = this.cursor;
        const blockEnd = Math.min(end, begin + this.blockSteps);
        if (this.blockIndicators.length > 0) this.computeBlockIndicators(begin, blockEnd);
        const exposed = single ? this.advanceSingle(begin, blockEnd) : this.advanceMerged(begin, blockEnd);
        this.metrics.addRange(this.timeline.times, this.equityValues, begin, blockEnd, exposed);
        this.cursor = blockEnd;
        this.broker.archiveFinished();
      }
    } finally {
      this.running = false;
    }
    return end >= this.timeline.steps;
  }

  /** Computes the block indicators for the bars of steps [begin, end), ahead of showing them. */
  private computeBlockIndicators(begin: number, end: number): void {
    if (this.timeline.single) {
      this.computeBars(0, end);
      return;
    }
    // Each symbol's bars in these steps follow on from those computed; find where they stop.
    const tl = this.timeline;
    const barsEnd = this.blockBarsEnd;
    barsEnd.set(this.computed);
    for (let j = tl.start[begin]; j < tl.start[end]; j++) barsEnd[tl.symbol[j]] = tl.bar[j] + 1;
    for (let s = 0; s < barsEnd.length; s++) this.computeBars(s, barsEnd[s]);
  }

  /** Block indicators of symbol s: computes bars [computed[s], to). */
  private computeBars(s: number, to: number): void {
    const from = this.computed[s];
    if (to <= from) return;
    const bars = this.series[s];
    for (const indicator of this.blockIndicators) indicator.updateBlock(s, bars, from, to);
    this.computed[s] = to;
  }

  /**
   * After step k's mark to market, for runs with a drawdown limit or an onStep: the limit, then
   * onStep. Returns false once the strategy is no longer to be called (halted). Runs with neither
   * never call it, so the plain loop pays one branch per step.
   */
  private afterMark(k: number, equity: number): boolean {
    if (this.haltDrawdown !== Infinity && this.haltRecord === null) {
      if (equity > this.peak) this.peak = equity;
      else if (1 - equity / this.peak >= this.haltDrawdown) this.haltNow(k, equity);
    }
    if (this.haltRecord !== null) return false;
    const onStep = this.instance.onStep;
    if (onStep !== undefined) {
      const v = this.stepView;
      v.time = this.timeline.times[k];
      v.index = k;
      if (this.timeline.single) {
        v.first = 0;
        v.count = 1;
      } else {
        v.first = this.timeline.start[k];
        v.count = this.timeline.start[k + 1] - v.first;
      }
      this.stepMarked = true;
      try {
        this.instance.onStep!(v);
      } finally {
        this.stepMarked = false;
      }
    }
    return true;
  }

  /** The drawdown limit is reached at step k: cancel every order, close every position at market, stop calling the strategy. */
  private haltNow(k: number, equity: number): void {
    const time = this.timeline.times[k];
    const drawdown = 1 - equity / this.peak;
    const limitPct = this.haltDrawdown * 100;
    const reason = `risk limit maxDrawdownPct ${fmt(limitPct)}: drawdown ${fmt(100 * drawdown)} % (equity ${fmt(equity)}, peak ${fmt(this.peak)}); positions closed, trading stopped`;
    this.haltRecord = { limit: 'maxDrawdownPct', time, step: k, equity, peak: this.peak, drawdown, reason };
    this.broker.cancelAll(time, reason);
    const pf = this.portfolio;
    for (let s = 0; s < pf.symbolCount; s++) {
      const q = pf.position[s];
      if (q === 0) continue;
      const close = this.broker.submit({ type: 'MARKET', symbol: s, side: q > 0 ? 'SELL' : 'BUY', quantity: Math.abs(q), tag: 'risk-halt' }, k, time);
      close.reason = reason; // why it was placed: the results show the halt through these orders
    }
    this.listener?.onHalt?.(this.haltRecord);
  }

  /**
   * The loop for one symbol: the same steps as advanceMerged with step k = bar k, minus the
   * timeline indirection. Kept separate because single-symbol runs are the common, hottest case.
   * Returns how many steps ended with an open position.
   */
  private advanceSingle(begin: number, end: number): number {
    const bars = this.series[0];
    const times = bars.time;
    const closes = bars.close;
    const broker = this.broker;
    const working = broker.workingCount;
    const portfolio = this.portfolio;
    const lastPrice = portfolio.lastPrice;
    const indicators = this.indicators;
    const indicatorCount = indicators.length;
    const clock = this.clock.bar;
    const instance = this.instance;
    const view = this.view;
    const equityValues = this.equityValues;
    let showBar = instance.onBar !== undefined && this.haltRecord === null;
    const afterMark = this.haltDrawdown !== Infinity || instance.onStep !== undefined;
    let exposed = 0;
    for (let k = begin; k < end; k++) {
      this.cursor = k;
      const time = times[k];
      if (time >= broker.nextExpiry) broker.expire(time);
      if (working[0] !== 0) {
        broker.match(0, bars, k, k);
        if (broker.deferredCount !== 0) broker.settleDeferred();
      }
      lastPrice[0] = closes[k];
      clock[0] = k;
      for (let n = 0; n < indicatorCount; n++) indicators[n].update(0, bars, k);
      if (showBar) {
        view.index = k;
        instance.onBar!(view);
      }
      const equity = portfolio.equity();
      equityValues[k] = equity;
      if (broker.fillCount !== this.fillsSeen) this.recordCash(k);
      if (portfolio.openPositions !== 0) exposed++;
      if (afterMark && !this.afterMark(k, equity)) showBar = false;
    }
    return exposed;
  }

  /**
   * The loop over a merged timeline of several symbols. Per step: match every symbol's orders (the
   * ones that did not fit the buying power at their turn after all others), then show each symbol's
   * bar. Returns how many steps ended with an open position.
   */
  private advanceMerged(begin: number, end: number): number {
    const tl = this.timeline;
    const times = tl.times;
    const start = tl.start;
    const symbolOf = tl.symbol;
    const barOf = tl.bar;
    const series = this.series;
    const broker = this.broker;
    const working = broker.workingCount;
    const portfolio = this.portfolio;
    const lastPrice = portfolio.lastPrice;
    const indicators = this.indicators;
    const indicatorCount = indicators.length;
    const clock = this.clock.bar;
    const instance = this.instance;
    const view = this.view;
    const equityValues = this.equityValues;
    let showBar = instance.onBar !== undefined && this.haltRecord === null;
    const afterMark = this.haltDrawdown !== Infinity || instance.onStep !== undefined;
    let exposed = 0;

    for (let k = begin; k < end; k++) {
      this.cursor = k;
      const time = times[k];
      if (time >= broker.nextExpiry) broker.expire(time);
      const first = start[k];
      const last = start[k + 1];
      for (let j = first; j < last; j++) {
        const s = symbolOf[j];
        if (working[s] !== 0) broker.match(s, series[s], barOf[j], k);
      }
      if (broker.deferredCount !== 0) broker.settleDeferred();
      for (let j = first; j < last; j++) {
        const s = symbolOf[j];
        const i = barOf[j];
        const bars = series[s];
        lastPrice[s] = bars.close[i];
        clock[s] = i;
        for (let n = 0; n < indicatorCount; n++) indicators[n].update(s, bars, i);
        if (showBar) {
          view.symbolIndex = s;
          view.index = i;
          instance.onBar!(view);
        }
      }
      const equity = portfolio.equity();
      equityValues[k] = equity;
      if (broker.fillCount !== this.fillsSeen) this.recordCash(k);
      if (portfolio.openPositions !== 0) exposed++;
      if (afterMark && !this.afterMark(k, equity)) showBar = false;
    }
    return exposed;
  }

  /** Step k had fills: its cash is the cash from k on. Kept out of the loops, which only compare counts. */
  private recordCash(k: number): void {
    this.fillsSeen = this.broker.fillCount;
    this.cashChanges.record(k, this.portfolio.cash);
  }

  /** The equity points computed so far (views, not copies; cash and drawdown columns on first read). */
  equityCurve(): EquityCurve {
    const n = this.cursor;
    return new RunEquityCurve(n, this.timeline.times.subarray(0, n), this.equityValues.subarray(0, n), this.cashChanges);
  }

  /**
   * Results so far: complete after the last step, partial when stopped early. Fills and round
   * trips are kept as columns; their objects are made when `fills` or `roundTrips` is first read.
   */
  result(): BacktestResult {
    const t = this.trips;
    const fillLog = this.broker.fills;
    const fillCount = fillLog.count;
    const tripCount = t.kept;
    const broker = this.broker;
    const orderCount = broker.orderCount;
    let orders: readonly Order[] | undefined;
    let fills: readonly Fill[] | undefined;
    let roundTrips: readonly RoundTrip[] | undefined;
    return {
      get orders() {
        return (orders ??= broker.allOrders(orderCount));
      },
      get fills() {
        return (fills ??= fillLog.toArray(0, fillCount));
      },
      get roundTrips() {
        return (roundTrips ??= t.trips(tripCount));
      },
      equity: this.equityCurve(),
      metrics: this.metrics.finish(
        { count: t.count, wins: t.wins, grossProfit: t.grossProfit, grossLoss: t.grossLoss },
        this.portfolio.totalCommission,
      ),
      barsProcessed: this.barsProcessed,
      partial: !this.done,
      halt: this.haltRecord,
    };
  }
}

/** Runs a backtest to the end in one call. */
export function runBacktest(config: BacktestConfig): BacktestResult {
  const bt = new Backtest(config);
  bt.advance();
  return bt.result();
}
