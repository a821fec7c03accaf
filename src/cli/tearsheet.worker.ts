/**
 * The tearsheet thread of `backtest run` (tearsheet-thread.ts starts it): it gets the equity curve
 * as soon as the simulation has produced it and computes what depends on the curve alone (returns,
 * tail risk, moments, stability, drawdown episodes, calendar returns) while the main thread stores
 * the run; then the fills and round trips, and it renders the table or the JSON analytics. The same
 * RunAnalytics on the same numbers as the main thread would compute: the output is identical.
 * It reads no database: runs whose analytics need bars (a benchmark, long and short positions at
 * once) are analysed on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExposureFill } from '../analytics/exposure.js';
import { RunAnalytics } from '../analytics/run-analytics.js';
import type { RoundTrip } from '../engine/results.js';
import { analyticsJson, tearsheetTable } from './tearsheet.js';
import { fillsFromColumns, roundTripsFromColumns, type FromTearsheetThread, type TearsheetSettings, type ToTearsheetThread } from './tearsheet-messages.js';

const settings = workerData as TearsheetSettings;
const port = parentPort!;
let analytics: RunAnalytics | null = null;
let fills: readonly ExposureFill[] = [];
let roundTrips: readonly RoundTrip[] = [];

function analyticsOf(curve: { time: Float64Array; equity: Float64Array; cash: Float64Array }): RunAnalytics {
  return new RunAnalytics({
    curve: { length: curve.equity.length, ...curve },
    initialCash: settings.initialCash,
    periodsPerYear: settings.periodsPerYear,
    riskFreeRate: settings.riskFreeRate,
    // Set by the 'results' message, before anything that reads them is computed.
    roundTrips: () => roundTrips,
    fills: () => fills,
    bars: () => {
      throw new Error('the tearsheet thread has no bars (the main thread analyses runs that need them)');
    },
    benchmark: null,
  });
}

/** What depends on the curve alone, computed (and kept by RunAnalytics) before the fills arrive. */
function computeCurveStatistics(a: RunAnalytics): void {
  void a.tail;
  void a.omega;
  void a.moments;
  void a.stability;
  void a.calmar;
  void a.yearlyReturns;
  void a.monthlyReturns;
}

function handle(m: ToTearsheetThread): FromTearsheetThread | null {
  if (m.kind === 'curve') {
    analytics = analyticsOf(m);
    computeCurveStatistics(analytics);
    return null;
  }
  if (analytics === null || analytics.points !== m.points) throw new Error(`the tearsheet thread holds ${analytics?.points ?? 0} equity points, the run ${m.points}`);
  fills = fillsFromColumns(m.fills);
  roundTrips = roundTripsFromColumns(m.roundTrips, settings.symbols);
  return m.format === 'json' ? { kind: 'json', analytics: analyticsJson(analytics) } : { kind: 'table', text: tearsheetTable(analytics) };
}

port.on('message', (m: ToTearsheetThread) => {
  let reply: FromTearsheetThread | null;
  try {
    reply = handle(m);
  } catch (e) {
    reply = { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
  if (reply === null) return;
  port.postMessage(reply);
  port.close();
});
