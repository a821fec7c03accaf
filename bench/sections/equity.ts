/** equity.writeReadMs: finishRun storing a 1,000,000-point equity curve, then getEquityCurve reading it back. */
import { bestOf, type BenchSection } from '../figure.js';
import type { BacktestResult } from '../../src/engine/results.js';
import { createRun, finishRun, getEquityCurve } from '../../src/data/run-store.js';
import { withTempDb } from '../temp-db.js';

const POINTS = 1_000_000;

function resultWithCurve(): BacktestResult {
  const time = new Float64Array(POINTS);
  const equity = new Float64Array(POINTS);
  const cash = new Float64Array(POINTS);
  const drawdown = new Float64Array(POINTS);
  let peak = 0;
  for (let i = 0; i < POINTS; i++) {
    time[i] = Date.UTC(2020, 0, 1) + i * 60_000;
    equity[i] = 100_000 + 5_000 * Math.sin(i / 5_000) + i * 0.01;
    cash[i] = 50_000;
    peak = Math.max(peak, equity[i]!);
    drawdown[i] = (peak - equity[i]!) / peak;
  }
  return {
    orders: [],
    fills: [],
    roundTrips: [],
    equity: { length: POINTS, time, equity, cash, drawdown },
    metrics: {
      finalEquity: equity[POINTS - 1]!, totalReturn: 0, cagr: null, volatility: null, sharpe: null, sortino: null,
      maxDrawdown: 0, maxDrawdownDuration: 0, trades: 0, winRate: null, profitFactor: null, totalCommission: 0, exposure: 0,
    },
    barsProcessed: POINTS,
    partial: false,
  };
}

export const run: BenchSection = () =>
  withTempDb(async (app) => {
    const result = resultWithCurve();
    const { id } = createRun(app, {
      strategy: 'bench', params: {}, symbols: ['X'], dataset: 'bench', period: 'MINUTE', initialCash: 100_000,
      commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0,
    });
    let points = 0;
    const ms = bestOf(3, () => {
      finishRun(app, id, { status: 'COMPLETED', result });
      points = getEquityCurve(app, id)!.length;
    });
    if (points !== POINTS) throw new Error(`read ${points} points, expected ${POINTS}`);
    return [{ name: 'equity.writeReadMs', value: ms, unit: 'ms' }];
  });
