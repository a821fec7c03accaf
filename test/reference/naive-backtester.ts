/**
 * An independent, deliberately plain backtester for golden-master tests of the engine.
 *
 * Written from CONVENTIONS.md and the doc comments of the built-in strategies only; it imports
 * nothing from src/. Everything is plain arrays and loops, recomputed the obvious way:
 * indicators by direct windowed formulas over full arrays, orders in one list scanned every bar,
 * statistics in two passes over the finished equity curve. Speed does not matter here; being
 * easy to check by reading does.
 */

export type Side = 'BUY' | 'SELL';
export type NaiveOrderType = 'MARKET' | 'LIMIT' | 'STOP';
export type NaiveOrderStatus = 'PENDING' | 'FILLED' | 'CANCELLED';

export interface NaiveSeries {
  symbol: string;
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

export interface NaiveCommission {
  perUnit: number;
  minimumPerOrder: number;
  percentOfNotional: number;
}

export type NaiveStrategy =
  | { id: 'sma-crossover'; fastPeriod: number; slowPeriod: number; quantity: number; entry: 'MARKET' | 'LIMIT'; limitOffsetPct: number }
  | { id: 'rsi-reversion'; period: number; oversold: number; overbought: number; quantity: number }
  | { id: 'bollinger-breakout'; period: number; k: number; stopPct: number; quantity: number }
  | { id: 'buy-and-hold'; quantity: number };

export interface NaiveInput {
  series: NaiveSeries[];
  strategy: NaiveStrategy;
  initialCash: number;
  commission: NaiveCommission;
  slippageBps: number;
  periodsPerYear: number;
}

export interface NaiveOrder {
  id: number;
  symbolIndex: number;
  symbol: string;
  side: Side;
  type: NaiveOrderType;
  quantity: number;
  limitPrice: number | null;
  stopPrice: number | null;
  tag: string | null;
  status: NaiveOrderStatus;
  /** Timeline step at which it was submitted; it may fill from the next step on. */
  step: number;
}

export interface NaiveFill {
  orderId: number;
  symbol: string;
  barIndex: number;
  time: number;
  side: Side;
  quantity: number;
  price: number;
  commission: number;
}

export interface NaiveRoundTrip {
  symbol: string;
  side: Side;
  quantity: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  returnPct: number;
  bars: number;
}

export interface NaiveMetrics {
  finalEquity: number;
  totalReturn: number;
  cagr: number | null;
  volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  maxDrawdownDuration: number;
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  totalCommission: number;
  exposure: number;
}

export interface NaiveResult {
  orders: NaiveOrder[];
  fills: NaiveFill[];
  roundTrips: NaiveRoundTrip[];
  times: number[];
  equity: number[];
  cash: number[];
  metrics: NaiveMetrics;
}

// ---------------------------------------------------------------------------------------------
// Indicators: one full array per series, NaN during warm-up, each value from its own window.
// ---------------------------------------------------------------------------------------------

/** SMA(n)[t] = (close[t-n+1] + ... + close[t]) / n, summed afresh for every t. */
export function naiveSma(close: number[], n: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < close.length; t++) {
    if (t < n - 1) {
      out.push(NaN);
      continue;
    }
    let sum = 0;
    for (let j = t - n + 1; j <= t; j++) sum += close[j];
    out.push(sum / n);
  }
  return out;
}

/** Wilder RSI(n): averages seeded at t = n with the plain means of the changes at 1..n, then smoothed. */
export function naiveRsi(close: number[], n: number): number[] {
  const out: number[] = close.map(() => NaN);
  if (close.length <= n) return out;
  const gains: number[] = [0];
  const losses: number[] = [0];
  for (let t = 1; t < close.length; t++) {
    const change = close[t] - close[t - 1];
    gains.push(change > 0 ? change : 0);
    losses.push(change < 0 ? -change : 0);
  }
  let avgGain = 0;
  let avgLoss = 0;
  for (let t = 1; t <= n; t++) {
    avgGain += gains[t];
    avgLoss += losses[t];
  }
  avgGain /= n;
  avgLoss /= n;
  const rsi = (g: number, l: number): number => {
    if (l === 0) return g === 0 ? 50 : 100;
    return 100 - 100 / (1 + g / l);
  };
  out[n] = rsi(avgGain, avgLoss);
  for (let t = n + 1; t < close.length; t++) {
    avgGain = (avgGain * (n - 1) + gains[t]) / n;
    avgLoss = (avgLoss * (n - 1) + losses[t]) / n;
    out[t] = rsi(avgGain, avgLoss);
  }
  return out;
}

/** Bollinger(n, k): middle = SMA(n), bands = middle ± k × population standard deviation of the same closes. */
export function naiveBollinger(close: number[], n: number, k: number): { middle: number[]; upper: number[]; lower: number[] } {
  const middle: number[] = [];
  const upper: number[] = [];
  const lower: number[] = [];
  for (let t = 0; t < close.length; t++) {
    if (t < n - 1) {
      middle.push(NaN);
      upper.push(NaN);
      lower.push(NaN);
      continue;
    }
    const window = close.slice(t - n + 1, t + 1);
    const mean = window.reduce((a, b) => a + b, 0) / n;
    const variance = window.reduce((a, x) => a + (x - mean) * (x - mean), 0) / n;
    const sd = Math.sqrt(variance);
    middle.push(mean);
    upper.push(mean + k * sd);
    lower.push(mean - k * sd);
  }
  return { middle, upper, lower };
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

interface Lot {
  side: Side;
  price: number;
  time: number;
  barIndex: number;
  originalQuantity: number;
  commission: number;
  remaining: number;
}

export function runNaiveBacktest(input: NaiveInput): NaiveResult {
  const { series, strategy, commission: fees } = input;
  const symbolCount = series.length;

  // All timestamps of the run, each once, in time order.
  const allTimes: number[] = [];
  for (const s of series) for (const t of s.time) allTimes.push(t);
  const times = [...new Set(allTimes)].sort((a, b) => a - b);

  let cash = input.initialCash;
  const position: number[] = new Array(symbolCount).fill(0);
  const avgPrice: number[] = new Array(symbolCount).fill(0);
  const lastClose: number[] = new Array(symbolCount).fill(0);
  const nextBar: number[] = new Array(symbolCount).fill(0);
  const lots: Lot[][] = series.map(() => []);
  let totalCommission = 0;

  const orders: NaiveOrder[] = [];
  const fills: NaiveFill[] = [];
  const roundTrips: NaiveRoundTrip[] = [];
  const equityCurve: number[] = [];
  const cashCurve: number[] = [];
  let exposedPoints = 0;
  let step = 0;

  const submit = (
    symbolIndex: number,
    side: Side,
    type: NaiveOrderType,
    quantity: number,
    price: { limit?: number; stop?: number } = {},
    tag: string | null = null,
  ): number => {
    const order: NaiveOrder = {
      id: orders.length + 1,
      symbolIndex,
      symbol: series[symbolIndex].symbol,
      side,
      type,
      quantity,
      limitPrice: price.limit ?? null,
      stopPrice: price.stop ?? null,
      tag,
      status: 'PENDING',
      step,
    };
    orders.push(order);
    return order.id;
  };
  const cancel = (id: number): void => {
    const o = orders[id - 1];
    if (o.status === 'PENDING') o.status = 'CANCELLED';
  };
  const isPending = (id: number): boolean => id !== 0 && orders[id - 1].status === 'PENDING';

  const applyFill = (o: NaiveOrder, barIndex: number, time: number, price: number): void => {
    const s = o.symbolIndex;
    const q = o.quantity;
    const commission = Math.max(fees.minimumPerOrder, fees.perUnit * q) + (fees.percentOfNotional / 100) * q * price;
    o.status = 'FILLED';
    fills.push({ orderId: o.id, symbol: o.symbol, barIndex, time, side: o.side, quantity: q, price, commission });
    totalCommission += commission;

    if (o.side === 'BUY') cash = cash - q * price - commission;
    else cash = cash + q * price - commission;

    // Position and average entry price.
    const before = position[s];
    const delta = o.side === 'BUY' ? q : -q;
    const after = before + delta;
    const sameDirection = before === 0 || (before > 0 && delta > 0) || (before < 0 && delta < 0);
    if (sameDirection) {
      avgPrice[s] = (Math.abs(before) * avgPrice[s] + q * price) / Math.abs(after);
    } else if (after === 0) {
      avgPrice[s] = 0;
    } else if ((before > 0 && after < 0) || (before < 0 && after > 0)) {
      avgPrice[s] = price; // reversed: the remainder is opened at the fill price
    } // else: reduced, the average stays
    position[s] = after;

    // Round trips: FIFO against the open lots of the other side.
    let left = q;
    const queue = lots[s];
    while (left > 0 && queue.length > 0 && queue[0].side !== o.side) {
      const lot = queue[0];
      const matched = Math.min(left, lot.remaining);
      const entryShare = lot.commission * (matched / lot.originalQuantity);
      const exitShare = commission * (matched / q);
      const gross = lot.side === 'BUY' ? matched * (price - lot.price) : matched * (lot.price - price);
      const pnl = gross - entryShare - exitShare;
      roundTrips.push({
        symbol: o.symbol,
        side: lot.side,
        quantity: matched,
        entryTime: lot.time,
        exitTime: time,
        entryPrice: lot.price,
        exitPrice: price,
        pnl,
        returnPct: (pnl / (matched * lot.price)) * 100,
        bars: barIndex - lot.barIndex,
      });
      lot.remaining -= matched;
      left -= matched;
      if (lot.remaining <= 0) queue.shift();
    }
    if (left > 0) {
      queue.push({ side: o.side, price, time, barIndex, originalQuantity: left, commission: commission * (left / q), remaining: left });
    }
  };

  const slipped = (price: number, side: Side): number => {
    const f = input.slippageBps / 10_000;
    return side === 'BUY' ? price * (1 + f) : price * (1 - f);
  };

  /** Match the pending orders of symbol s against its bar i: market, then stop, then limit. */
  const matchBar = (s: number, i: number): void => {
    const bars = series[s];
    const open = bars.open[i];
    const high = bars.high[i];
    const low = bars.low[i];
    const candidates = orders.filter((o) => o.symbolIndex === s && o.status === 'PENDING' && o.step < step);
    for (const pass of ['MARKET', 'STOP', 'LIMIT'] as const) {
      for (const o of candidates) {
        if (o.type !== pass || o.status !== 'PENDING') continue;
        if (pass === 'MARKET') {
          applyFill(o, i, bars.time[i], slipped(open, o.side));
        } else if (pass === 'STOP') {
          const stop = o.stopPrice as number;
          if (o.side === 'BUY' && high >= stop) applyFill(o, i, bars.time[i], slipped(open > stop ? open : stop, 'BUY'));
          if (o.side === 'SELL' && low <= stop) applyFill(o, i, bars.time[i], slipped(open < stop ? open : stop, 'SELL'));
        } else {
          const limit = o.limitPrice as number;
          if (o.side === 'BUY' && low <= limit) applyFill(o, i, bars.time[i], open < limit ? open : limit);
          if (o.side === 'SELL' && high >= limit) applyFill(o, i, bars.time[i], open > limit ? open : limit);
        }
      }
    }
  };

  const onBar = makeStrategy(strategy, series, { submit, cancel, isPending, position: (s) => position[s], averagePrice: (s) => avgPrice[s] });

  for (step = 0; step < times.length; step++) {
    const time = times[step];
    for (let s = 0; s < symbolCount; s++) {
      const i = nextBar[s];
      if (i >= series[s].time.length || series[s].time[i] !== time) continue;
      nextBar[s] = i + 1;
      matchBar(s, i);
      lastClose[s] = series[s].close[i];
      onBar(s, i);
    }
    let equity = cash;
    let exposed = false;
    for (let s = 0; s < symbolCount; s++) {
      equity += position[s] * lastClose[s];
      if (position[s] !== 0) exposed = true;
    }
    equityCurve.push(equity);
    cashCurve.push(cash);
    if (exposed) exposedPoints++;
  }

  const metrics = computeMetrics({
    equity: equityCurve,
    times,
    initialCash: input.initialCash,
    periodsPerYear: input.periodsPerYear,
    roundTrips,
    totalCommission,
    exposedPoints,
  });
  return { orders, fills, roundTrips, times, equity: equityCurve, cash: cashCurve, metrics };
}

interface Broker {
  submit(symbolIndex: number, side: Side, type: NaiveOrderType, quantity: number, price?: { limit?: number; stop?: number }, tag?: string | null): number;
  cancel(id: number): void;
  isPending(id: number): boolean;
  position(s: number): number;
  averagePrice(s: number): number;
}

/** The four built-in strategies, restated from their documented rules. Returns onBar(symbol, barIndex). */
function makeStrategy(strategy: NaiveStrategy, series: NaiveSeries[], broker: Broker): (s: number, i: number) => void {
  const closes = series.map((x) => x.close);
  const entry: number[] = series.map(() => 0);

  switch (strategy.id) {
    case 'buy-and-hold': {
      // Buy `quantity` of every symbol at market on its first bar; hold.
      return (s, i) => {
        if (i === 0) broker.submit(s, 'BUY', 'MARKET', strategy.quantity);
      };
    }

    case 'sma-crossover': {
      const fast = closes.map((c) => naiveSma(c, strategy.fastPeriod));
      const slow = closes.map((c) => naiveSma(c, strategy.slowPeriod));
      return (s, i) => {
        // both SMAs must exist at t-1 and t (the slow one is the later)
        if (i < 1 || Number.isNaN(slow[s][i - 1])) return;
        if (!broker.isPending(entry[s])) entry[s] = 0;
        const crossUp = fast[s][i - 1] <= slow[s][i - 1] && fast[s][i] > slow[s][i];
        const crossDown = fast[s][i - 1] >= slow[s][i - 1] && fast[s][i] < slow[s][i];
        if (crossUp) {
          if (broker.position(s) === 0 && entry[s] === 0) {
            if (strategy.entry === 'MARKET') {
              entry[s] = broker.submit(s, 'BUY', 'MARKET', strategy.quantity);
            } else {
              const limit = closes[s][i] * (1 - strategy.limitOffsetPct / 100);
              entry[s] = broker.submit(s, 'BUY', 'LIMIT', strategy.quantity, { limit }, 'entry');
            }
          }
        } else if (crossDown) {
          if (entry[s] !== 0) {
            broker.cancel(entry[s]);
            entry[s] = 0;
          }
          const pos = broker.position(s);
          if (pos > 0) broker.submit(s, 'SELL', 'MARKET', pos);
        }
      };
    }

    case 'rsi-reversion': {
      const rsi = closes.map((c) => naiveRsi(c, strategy.period));
      return (s, i) => {
        if (i < 1 || Number.isNaN(rsi[s][i - 1])) return;
        const prev = rsi[s][i - 1];
        const now = rsi[s][i];
        if (!broker.isPending(entry[s])) entry[s] = 0;
        if (prev >= strategy.oversold && now < strategy.oversold) {
          // crosses below oversold: buy while flat with no working entry
          if (broker.position(s) === 0 && entry[s] === 0) entry[s] = broker.submit(s, 'BUY', 'MARKET', strategy.quantity);
        } else if (prev <= strategy.overbought && now > strategy.overbought) {
          // crosses above overbought: sell the whole long position
          const pos = broker.position(s);
          if (pos > 0) broker.submit(s, 'SELL', 'MARKET', pos);
        }
      };
    }

    case 'bollinger-breakout': {
      const bands = closes.map((c) => naiveBollinger(c, strategy.period, strategy.k));
      const stop: number[] = series.map(() => 0);
      return (s, i) => {
        const { middle, upper, lower } = bands[s];
        if (Number.isNaN(middle[i])) return;
        const close = closes[s][i];
        if (!broker.isPending(entry[s])) entry[s] = 0;
        if (!broker.isPending(stop[s])) stop[s] = 0;
        const pos = broker.position(s);
        if (pos === 0) {
          // flat: drop a leftover protective stop; enter on a close outside the bands
          if (stop[s] !== 0) {
            broker.cancel(stop[s]);
            stop[s] = 0;
          }
          if (entry[s] !== 0) return;
          if (close > upper[i]) entry[s] = broker.submit(s, 'BUY', 'MARKET', strategy.quantity);
          else if (close < lower[i]) entry[s] = broker.submit(s, 'SELL', 'MARKET', strategy.quantity);
          return;
        }
        const isLong = pos > 0;
        const backToMiddle = isLong ? close <= middle[i] : close >= middle[i];
        if (backToMiddle) {
          if (stop[s] !== 0) broker.cancel(stop[s]);
          stop[s] = 0;
          broker.submit(s, isLong ? 'SELL' : 'BUY', 'MARKET', Math.abs(pos));
          return;
        }
        if (stop[s] === 0) {
          const avg = broker.averagePrice(s);
          const stopPrice = isLong ? avg * (1 - strategy.stopPct / 100) : avg * (1 + strategy.stopPct / 100);
          stop[s] = broker.submit(s, isLong ? 'SELL' : 'BUY', 'STOP', Math.abs(pos), { stop: stopPrice }, 'stop');
        }
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics, two passes over the finished curve.
// ---------------------------------------------------------------------------------------------

function computeMetrics(a: {
  equity: number[];
  times: number[];
  initialCash: number;
  periodsPerYear: number;
  roundTrips: NaiveRoundTrip[];
  totalCommission: number;
  exposedPoints: number;
}): NaiveMetrics {
  const { equity, times, initialCash } = a;
  const points = equity.length;
  const finalEquity = points > 0 ? equity[points - 1] : initialCash;

  const returns: number[] = [];
  for (let t = 1; t < points; t++) returns.push(equity[t] / equity[t - 1] - 1);
  const n = returns.length;
  const root = Math.sqrt(a.periodsPerYear);

  let mean = 0;
  for (const r of returns) mean += r;
  mean = n > 0 ? mean / n : 0;

  let stdev: number | null = null;
  if (n >= 2) {
    let ss = 0;
    for (const r of returns) ss += (r - mean) * (r - mean);
    stdev = Math.sqrt(ss / (n - 1));
  }
  let downSquares = 0;
  for (const r of returns) if (r < 0) downSquares += r * r;
  const downside = n > 0 ? Math.sqrt(downSquares / n) : 0;

  const days = points > 1 ? (times[points - 1] - times[0]) / 86_400_000 : 0;

  let peak = -Infinity;
  let maxDrawdown = 0;
  let run = 0;
  let longest = 0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    if (e < peak) {
      run++;
      longest = Math.max(longest, run);
    } else {
      run = 0;
    }
  }

  const trades = a.roundTrips.length;
  let wins = 0;
  let profit = 0;
  let loss = 0;
  for (const t of a.roundTrips) {
    if (t.pnl > 0) {
      wins++;
      profit += t.pnl;
    } else if (t.pnl < 0) {
      loss += -t.pnl;
    }
  }

  return {
    finalEquity,
    totalReturn: finalEquity / initialCash - 1,
    cagr: days > 0 ? (finalEquity / initialCash) ** (365.25 / days) - 1 : null,
    volatility: stdev === null ? null : stdev * root,
    sharpe: stdev === null || stdev === 0 ? null : (mean / stdev) * root,
    sortino: downside === 0 ? null : (mean / downside) * root,
    maxDrawdown,
    maxDrawdownDuration: longest,
    trades,
    winRate: trades === 0 ? null : wins / trades,
    profitFactor: loss === 0 ? null : profit / loss,
    totalCommission: a.totalCommission,
    exposure: points === 0 ? 0 : a.exposedPoints / points,
  };
}
