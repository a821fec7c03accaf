/**
 * analytics.*: every analytics figure of a 1,000,000-point run with about 10,000 round trips (the
 * e2e service fixture's synthetic minute bars, sma-crossover 12/70, the symbol itself as the
 * benchmark), read from the database and computed from scratch, against the e2e time of the same
 * run (mutation to COMPLETED with its results stored). Goal: analytics < 20 % of the e2e time.
 */
import type { BenchSection } from '../figure.js';
import { readRunAnalytics } from '../../src/analytics/load-run-analytics.js';
import { E2E_BARS, START_RUN, startService, type ServiceFixture } from '../service-fixture.js';

const INPUT = {
  strategy: 'sma-crossover',
  params: { fastPeriod: 12, slowPeriod: 70, quantity: 1 },
  dataset: 'bench',
  symbols: ['X'],
  period: 'MINUTE',
  benchmark: { symbol: 'X' },
};

/** Everything RunAnalytics offers, as a GraphQL query for it would ask. */
const ALL = `analytics {
  monthlyReturns { return } yearlyReturns { return } drawdowns(top: 5) { depth } rollingSharpe(window: 390, maxPoints: 500) { value }
  returnsHistogram(bins: 50) { count } calmar omega tailRatio valueAtRisk expectedShortfall skew kurtosis stabilityRSquared stabilitySlope
  averageLeverage maxLeverage turnover trades { sqn expectancy longestWinStreak } excursions { mae } benchmark { alpha beta correlation trackingError informationRatio }
}`;

async function runOnce(s: ServiceFixture): Promise<{ id: number; ms: number }> {
  const t0 = performance.now();
  const { runBacktest } = await s.gql<{ runBacktest: { id: string } }>(START_RUN, { input: INPUT });
  const id = Number(runBacktest.id);
  await s.built.jobs.activeRun(id)?.finished;
  const ms = performance.now() - t0;
  const run = await s.built.storage.getRun(id);
  if (run?.status !== 'COMPLETED') throw new Error(`run ${id} ended ${run?.status}: ${run?.error}`);
  return { id, ms };
}

export const run: BenchSection = async () => {
  const s = await startService();
  try {
    let e2e = Infinity;
    let id = 0;
    for (let round = 0; round < 2; round++) {
      const r = await runOnce(s);
      e2e = Math.min(e2e, r.ms);
      id = r.id;
    }
    const record = (await s.built.storage.getRun(id))!;

    // Cold, through the service: the first GraphQL query for the run's analytics.
    const t0 = performance.now();
    const viaApi = await s.gql<{ run: { analytics: { excursions: unknown[] } } }>(`query($id: ID!) { run(id: $id) { ${ALL} } }`, { id: String(id) });
    const apiMs = performance.now() - t0;
    const trips = viaApi.run.analytics.excursions.length;

    // In process, from the database, nothing cached: the cost of the analytics themselves.
    let computeMs = Infinity;
    for (let round = 0; round < 3; round++) {
      const t1 = performance.now();
      const a = (await readRunAnalytics(s.built.storage, record))!;
      void a.monthlyReturns;
      void a.yearlyReturns;
      a.drawdowns(5);
      a.rollingSharpe(390, 500);
      a.histogram(50);
      a.summary();
      void a.excursions;
      computeMs = Math.min(computeMs, performance.now() - t1);
      if (a.points !== E2E_BARS) throw new Error(`expected ${E2E_BARS} points, got ${a.points}`);
    }
    return [
      { name: 'analytics.roundTrips', value: trips, unit: 'round trips' },
      { name: 'analytics.e2eRunMs', value: e2e, unit: 'ms' },
      { name: 'analytics.computeMs', value: computeMs, unit: 'ms' },
      { name: 'analytics.computeToE2e', value: computeMs / e2e, unit: 'ratio (goal < 0.2)' },
      { name: 'analytics.graphqlColdMs', value: apiMs, unit: 'ms' },
      { name: 'analytics.graphqlColdToE2e', value: apiMs / e2e, unit: 'ratio' },
    ];
  } finally {
    await s.close();
  }
};
