/**
 * The pool thread's bar cache seen from the API: a run after the instrument's bars were replaced
 * simulates the new bars, not the cached ones; its result equals the engine run in-process on
 * those bars (the second implementation here is the engine without storage, pool or cache).
 * One pool thread, so every run goes through the same cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { PERIODS_PER_YEAR, runBacktest, smaCrossover, validateStrategyParams } from '../src/engine/index.js';
import type { BarSeries } from '../src/engine/bars.js';
import { startServer, waitFor, type TestServer } from './support/test-server.js';

const PARAMS = { fastPeriod: 5, slowPeriod: 20, quantity: 1 };
const RUN = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`;

describe('runs after bars are replaced (bar cache)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ workers: 1, seedDemo: false });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const bars = (seed: number) => generateSyntheticBars({ symbol: 'Q', bars: 20_000, period: 'MINUTE', seed });
  const put = (series: BarSeries, replace: boolean) => server.app.storage.writeBars({ dataset: 'cached', symbol: 'Q', period: 'MINUTE', series, replace });

  async function finalEquity(window: { start?: string } = {}): Promise<{ finalEquity: number; trades: number }> {
    const input = { strategy: 'sma-crossover', params: PARAMS, dataset: 'cached', symbols: ['Q'], period: 'MINUTE', ...window };
    const id = (await server.gqlOk<{ runBacktest: { id: string } }>(RUN, { input })).runBacktest.id;
    return waitFor(async () => {
      const d = await server.gqlOk<any>(`query($id: ID!) { run(id: $id) { status error metrics { finalEquity trades } } }`, { id });
      if (d.run.status === 'QUEUED' || d.run.status === 'RUNNING') return null;
      expect([d.run.status, d.run.error]).toEqual(['COMPLETED', null]);
      return d.run.metrics;
    });
  }

  function inProcess(series: BarSeries) {
    const checked = validateStrategyParams(smaCrossover, PARAMS);
    if (!checked.ok) throw new Error('params');
    const m = runBacktest({ series: [series], strategy: smaCrossover, params: checked.values, initialCash: 100_000, periodsPerYear: PERIODS_PER_YEAR.MINUTE }).metrics;
    return { finalEquity: m.finalEquity, trades: m.trades };
  }

  it('serves the replaced bars on the next run, whole or windowed', async () => {
    const first = bars(1);
    const second = bars(2);
    await put(first, false);
    const a = await finalEquity();
    expect(await finalEquity()).toEqual(a); // the same bars again (from the cache)
    expect(a).toEqual(inProcess(first));

    await put(second, true);
    const b = await finalEquity();
    expect(b).toEqual(inProcess(second));
    expect(b.finalEquity).not.toBe(a.finalEquity);

    // A window of the cached series: a run from the bar 10,000 on (start is a day: 2020-01-07).
    const from = Date.UTC(2020, 0, 7);
    const k = second.time.findIndex((t) => t >= from);
    const tail: BarSeries = { ...second, length: second.length - k, time: second.time.slice(k), open: second.open.slice(k), high: second.high.slice(k), low: second.low.slice(k), close: second.close.slice(k), volume: second.volume.slice(k) };
    expect(await finalEquity({ start: '2020-01-07' })).toEqual(inProcess(tail));
  });
});
