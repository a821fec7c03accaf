/**
 * Every GraphQL operation in README.md and in GraphiQL's default document, executed as written (its
 * own source text, literals and all) against a real server, in document order so that each runs
 * after the operations it depends on (the run and the sweep the examples start get id "1").
 * Queries and mutations go over HTTP, subscriptions over WebSocket and SSE. Each must answer
 * without errors and with plausible data; all README blocks together must also be one valid document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_DEFAULT_DOCUMENT } from '../src/graphiql-document.js';
import { loadReference } from './support/sp500.js';
import { REPO_ROOT, startServer, type TestServer } from './support/test-server.js';

interface Operation {
  readonly name: string;
  readonly kind: OperationDefinitionNode['operation'];
  /** The operation's own text, exactly as written in the document. */
  readonly source: string;
}

/** The fenced ```graphql blocks of a Markdown file. */
function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function operationsOf(document: string): Operation[] {
  return parse(document).definitions.map((d) => {
    if (d.kind !== 'OperationDefinition' || !d.name || !d.loc) throw new Error('every example is a named operation');
    return { name: d.name.value, kind: d.operation, source: document.slice(d.loc.start, d.loc.end) };
  });
}

const reference = loadReference();
const finalEquity = reference.metrics.finalEquity as number;

/** What each named example must answer, beyond "no errors". */
const plausible: Record<string, (data: any) => void> = {
  Strategies: (d) => {
    const sma = d.strategies.find((s: any) => s.id === 'sma-crossover');
    expect(sma.params.find((p: any) => p.name === 'fastPeriod')).toMatchObject({ intDefault: expect.any(Number) });
    expect(d.datasets.map((s: any) => s.id)).toContain('demo');
  },
  Start: (d) => expect(d.runBacktest).toMatchObject({ id: '1', status: expect.stringMatching(/QUEUED|RUNNING|COMPLETED/) }),
  Fills: (events: any[]) => expect(events.length).toBe(reference.fills.length),
  Status: (events: any[]) => expect(events.at(-1).runStatus).toMatchObject({ status: 'COMPLETED', progress: 1 }),
  Equity: (events: any[]) => expect(events.at(-1).runEquity.equity).toBeCloseTo(finalEquity, 6),
  Updates: (events: any[]) => {
    expect(events.flatMap((e) => e.runUpdates.fills)).toHaveLength(reference.fills.length);
    expect(events.at(-1).runUpdates).toMatchObject({ status: 'COMPLETED', progress: 1 });
    expect(events.at(-1).runUpdates.latestEquity.equity).toBeCloseTo(finalEquity, 6);
  },
  Results: (d) => {
    if (d.run) {
      expect(d.run.status).toBe('COMPLETED');
      expect(d.run.metrics.finalEquity).toBeCloseTo(finalEquity, 6);
      expect(d.run.fills.totalCount).toBe(reference.fills.length);
      expect(d.run.equityCurve.length).toBeGreaterThan(2);
    } else {
      expect(d.runs.edges.map((e: any) => e.node.status)).toContain('COMPLETED');
    }
  },
  Tearsheet: (d) => {
    const a = d.run.analytics;
    // Identities of the definitions: monthly returns compound to totalReturn; episode 1 is maxDrawdown (9.43 %, Feb-Mar 2020).
    const compounded = a.monthlyReturns.reduce((g: number, m: { return: number }) => g * (1 + m.return), 1) - 1;
    expect(compounded).toBeCloseTo(reference.metrics.totalReturn as number, 6);
    expect(a.drawdowns[0]).toMatchObject({ peakTime: '2020-02-19T00:00:00.000Z', troughTime: '2020-03-23T00:00:00.000Z', recoveryTime: null });
    expect(a.drawdowns[0].depth).toBeCloseTo(reference.metrics.maxDrawdown as number, 6);
    expect(a.trades.trades).toBe(reference.roundTrips.length);
    expect(d.run.roundTrips).toHaveLength(reference.roundTrips.length);
    expect(d.run.exportUrls.fillsCsv).toMatch(/\/runs\/1\/fills\.csv$/);
  },
  Leveraged: (d) => expect(d.runBacktest).toMatchObject({ id: '2', status: expect.stringMatching(/QUEUED|RUNNING|COMPLETED/) }),
  Sweep: (d) => expect(d.runSweep).toMatchObject({ id: '1', total: expect.any(Number) }),
  SweepProgress: (events: any[]) => expect(events.at(-1).sweepProgress.status).toBe('COMPLETED'),
  SweepResults: (d) => {
    expect(d.sweep.status).toBe('COMPLETED');
    expect(d.sweep.best).toMatchObject({ params: { fastPeriod: expect.any(Number), slowPeriod: expect.any(Number) }, runId: expect.any(String) });
    expect(d.sweep.best.metrics.sharpe).toEqual(expect.any(Number));
    expect(d.sweep.results.edges.length).toBeGreaterThan(0);
  },
};

async function runAll(server: TestServer, operations: Operation[]): Promise<void> {
  for (const op of operations) {
    const check = plausible[op.name];
    expect(check, `an example named ${op.name} has no plausibility check`).toBeDefined();
    if (op.kind === 'subscription') {
      for (const [transport, subscribe] of [['WebSocket', server.subscribe.bind(server)], ['SSE', server.subscribeSse.bind(server)]] as const) {
        const got = await subscribe(op.source);
        expect(got.errors, `${op.name} over ${transport}`).toEqual([]);
        check!(got.events);
      }
    } else {
      const got = await server.gql(op.source);
      expect(got.errors, op.name).toBeUndefined();
      check!(got.data);
    }
  }
}

describe('README and GraphiQL examples, executed as written', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = graphqlBlocks(readme);

  it('the README has GraphQL examples, and all of them form one valid document', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const schema = buildSchema(readFileSync(join(REPO_ROOT, 'schema.graphql'), 'utf8'));
    expect(validate(schema, parse(blocks.join('\n'))).map((e) => e.message)).toEqual([]);
    expect(validate(schema, parse(GRAPHIQL_DEFAULT_DOCUMENT)).map((e) => e.message)).toEqual([]);
  });

  describe('on a fresh server', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('every README operation, in order', async () => {
      await runAll(server, blocks.flatMap(operationsOf));
    });
  });

  describe("GraphiQL's default document on a fresh server", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('every operation, in order', async () => {
      await runAll(server, operationsOf(GRAPHIQL_DEFAULT_DOCUMENT));
    });

    it('the root URL serves the dashboard (built by npm ci); GraphiQL stays at /graphql', async () => {
      const res = await fetch(server.url.replace(/\/graphql$/, '/'), { redirect: 'manual' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('<div id="app">');
    });
  });
});
