/**
 * load.barsPerSec: stored bars -> typed arrays (loadBars of a whole 5M-bar instrument).
 * load.queryP99Ms: p99 latency of a small query (`{ strategies { id } }`, back to back) through a
 * real service while 500 WebSocket subscriptions (50 connections of 10) watch a heavy run with
 * runUpdates (status, progress and the latest equity, up to ten updates a second each;
 * sma-crossover 2/3 on 1,000,000 bars, ~370k fills and as many orders) and 50 more runs wait in the
 * queue behind it; from the first mutation until the last run has ended. (Each of 500 watchers also
 * taking every fill would be ~15 GB of WebSocket traffic: that is the subscribers section's case.)
 * load.runsPerMinute: runs completed per minute in that scenario (the heavy one and 50 of
 * sma-crossover 20/100 on the same 1,000,000 bars, on 2 pool threads).
 */
import { bestOf, type BenchSection, type Figure } from '../figure.js';
import { loadBars, writeBars } from '../../src/data/bar-store.js';
import { generateSyntheticBars } from '../../src/data/synthetic.js';
import { drain, E2E_INPUT, START_RUN, startService } from '../service-fixture.js';
import { withTempDb } from '../temp-db.js';

const BARS = 5_000_000;
const QUEUED = 50;
const CONNECTIONS = 50;
const SUBSCRIPTIONS_PER_CONNECTION = 10;
const HEAVY_INPUT = { ...E2E_INPUT, params: { fastPeriod: 2, slowPeriod: 3, quantity: 1 } };
const WATCH = `subscription($id: ID!) { runUpdates(id: $id) { seq status progress barsProcessed latestEquity { time equity } } }`;

export const run: BenchSection = async () => [...(await loadSpeed()), ...(await underLoad())];

function loadSpeed(): Promise<Figure[]> {
  return withTempDb(async (app) => {
    const key = { dataset: 'bench', symbol: 'X', period: 'MINUTE' } as const;
    writeBars(app, { ...key, series: generateSyntheticBars({ symbol: 'X', bars: BARS, period: 'MINUTE', seed: 1 }) });
    let loaded = 0;
    const ms = bestOf(3, () => {
      loaded = loadBars(app, key).length;
    });
    if (loaded !== BARS) throw new Error(`loaded ${loaded} bars, expected ${BARS}`);
    return [{ name: 'load.barsPerSec', value: BARS / (ms / 1000), unit: 'bars/s' }];
  });
}

async function underLoad(): Promise<Figure[]> {
  const s = await startService();
  try {
    const latencies: number[] = [];
    let stop = false;
    const probe = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await s.gql(`{ strategies { id } }`);
        latencies.push(performance.now() - t0);
      }
    })();
    const start = async (input: object) => (await s.gql<{ runBacktest: { id: string } }>(START_RUN, { input })).runBacktest.id;
    const clients = Array.from({ length: CONNECTIONS }, () => s.wsClient());
    const t0 = performance.now();
    const ids = [await start(HEAVY_INPUT)];
    const watched = Promise.all(clients.flatMap((c) => Array.from({ length: SUBSCRIPTIONS_PER_CONNECTION }, () => drain(c, WATCH, ids[0]!))));
    for (let k = 0; k < QUEUED; k++) ids.push(await start(E2E_INPUT));
    await Promise.all(ids.map((id) => s.built.jobs.activeRun(Number(id))?.finished));
    if ((await watched).some((w) => w.events === 0)) throw new Error('a subscriber received no update');
    const minutes = (performance.now() - t0) / 60_000;
    stop = true;
    await probe;
    const failed = await s.gql<{ runs: { totalCount: number } }>(`{ runs(status: FAILED) { totalCount } }`);
    if (failed.runs.totalCount > 0) throw new Error(`${failed.runs.totalCount} run(s) FAILED under load`);
    latencies.sort((a, b) => a - b);
    return [
      { name: 'load.queryP99Ms', value: latencies[Math.floor(0.99 * (latencies.length - 1))]!, unit: 'ms' },
      { name: 'load.runsPerMinute', value: ids.length / minutes, unit: 'runs/min' },
    ];
  } finally {
    await s.close();
  }
}
