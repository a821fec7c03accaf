/**
 * Ten runs at once on two pool threads, each watched by a runFills subscriber opened right after
 * its mutation returned (so some subscribe while queued, some while running, some after the end):
 * every subscriber gets exactly the stored fills, in order. A subscriber that arrives after the
 * run completed gets them replayed from storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFills, FILL_FIELDS, startServer, type FillView, type SubscriptionResult, type TestServer } from './support/test-server.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];

interface Spec {
  symbols: string[];
  start: string;
  end: string;
}

/** Ten inputs of different sizes: 1-4 symbols, 2-4 days of minute bars; the first one spans 45 days (several engine chunks). */
function specs(): Spec[] {
  const out: Spec[] = [{ symbols: ['AAA'], start: '2020-01-02', end: '2020-02-15' }];
  for (let i = 1; i < 10; i++) {
    const day = 1 + ((i * 7) % 100);
    const start = new Date(Date.UTC(2020, 0, 1) + day * 86_400_000);
    const end = new Date(start.getTime() + (1 + (i % 3)) * 86_400_000);
    out.push({ symbols: SYMBOLS.slice(0, 1 + (i % 4)), start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) });
  }
  return out;
}

describe('ten concurrent runs with live fill subscribers', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ workers: 2 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('streams every fill exactly once, in stored order, to subscribers opened right after each mutation', async () => {
    const runs: { id: string; spec: Spec; stream: Promise<SubscriptionResult<{ runFills: FillView }>> }[] = [];
    for (const spec of specs()) {
      const d = await server.gqlOk(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }`, {
        input: {
          strategy: 'sma-crossover',
          params: { fastPeriod: 5, slowPeriod: 20 },
          symbols: spec.symbols,
          period: 'MINUTE',
          dataset: 'synthetic',
          start: spec.start,
          end: spec.end,
          commission: { perUnit: 0.01, minimumPerOrder: 0.5 },
        },
      });
      const id: string = d.runBacktest.id;
      const stream = server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id }, { timeoutMs: 45_000 });
      runs.push({ id, spec, stream });
    }
    expect(new Set(runs.map((r) => r.id)).size).toBe(10);

    const results = await Promise.all(runs.map((r) => r.stream));

    const status = await server.gqlOk(`{ runs(first: 20) { totalCount edges { node { id status error barsProcessed progress } } } }`);
    expect(status.runs.totalCount).toBe(10);
    for (const e of status.runs.edges) expect(e.node, `run ${e.node.id}`).toMatchObject({ status: 'COMPLETED', error: null, progress: 1 });

    let total = 0;
    for (let i = 0; i < runs.length; i++) {
      const { id, spec } = runs[i]!;
      const result = results[i]!;
      expect(result.errors, `run ${id}`).toEqual([]);
      const streamed = result.events.map((e) => e.runFills);
      const stored = await allFills(server.gqlOk, id, 2000);
      // Many fills per run, so a lost or repeated batch shows.
      expect(stored.totalCount, `run ${id} fills`).toBeGreaterThan(100 * spec.symbols.length);
      expect(stored.fills).toHaveLength(stored.totalCount);
      expect(streamed.length, `run ${id}: streamed vs stored count`).toBe(stored.totalCount);
      expect(new Set(streamed.map((f) => f.id)).size, `run ${id}: duplicate fill ids`).toBe(streamed.length);
      expect(streamed, `run ${id}: streamed fills differ from stored`).toEqual(stored.fills);
      // Ids are scoped by the run and numbered in execution order without gaps.
      expect(streamed.map((f) => f.id)).toEqual(streamed.map((_, k) => `${id}:${k + 1}`));
      expect(new Set(streamed.map((f) => f.symbol))).toEqual(new Set(spec.symbols));
      for (let k = 1; k < streamed.length; k++) expect(Date.parse(streamed[k]!.time)).toBeGreaterThanOrEqual(Date.parse(streamed[k - 1]!.time));
      for (const f of streamed) {
        expect(f.time >= `${spec.start}T00:00:00.000Z` && f.time <= `${spec.end}T23:59:59.999Z`, `fill time ${f.time} outside ${spec.start}..${spec.end}`).toBe(true);
        expect(f.commission).toBeCloseTo(Math.max(0.5, 0.01 * f.quantity), 12);
      }
      total += streamed.length;
    }
    expect(total).toBeGreaterThan(3000);

    // A subscriber that arrives after the largest run completed gets its fills replayed from storage.
    const largest = runs[0]!.id;
    const late = await server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id: largest });
    expect(late.errors).toEqual([]);
    const stored = await allFills(server.gqlOk, largest, 2000);
    expect(late.events.map((e) => e.runFills)).toEqual(stored.fills);
  });
});
