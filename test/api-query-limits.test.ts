/**
 * Query-shape attacks against a real server, over HTTP and over the WebSocket: each is refused with
 * `extensions.code` QUERY_TOO_COMPLEX (and `extensions.limit` naming the limit: tokens, depth,
 * aliases, cost) or, for a body over the request size limit, REQUEST_ENTITY_TOO_LARGE; error
 * messages never repeat more than a few hundred characters of input; malformed cursors and page
 * sizes are BAD_USER_INPUT naming the argument. After each refusal the server answers a small
 * query, and the stored run is still readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { MAX_MESSAGE_CHARS } from '../src/schema/errors.js';
import { MAX_PAGE } from '../src/schema/pagination.js';
import { QUERY_LIMITS } from '../src/schema/query-limits.js';
import { startServer, subscribeWith, waitFor, wsClient, type TestServer, type WireError } from './support/test-server.js';

let server: TestServer;
let ws: Client;
let runId: string;

interface Answer {
  readonly status: number;
  readonly errors: readonly WireError[];
  readonly data: any;
  readonly bytes: number;
}

/** POSTs like a GraphQL-over-HTTP client (graphql-response+json: request errors are a 400). */
async function post(query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { data?: unknown; errors?: WireError[] };
  return { status: res.status, errors: body.errors ?? [], data: body.data, bytes: text.length };
}

/** The same operation over the WebSocket (graphql-ws), as the errors it ends with. */
async function overWs(query: string, variables?: Record<string, unknown>): Promise<readonly WireError[]> {
  const r = await subscribeWith(ws, query, variables, { timeoutMs: 20_000 });
  return r.errors;
}

function refusedBy(errors: readonly WireError[], limit: string): WireError {
  const e = errors.find((x) => x.extensions?.code === 'QUERY_TOO_COMPLEX');
  expect(e, JSON.stringify(errors).slice(0, 500)).toBeDefined();
  expect(e!.extensions!.limit).toBe(limit);
  return e!;
}

/** The server still answers, and the stored run is intact. */
async function serverIsUp(): Promise<void> {
  const d = await server.gqlOk(`query($id: ID!) { strategies { id } run(id: $id) { status fills(first: 1) { totalCount } } }`, { id: runId });
  expect(d.strategies.length).toBeGreaterThan(0);
  expect(d.run.status).toBe('COMPLETED');
  expect(d.run.fills.totalCount).toBeGreaterThan(2);
}

/** `datasets { instruments { dataset { instruments ... } } }`, `levels` fields deep. */
function nestedDatasets(levels: number): string {
  const names: string[] = ['datasets'];
  while (names.length < levels - 1) names.push(names.length % 2 === 1 ? 'instruments' : 'dataset');
  const leaf = names.length % 2 === 1 ? 'id' : 'symbol';
  return `{ ${names.join(' { ')} { ${leaf} ${' }'.repeat(names.length)} }`;
}

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: run(id: "1") { equityCurve { time } }`).join(' ')} }`;

beforeAll(async () => {
  server = await startServer();
  ws = wsClient(server.wsUrl);
  const d = await server.gqlOk(
    `mutation { runBacktest(input: { strategy: "sma-crossover", params: { fastPeriod: 10, slowPeriod: 30, quantity: 1 }, dataset: "demo", symbols: ["SPX"], period: DAY, start: "2018-01-01" }) { id } }`,
  );
  runId = d.runBacktest.id;
  await waitFor(async () => (await server.gqlOk(`query($id: ID!) { run(id: $id) { status } }`, { id: runId })).run.status === 'COMPLETED', {
    what: 'the reference run to complete',
  });
});

afterAll(async () => {
  await ws?.dispose();
  await server?.stop();
});

describe('query shapes over HTTP', () => {
  it('12 levels of datasets { instruments { dataset { ... } } }: the depth limit', async () => {
    const r = await post(nestedDatasets(12));
    expect(r.status).toBe(400);
    expect(refusedBy(r.errors, 'depth').message).toMatch(/depth limit of 10 exceeded, found 12/);
    expect(r.data ?? null).toBeNull();
    await serverIsUp();
  });

  it('a legitimate nesting within the depth limit is answered', async () => {
    const d = await server.gqlOk(nestedDatasets(QUERY_LIMITS.maxDepth - 2));
    expect(d.datasets.length).toBeGreaterThan(0);
  });

  it('1,000 aliases of run { equityCurve }: refused while parsing (tokens); 100 by the alias limit', async () => {
    const r = await post(aliases(1000));
    expect(r.status).toBe(400);
    refusedBy(r.errors, 'tokens');
    const hundred = await post(aliases(100));
    expect(hundred.status).toBe(400);
    expect(refusedBy(hundred.errors, 'aliases').message).toMatch(/Aliases limit of 25 exceeded, found 100/);
    // A handful of aliases stays fine.
    const ok = await post(`query($id: ID!) { a: run(id: $id) { id } b: run(id: $id) { id } }`, { id: runId });
    expect(ok.errors).toEqual([]);
    expect(ok.data.a.id).toBe(runId);
    await serverIsUp();
  });

  it('a 1,000,000-field query is refused before validation, and the server answers right after', async () => {
    const huge = `{ ${'id '.repeat(1_000_000)}}`;
    const t0 = Date.now();
    const r = await post(huge);
    const ms = Date.now() - t0;
    // Over the request size limit (1 MiB by default) it is refused while reading the body; below
    // it, the token limit stops the parser (so validation never sees it).
    expect([400, 413]).toContain(r.status);
    expect(r.errors[0]?.extensions?.code).toMatch(/^(REQUEST_ENTITY_TOO_LARGE|QUERY_TOO_COMPLEX)$/);
    console.log(`1M-field query (${(huge.length / 1e6).toFixed(1)} MB) refused in ${ms} ms: ${r.errors[0]?.extensions?.code}`);

    const underBodyLimit = `{ ${'id '.repeat(300_000)}}`;
    const t1 = Date.now();
    const tokens = await post(underBodyLimit);
    console.log(`300k-field query (${(underBodyLimit.length / 1e6).toFixed(1)} MB) refused in ${Date.now() - t1} ms`);
    expect(tokens.status).toBe(400);
    expect(refusedBy(tokens.errors, 'tokens').message).toMatch(/Token limit of 3000 exceeded/);
    await serverIsUp();
  });

  it('depth 5,000 is a 400 with a code, not a 500; depth within the token budget hits the depth limit', async () => {
    const deep = (n: number) => `{ ${'a { '.repeat(n)}b${' }'.repeat(n)} }`;
    const r = await post(deep(5_000));
    expect(r.status).toBe(400);
    refusedBy(r.errors, 'tokens');
    const d = await post(deep(900));
    expect(d.status).toBe(400);
    expect(refusedBy(d.errors, 'depth').message).toMatch(/found 901/);
    await serverIsUp();
  });

  it('the cost counts list items: first (also as a variable), maxPoints, nested lists', async () => {
    const nested = `query($n: Int) { runs(first: 100) { edges { node { fills(first: $n) { edges { node { time price } } } } } } }`;
    const r = await post(nested, { n: 1000 });
    expect(r.status).toBe(400);
    expect(refusedBy(r.errors, 'cost').message).toMatch(/exceeds 50000/);
    // The same shape with small pages is fine.
    const small = await post(nested, { n: 5 });
    expect(small.errors).toEqual([]);

    const curves = `query($id: ID!) { ${Array.from({ length: 6 }, (_, i) => `c${i}: run(id: $id) { equityCurve { time equity } }`).join(' ')} }`;
    refusedBy((await post(curves, { id: runId })).errors, 'cost');
    const downsampled = await post(curves.replaceAll('equityCurve', 'equityCurve(maxPoints: 100)'), { id: runId });
    expect(downsampled.errors).toEqual([]);
    expect(downsampled.data.c5.equityCurve.length).toBeGreaterThan(2);
    expect(downsampled.data.c5.equityCurve.length).toBeLessThanOrEqual(100);

    const datasets = await post(`{ datasets { instruments { dataset { instruments { dataset { instruments { coverage { bars } } } } } } } }`);
    refusedBy(datasets.errors, 'cost');
    await serverIsUp();
  });

  it('a 10 MB string argument: refused, and the error is short', async () => {
    const r = await post(`query($id: ID!, $c: String) { run(id: $id) { fills(after: $c) { totalCount } } }`, { id: runId, c: 'x'.repeat(10_000_000) });
    // Over the request size limit it never reaches GraphQL (413); under it, the cursor is refused.
    expect(r.errors[0]?.extensions?.code).toMatch(/^(REQUEST_ENTITY_TOO_LARGE|BAD_USER_INPUT)$/);
    expect(r.bytes).toBeLessThan(2_000);
    await serverIsUp();
  });

  it('input repeated in errors is clipped (graphql-js coercion and validation, our BAD_USER_INPUT, JSONObject)', async () => {
    const big = 'y'.repeat(900_000); // under the request size limit, so it reaches GraphQL
    const cases: [string, string, Record<string, unknown> | undefined][] = [
      ['literal of the wrong type', `{ run(id: "1") { equityCurve(maxPoints: "${big}") { time } } }`, undefined],
      ['variable of the wrong type', `query($n: Int) { run(id: "1") { equityCurve(maxPoints: $n) { time } } }`, { n: big }],
      ['unknown field', `{ run(id: "1") { ${big} } }`, undefined],
      ['cursor', `query($id: ID!, $c: String) { run(id: $id) { fills(after: $c) { totalCount } } }`, { id: runId, c: big }],
      ['strategy id', `mutation($s: ID!) { runBacktest(input: { strategy: $s, dataset: "demo", symbols: ["SPX"], period: DAY }) { id } }`, { s: big }],
      ['JSONObject', `mutation($p: JSONObject) { runBacktest(input: { strategy: "sma-crossover", params: $p, symbols: ["SPX"], period: DAY }) { id } }`, { p: big }],
    ];
    for (const [name, query, variables] of cases) {
      const r = await post(query, variables);
      expect(r.errors.length, name).toBeGreaterThan(0);
      for (const e of r.errors) expect(e.message.length, `${name}: ${e.message.slice(0, 100)}`).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 40);
      expect(r.bytes, name).toBeLessThan(5_000);
    }
    await serverIsUp();
  });
});

describe('strict cursors and page sizes', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const fills = (after: string | null, first: number | null = 2) =>
    post(`query($id: ID!, $after: String, $first: Int) { run(id: $id) { fills(first: $first, after: $after) { edges { cursor node { id } } } } }`, {
      id: runId,
      after,
      first,
    });

  it('cursors the server made page on; malformed ones are BAD_USER_INPUT naming after', async () => {
    const page1 = await fills(null);
    expect(page1.errors).toEqual([]);
    const [first, second] = page1.data.run.fills.edges;
    const page2 = await fills(first.cursor, 1);
    expect(page2.data.run.fills.edges[0].node.id).toBe(second.node.id);

    for (const bad of [
      b64('OffsetConnection:1e23'),
      b64('OffsetConnection:1e3'),
      b64('OffsetConnection:-1'),
      b64('OffsetConnection:01'),
      b64('OffsetConnection:1.5'),
      b64('OffsetConnection:99999999999999999999'),
      b64('OtherConnection:1'),
      'OffsetConnection:1',
      'not base64 at all!',
      `${first.cursor}=`,
      '',
    ]) {
      const r = await fills(bad);
      const e = r.errors[0];
      expect(e?.extensions?.code, bad).toBe('BAD_USER_INPUT');
      expect(e!.message, bad).toMatch(/^after: /);
    }
    const runs = await post(`{ runs(first: 1, after: "1e3") { totalCount } }`);
    expect(runs.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(runs.errors[0]!.message).toMatch(/^after: /);
    await serverIsUp();
  });

  it(`first is 0..${MAX_PAGE}, documented in the schema`, async () => {
    expect((await fills(null, MAX_PAGE)).errors).toEqual([]);
    expect((await fills(null, 0)).data.run.fills.edges).toEqual([]);
    for (const n of [MAX_PAGE + 1, -1]) {
      const e = (await fills(null, n)).errors[0];
      expect(e?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(e!.message).toMatch(new RegExp(`^first: must be between 0 and ${MAX_PAGE}`));
    }
    const d = await server.gqlOk(`{ __type(name: "BacktestRun") { fields { name args { name description } } } }`);
    const fillsField = d.__type.fields.find((f: { name: string }) => f.name === 'fills');
    expect(fillsField.args.find((a: { name: string }) => a.name === 'first').description).toMatch(new RegExp(`0 to ${MAX_PAGE}`));
  });
});

describe('the same limits over the WebSocket', () => {
  it('depth, aliases, tokens, cost and cursors are refused per operation; the socket keeps serving', async () => {
    refusedBy(await overWs(nestedDatasets(12)), 'depth');
    refusedBy(await overWs(aliases(1000)), 'tokens');
    refusedBy(await overWs(aliases(100)), 'aliases');
    // Parsing stops at the token limit; the refusal ends this operation only, not the connection.
    refusedBy(await overWs(`{ ${'id '.repeat(200_000)}}`), 'tokens');
    refusedBy(await overWs(`{ ${'a { '.repeat(5_000)}b${' }'.repeat(5_000)} }`), 'tokens');
    refusedBy(await overWs(`query($n: Int) { runs(first: 100) { edges { node { fills(first: $n) { edges { node { time } } } } } } }`, { n: 1000 }), 'cost');
    // A subscription is weighed too.
    const everything = `equityCurve { time equity cash drawdown } fills(first: 1000) { edges { node { id time side price } } } orders(first: 1000) { edges { node { id time side type status } } }`;
    refusedBy(await overWs(`subscription($id: ID!) { runStatus(id: $id) { run { ${everything} } } }`, { id: runId }), 'cost');
    const cursor = await overWs(`query($id: ID!) { run(id: $id) { fills(after: "${Buffer.from('OffsetConnection:1e3').toString('base64')}") { totalCount } } }`, { id: runId });
    expect(cursor[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const clipped = await overWs(`{ run(id: "1") { ${'z'.repeat(500_000)} } }`);
    expect(clipped[0]!.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 40);

    const ok = await subscribeWith<{ strategies: { id: string }[] }>(ws, `{ strategies { id } }`);
    expect(ok.errors).toEqual([]);
    expect(ok.events[0]!.strategies.length).toBeGreaterThan(0);
    await serverIsUp();
  });
});
