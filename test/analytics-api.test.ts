/**
 * BacktestRun.analytics through a real server (HTTP, the Piscina pool, a SQLite file): the
 * reference run with SPX as its benchmark, checked against what the test computes itself from the
 * S&P 500 bars and from the run's own results read through GraphQL; the benchmark and
 * riskFreeRate inputs with their errors; RoundTrip.return and EquityPoint.benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference, loadSp500 } from './support/sp500.js';
import { startServer, waitFor, type TestServer } from './support/test-server.js';

const ref = loadReference();
const bars = loadSp500();
const INPUT = { strategy: 'sma-crossover', params: ref.input.params, symbols: ['SPX'], period: 'DAY', dataset: 'demo', initialCash: ref.input.initialCash, commission: ref.input.commission };

const ANALYTICS = `
  riskFreeRate
  monthlyReturns { year month return partial }
  yearlyReturns { year return partial }
  drawdowns(top: 3) { peakTime troughTime recoveryTime depth lengthBars recoveryBars }
  rollingSharpe(window: 252, maxPoints: 50) { time value }
  returnsHistogram(bins: 10) { lower upper count }
  calmar omega tailRatio valueAtRisk expectedShortfall skew kurtosis stabilityRSquared stabilitySlope averageLeverage maxLeverage turnover
  trades { trades wins losses averagePnl bestPnl worstPnl averageReturn bestReturn worstReturn averageWin averageLoss
           averageWinReturn averageLossReturn expectancy sqn averageBars averageBarsWinners averageBarsLosers longestWinStreak longestLossStreak }
  excursions { symbol entryTime exitTime mae mfe maeReturn mfeReturn }
  benchmark { dataset symbol totalReturn cagr alpha beta correlation trackingError informationRatio }`;

function near(actual: number | null | undefined, expected: number, tol = 1e-9) {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function runToEnd(server: TestServer, input: Record<string, unknown>): Promise<string> {
  const { runBacktest } = await server.gqlOk<{ runBacktest: { id: string } }>(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`, { input });
  const ended = await waitFor(async () => {
    const { run } = await server.gqlOk<{ run: { status: string; error: string | null } }>(`query($id: ID!) { run(id: $id) { status error } }`, { id: runBacktest.id });
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.status) ? run : null;
  }, { what: `run ${runBacktest.id} to end`, timeoutMs: 60_000 });
  if (ended.status !== 'COMPLETED') throw new Error(`run ${runBacktest.id} ended ${ended.status}: ${ended.error}`);
  return runBacktest.id;
}

describe('analytics of the reference run with SPX as the benchmark, over HTTP', () => {
  let server: TestServer;
  let id: string;
  let run: any;

  beforeAll(async () => {
    server = await startServer();
    id = await runToEnd(server, { ...INPUT, benchmark: { symbol: 'SPX' } });
    // Three queries: each stays under the service's query cost limit.
    const q = async (fields: string) => (await server.gqlOk<{ run: any }>(`query($id: ID!) { run(id: $id) { ${fields} } }`, { id })).run;
    run = {
      ...(await q(`metrics { totalReturn maxDrawdown maxDrawdownDuration sharpe cagr trades }
        exportUrls { fillsCsv fillsJson ordersCsv roundTripsJson equityCsv equityJson } analytics { ${ANALYTICS} }`)),
      ...(await q('roundTrips { symbol side quantity entryTime exitTime entryPrice exitPrice pnl return returnPct bars }')),
      ...(await q('equityCurve { time equity cash benchmark }')),
    };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('monthly and yearly returns compound to totalReturn (1e-9)', () => {
    const a = run.analytics;
    near(a.monthlyReturns.reduce((g: number, m: { return: number }) => g * (1 + m.return), 1) - 1, run.metrics.totalReturn, 1e-9);
    near(a.yearlyReturns.reduce((g: number, y: { return: number }) => g * (1 + y.return), 1) - 1, run.metrics.totalReturn, 1e-9);
    expect(a.monthlyReturns[0]).toMatchObject({ year: 2000, month: 1, partial: true });
    expect(a.monthlyReturns.at(-1)).toMatchObject({ year: 2020, month: 4, partial: true });
    expect(a.yearlyReturns.map((y: { year: number }) => y.year)).toEqual(Array.from({ length: 21 }, (_, i) => 2000 + i));
  });

  it('drawdown episode 1 is maxDrawdown at the dates of the deepest point of the curve', () => {
    const [first] = run.analytics.drawdowns;
    expect(first.depth).toBe(run.metrics.maxDrawdown);
    const eq: { time: string; equity: number }[] = run.equityCurve;
    let peak = 0;
    let deepest = { t: 0, dd: 0, peak: 0 };
    eq.forEach((p, t) => {
      if (p.equity >= eq[peak].equity) peak = t;
      const dd = 1 - p.equity / eq[peak].equity;
      if (dd > deepest.dd) deepest = { t, dd, peak };
    });
    expect(first.troughTime).toBe(eq[deepest.t].time);
    expect(first.peakTime).toBe(eq[deepest.peak].time);
    expect(run.analytics.drawdowns).toHaveLength(3);
    expect(run.analytics.drawdowns[1].depth).toBeLessThanOrEqual(first.depth);
  });

  it('beta and correlation equal a regression of the daily returns on SPX close-to-close returns (1e-9)', () => {
    const eq: { equity: number }[] = run.equityCurve;
    const r = eq.slice(1).map((p, i) => p.equity / eq[i].equity - 1);
    const x = Array.from({ length: bars.length - 1 }, (_, i) => bars.close[i + 1] / bars.close[i] - 1);
    const mx = avg(x);
    const my = avg(r);
    const sxy = x.reduce((s, v, i) => s + (v - mx) * (r[i] - my), 0);
    const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
    const syy = r.reduce((s, v) => s + (v - my) ** 2, 0);
    const b = run.analytics.benchmark;
    expect([b.dataset, b.symbol]).toEqual(['demo', 'SPX']);
    near(b.beta, sxy / sxx, 1e-9);
    near(b.correlation, sxy / Math.sqrt(sxx * syy), 1e-9);
    near(b.alpha, (my - (sxy / sxx) * mx) * 252, 1e-9);
    near(b.totalReturn, bars.close[bars.length - 1] / bars.close[0] - 1, 1e-12);
  });

  it('EquityPoint.benchmark is buy-and-hold of SPX with the initial cash, also on a downsampled curve', async () => {
    const eq: { benchmark: number }[] = run.equityCurve;
    eq.forEach((p, t) => near(p.benchmark, (ref.input.initialCash * bars.close[t]) / bars.close[0], 1e-12));
    const { run: small } = await server.gqlOk(`query($id: ID!) { run(id: $id) { equityCurve(maxPoints: 20) { time benchmark } } }`, { id });
    for (const p of small.equityCurve) {
      const t = Array.from(bars.time).indexOf(Date.parse(p.time));
      near(p.benchmark, (ref.input.initialCash * bars.close[t]) / bars.close[0], 1e-12);
    }
  });

  it('RoundTrip.return is a fraction (returnPct / 100); trade statistics from the round trips', () => {
    const trips: { pnl: number; return: number; returnPct: number; quantity: number; entryPrice: number; bars: number }[] = run.roundTrips;
    trips.forEach((t) => near(t.return, t.pnl / (t.quantity * t.entryPrice), 1e-15));
    trips.forEach((t) => near(t.return * 100, t.returnPct, 1e-12));
    const s = run.analytics.trades;
    const pnl = trips.map((t) => t.pnl);
    expect(s.trades).toBe(run.metrics.trades);
    near(s.averagePnl, avg(pnl));
    near(s.averageReturn, avg(trips.map((t) => t.return)));
    expect(s.bestPnl).toBe(Math.max(...pnl));
    expect(s.worstPnl).toBe(Math.min(...pnl));
    const sd = Math.sqrt(pnl.reduce((acc, p) => acc + (p - avg(pnl)) ** 2, 0) / (pnl.length - 1));
    near(s.sqn, (Math.sqrt(Math.min(100, pnl.length)) * avg(pnl)) / sd);
    expect(run.analytics.excursions).toHaveLength(trips.length);
    expect(run.analytics.excursions.every((x: { mae: number; mfe: number }) => x.mae >= 0 && x.mfe >= 0)).toBe(true);
  });

  it('leverage of this long-only run is (equity - cash) / equity; the other figures are numbers', () => {
    const eq: { equity: number; cash: number }[] = run.equityCurve;
    near(run.analytics.maxLeverage, Math.max(...eq.map((p) => (p.equity - p.cash) / p.equity)), 1e-9);
    for (const f of ['calmar', 'omega', 'tailRatio', 'valueAtRisk', 'expectedShortfall', 'skew', 'kurtosis', 'stabilityRSquared', 'stabilitySlope', 'averageLeverage', 'turnover']) {
      expect(typeof run.analytics[f], f).toBe('number');
    }
    near(run.analytics.calmar, run.metrics.cagr / run.metrics.maxDrawdown, 1e-9);
    expect(run.analytics.rollingSharpe.length).toBeLessThanOrEqual(50);
    expect(run.analytics.returnsHistogram.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(run.equityCurve.length - 1);
    expect(run.analytics.riskFreeRate).toBe(0);
  });

  it('exportUrls are the download paths of this run', () => {
    expect(run.exportUrls).toEqual({
      fillsCsv: `/runs/${id}/fills.csv`, fillsJson: `/runs/${id}/fills.json`, ordersCsv: `/runs/${id}/orders.csv`,
      roundTripsJson: `/runs/${id}/round-trips.json`, equityCsv: `/runs/${id}/equity.csv`, equityJson: `/runs/${id}/equity.json`,
    });
  });

  it('bad analytics arguments are BAD_USER_INPUT naming the argument', async () => {
    for (const [field, arg] of [['drawdowns(top: 0) { depth }', 'top'], ['rollingSharpe(window: 1) { value }', 'window'], ['returnsHistogram(bins: 5000) { count }', 'bins'], ['rollingSharpe(window: 20, maxPoints: 1) { value }', 'maxPoints']]) {
      const r = await server.gql(`query($id: ID!) { run(id: $id) { analytics { ${field} } } }`, { id });
      expect(r.errors?.[0]?.extensions?.code, field).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message.startsWith(`${arg}: must be`), r.errors?.[0]?.message).toBe(true);
    }
  });

  it('a run without a benchmark: analytics.benchmark and EquityPoint.benchmark are null; riskFreeRate moves Sharpe', async () => {
    const plain = await runToEnd(server, { ...INPUT, riskFreeRate: 0.02 });
    const { run: r } = await server.gqlOk(`query($id: ID!) { run(id: $id) {
      metrics { sharpe sortino } equityCurve(maxPoints: 10) { benchmark } analytics { riskFreeRate benchmark { beta } } } }`, { id: plain });
    expect(r.analytics.benchmark).toBeNull();
    expect(r.analytics.riskFreeRate).toBe(0.02);
    expect(r.equityCurve.every((p: { benchmark: number | null }) => p.benchmark === null)).toBe(true);
    const eq: { equity: number }[] = run.equityCurve;
    const ret = eq.slice(1).map((p, i) => p.equity / eq[i].equity - 1);
    const rfp = Math.pow(1.02, 1 / 252) - 1;
    const m = avg(ret);
    const sd = Math.sqrt(ret.reduce((s, x) => s + (x - m) ** 2, 0) / (ret.length - 1));
    near(r.metrics.sharpe, ((m - rfp) / sd) * Math.sqrt(252), 1e-9);
    near(r.metrics.sortino, ((m - rfp) / Math.sqrt(ret.reduce((s, x) => s + Math.min(0, x - rfp) ** 2, 0) / ret.length)) * Math.sqrt(252), 1e-9);
  });

  it("loadBarColumns reads the time, high, low and close of loadBars' range, and nothing else", async () => {
    const storage = server.app.storage;
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    const ranges: { dataset: string; symbol: string; period: 'DAY' | 'MINUTE'; from?: number; to?: number }[] = [
      { dataset: 'demo', symbol: 'SPX', period: 'DAY' },
      { dataset: 'demo', symbol: 'SPX', period: 'DAY', from: day('2008-09-15'), to: day('2009-03-10') },
      { dataset: 'demo', symbol: 'SPX', period: 'DAY', from: day('2030-01-01') },
      { dataset: 'synthetic', symbol: 'AAA', period: 'MINUTE', from: 0 },
      { dataset: 'synthetic', symbol: 'BBB', period: 'MINUTE', to: Date.UTC(2020, 0, 3) },
    ];
    // Across chunk boundaries (65,536 bars a chunk): from inside the 2nd chunk to inside the 4th.
    const aaa = await storage.loadBars({ dataset: 'synthetic', symbol: 'AAA', period: 'MINUTE' });
    ranges.push({ dataset: 'synthetic', symbol: 'AAA', period: 'MINUTE', from: aaa.time[70_000] + 1, to: aaa.time[200_000] });
    for (const r of ranges) {
      const full = await storage.loadBars(r);
      const cols = await storage.loadBarColumns(r);
      expect(cols.length).toBe(full.length);
      for (const c of ['time', 'high', 'low', 'close'] as const) expect(Buffer.from(cols[c].buffer).equals(Buffer.from(full[c].buffer)), c).toBe(true);
      expect([cols.open.length, cols.volume.length]).toEqual([0, 0]);
    }
    expect((await storage.loadBarColumns({ dataset: 'demo', symbol: 'NOPE', period: 'DAY' })).length).toBe(0);
  });

  it("a sweep's benchmark and riskFreeRate reach its ranking and its best runs", async () => {
    const { runSweep } = await server.gqlOk<{ runSweep: { id: string } }>(`mutation($input: RunSweepInput!) { runSweep(input: $input) { id } }`, {
      input: {
        strategy: 'sma-crossover', dataset: 'demo', symbols: ['SPX'], period: 'DAY', params: { quantity: 10 },
        grid: { fastPeriod: [20, 50], slowPeriod: [200] }, objective: 'sharpe', keepTop: 1,
        benchmark: { symbol: 'SPX' }, riskFreeRate: 0.03,
      },
    });
    const sweep = await waitFor(async () => {
      const { sweep: s } = await server.gqlOk<{ sweep: any }>(`query($id: ID!) { sweep(id: $id) { status best { objectiveValue run { status } runId } } }`, { id: runSweep.id });
      return s.status !== 'RUNNING' && s.status !== 'QUEUED' && s.best?.run?.status === 'COMPLETED' ? s : null;
    }, { what: 'the sweep and its best run', timeoutMs: 60_000 });
    const { run: best } = await server.gqlOk(`query($id: ID!) { run(id: $id) { metrics { sharpe } analytics { riskFreeRate benchmark { symbol beta } } } }`, { id: sweep.best.runId });
    expect(best.analytics.riskFreeRate).toBe(0.03);
    expect(best.analytics.benchmark.symbol).toBe('SPX');
    // The sweep ranked by the same excess-return Sharpe its best run reports.
    near(sweep.best.objectiveValue, best.metrics.sharpe, 1e-12);
  });

  it('bad benchmark and riskFreeRate inputs are refused, naming the field; nothing is stored', async () => {
    const before = (await server.gqlOk<{ runs: { totalCount: number } }>(`{ runs { totalCount } }`)).runs.totalCount;
    const cases: [Record<string, unknown>, string][] = [
      [{ benchmark: { symbol: 'NOPE' } }, 'input.benchmark.symbol: no DAY bars for NOPE in dataset demo'],
      [{ benchmark: { symbol: 'SPX', dataset: 'nowhere' } }, 'input.benchmark.dataset: unknown dataset'],
      [{ benchmark: { symbol: 'bad symbol!' } }, 'input.benchmark.symbol: must be'],
      [{ riskFreeRate: 5 }, 'input.riskFreeRate: must be a number from -0.1 to 1, got 5'],
    ];
    for (const [extra, message] of cases) {
      const r = await server.gql(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`, { input: { ...INPUT, ...extra } });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toContain(message);
    }
    expect((await server.gqlOk<{ runs: { totalCount: number } }>(`{ runs { totalCount } }`)).runs.totalCount).toBe(before);
  });
});
