/**
 * graphql.queryP99Ms: latency of a small query while both pool workers run backtests back to back;
 * the main thread must stay free for requests however busy the pool is.
 */
import type { BenchSection } from '../figure.js';
import { runToEnd, startService } from '../service-fixture.js';

const DURATION_MS = 4_000;

export const run: BenchSection = async () => {
  const s = await startService();
  try {
    let busy = true;
    let runsDone = 0;
    // Two loops of back-to-back runs keep both workers busy for the whole measurement.
    const keepBusy = async () => {
      while (busy) {
        await (await runToEnd(s)).finished;
        runsDone++;
      }
    };
    const loops = [keepBusy(), keepBusy()];
    await new Promise((r) => setTimeout(r, 300));
    const latencies: number[] = [];
    const until = performance.now() + DURATION_MS;
    while (performance.now() < until) {
      const t0 = performance.now();
      await s.gql(`{ strategies { id } runs(first: 1) { totalCount edges { node { status progress } } } }`);
      latencies.push(performance.now() - t0);
    }
    busy = false;
    await Promise.all(loops);
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return [
      { name: 'graphql.queryP50Ms', value: p(0.5), unit: 'ms' },
      { name: 'graphql.queryP99Ms', value: p(0.99), unit: 'ms' },
      { name: 'graphql.queries', value: latencies.length, unit: 'queries' },
      { name: 'graphql.backgroundRuns', value: runsDone, unit: 'runs' },
    ];
  } finally {
    await s.close();
  }
};
