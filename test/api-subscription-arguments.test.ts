/**
 * Subscriptions take their arguments however they are written: an inline literal (as the README and
 * GraphiQL examples write them), a variable of any name, a variable's default. Each form streams
 * exactly what the `$id` form streams, over WebSocket and over SSE.
 * (graphql-jit's own subscribe passed the variables as the field's arguments, so only a variable
 * named like the argument worked; src/schema/compiled-subscriptions-plugin.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILL_FIELDS, startServer, type FillView, type TestServer } from './support/test-server.js';

const START = `mutation { runBacktest(input: {
  strategy: "sma-crossover", params: { fastPeriod: 50, slowPeriod: 200, quantity: 10 },
  dataset: "demo", symbols: ["SPX"], period: DAY, commission: { perUnit: 0.005, minimumPerOrder: 1 }
}) { id } }`;

describe('subscription arguments', () => {
  let server: TestServer;
  let id: string;
  let expectedFills: FillView[];

  beforeAll(async () => {
    server = await startServer();
    id = (await server.gqlOk<{ runBacktest: { id: string } }>(START)).runBacktest.id;
    const byVariable = await server.subscribe<{ runFills: FillView }>(`subscription($id: ID!) { runFills(id: $id) { ${FILL_FIELDS} } }`, { id });
    expect(byVariable.errors).toEqual([]);
    expectedFills = byVariable.events.map((e) => e.runFills);
    expect(expectedFills.length).toBe(18); // the reference run's fills
  });
  afterAll(async () => {
    await server?.stop();
  });

  const forms = (runId: string) => [
    { name: 'an inline literal', query: `subscription { runFills(id: "${runId}") { ${FILL_FIELDS} } }`, variables: undefined },
    { name: 'a variable named unlike the argument', query: `subscription($run: ID!) { runFills(id: $run) { ${FILL_FIELDS} } }`, variables: { run: runId } },
    { name: "a variable's default", query: `subscription($run: ID = "${runId}") { runFills(id: $run) { ${FILL_FIELDS} } }`, variables: {} },
    { name: 'an integer literal', query: `subscription { runFills(id: ${runId}) { ${FILL_FIELDS} } }`, variables: undefined },
  ];

  it('runFills over WebSocket: every form streams the same fills', async () => {
    for (const form of forms(id)) {
      const got = await server.subscribe<{ runFills: FillView }>(form.query, form.variables);
      expect(got.errors, form.name).toEqual([]);
      expect(got.events.map((e) => e.runFills), form.name).toEqual(expectedFills);
    }
  });

  it('runFills over SSE: every form streams the same fills', async () => {
    for (const form of forms(id)) {
      const got = await server.subscribeSse<{ runFills: FillView }>(form.query, form.variables);
      expect(got.errors, form.name).toEqual([]);
      expect(got.events.map((e) => e.runFills), form.name).toEqual(expectedFills);
    }
  });

  it('runStatus and runEquity with literals, on both transports', async () => {
    for (const sub of [server.subscribe.bind(server), server.subscribeSse.bind(server)]) {
      const status = await sub<{ runStatus: { status: string; progress: number; run: { id: string } } }>(
        `subscription { runStatus(id: "${id}") { status progress run { id } } }`,
      );
      expect(status.errors).toEqual([]);
      expect(status.events.at(-1)?.runStatus).toEqual({ status: 'COMPLETED', progress: 1, run: { id } });
      const literal = await sub<{ runEquity: { time: string; equity: number } }>(`subscription { runEquity(id: "${id}") { time equity } }`);
      const variable = await sub<{ runEquity: { time: string; equity: number } }>(`subscription($id: ID!) { runEquity(id: $id) { time equity } }`, { id });
      expect(literal.errors).toEqual([]);
      expect(literal.events.length).toBeGreaterThan(1);
      expect(literal.events).toEqual(variable.events);
    }
  });

  it('an unknown id written inline is NOT_FOUND naming that id', async () => {
    const got = await server.subscribe(`subscription { runFills(id: "999999") { id } }`);
    expect(got.events).toEqual([]);
    expect(got.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(got.errors[0]?.message).toContain('999999');
  });

  it('sweepProgress with a literal id', async () => {
    const sweep = await server.gqlOk<{ runSweep: { id: string; total: number } }>(`mutation { runSweep(input: {
      strategy: "sma-crossover", dataset: "demo", symbols: ["SPX"], period: DAY, params: { quantity: 10 },
      grid: { fastPeriod: [10, 20], slowPeriod: [50, 100] }, objective: "sharpe", keepTop: 1
    }) { id total } }`);
    const got = await server.subscribe<{ sweepProgress: { status: string; completed: number; total: number } }>(
      `subscription { sweepProgress(id: "${sweep.runSweep.id}") { status completed total } }`,
    );
    expect(got.errors).toEqual([]);
    expect(got.events.at(-1)?.sweepProgress).toEqual({ status: 'COMPLETED', completed: 4, total: 4 });
  });
});
