/**
 * Bad inputs through the API: each is a GraphQL error with code BAD_USER_INPUT whose message names
 * the field, and nothing is stored. Unknown ids are NOT_FOUND (queries, mutations, subscriptions
 * over WebSocket and SSE); bad paging and downsampling arguments are BAD_USER_INPUT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, waitFor, type GqlResult, type TestServer, type WireError } from './support/test-server.js';

const VALID = { strategy: 'sma-crossover', symbols: ['SPX'], period: 'DAY', dataset: 'demo' };
const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }`;

type Case = readonly [name: string, patch: Record<string, unknown>, field: string, detail?: RegExp];

const CASES: readonly Case[] = [
  ['unknown strategy', { strategy: 'no-such-strategy' }, 'input.strategy', /unknown strategy "no-such-strategy"/],
  ['unknown param', { params: { fastPeriod: 10, bogus: 1 } }, 'input.params.bogus', /unknown parameter/],
  ['wrong param type', { params: { fastPeriod: 'ten' } }, 'input.params.fastPeriod', /must be a finite number, got "ten"/],
  ['boolean for a number param', { params: { quantity: true } }, 'input.params.quantity', /must be a finite number/],
  ['non-integer int param', { params: { fastPeriod: 10.5 } }, 'input.params.fastPeriod', /must be an integer, got 10.5/],
  ['int param above max', { params: { fastPeriod: 501, slowPeriod: 600 } }, 'input.params.fastPeriod', /must be <= 500/],
  ['int param below min', { params: { fastPeriod: 1 } }, 'input.params.fastPeriod', /must be >= 2/],
  ['float param at an exclusive min', { params: { quantity: 0 } }, 'input.params.quantity', /must be > 0/],
  ['float param above max', { params: { limitOffsetPct: 50.5 } }, 'input.params.limitOffsetPct', /must be <= 50/],
  ['enum param not a choice', { params: { entry: 'STOP' } }, 'input.params.entry', /must be one of MARKET, LIMIT, got "STOP"/],
  ['fastPeriod equal to slowPeriod', { params: { fastPeriod: 50, slowPeriod: 50 } }, 'input.params.slowPeriod', /greater than fastPeriod/],
  ['fastPeriod above slowPeriod', { params: { fastPeriod: 60, slowPeriod: 50 } }, 'input.params.slowPeriod', /greater than fastPeriod/],
  ['symbol without bars of that period', { period: 'MINUTE' }, 'input.symbols[0]', /no MINUTE bars for SPX/],
  ['symbol not in the dataset', { symbols: ['AAA'] }, 'input.symbols[0]', /no DAY bars for AAA in dataset demo/],
  ['unknown symbol', { symbols: ['SPX', 'NOPE'] }, 'input.symbols[1]', /NOPE/],
  ['symbol listed twice', { symbols: ['SPX', 'SPX'] }, 'input.symbols[1]', /listed twice/],
  ['unknown dataset', { dataset: 'no-such-dataset' }, 'input.dataset', /unknown dataset "no-such-dataset"/],
  ['start after end', { start: '2010-06-01', end: '2010-05-31' }, 'input.end', /before start/],
  ['malformed date', { start: '2020-13-45' }, 'input.start'],
  ['impossible date', { end: '2019-02-29' }, 'input.end'],
  ['date with a time', { start: '2019-01-01T00:00:00Z' }, 'input.start'],
  ['start after the last bar', { start: '2020-04-18' }, 'input.start', /after the last DAY bar of SPX \(2020-04-17\)/],
  ['end before the first bar', { end: '1999-12-31' }, 'input.end', /before the first DAY bar of SPX/],
  ['initialCash 0', { initialCash: 0 }, 'input.initialCash', /> 0/],
  ['negative initialCash', { initialCash: -1000 }, 'input.initialCash', /> 0/],
  ['negative commission.perUnit', { commission: { perUnit: -0.01 } }, 'input.commission.perUnit', />= 0/],
  ['negative commission.minimumPerOrder', { commission: { minimumPerOrder: -1 } }, 'input.commission.minimumPerOrder', />= 0/],
  ['negative commission.percentOfNotional', { commission: { percentOfNotional: -0.1 } }, 'input.commission.percentOfNotional', />= 0/],
  ['negative slippageBps', { slippageBps: -1 }, 'input.slippageBps', />= 0/],
  ['negative periodsPerYear', { periodsPerYear: -252 }, 'input.periodsPerYear', /> 0/],
  ['101 symbols', { symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }, 'input.symbols', /at most 100 symbols/],
  ['empty symbols', { symbols: [] }, 'input.symbols', /at least one symbol/],
  ['empty symbol name', { symbols: [''] }, 'input.symbols[0]', /non-empty/],
];

/**
 * Values of the wrong GraphQL type, refused by graphql-js while it coerces the variables (before any
 * resolver runs). They are bad inputs like the others, so the contract asks for BAD_USER_INPUT too.
 */
const TYPE_CASES: readonly Case[] = [
  ['params not an object', { params: [1, 2] }, 'input.params'],
  ['unknown period', { period: 'WEEK' }, 'input.period'],
  ['initialCash not a number', { initialCash: 'lots' }, 'input.initialCash'],
  ['commission field not a number', { commission: { perUnit: 'cheap' } }, 'input.commission.perUnit'],
  ['missing strategy', { strategy: undefined }, 'strategy'],
];

const asObject = ([name, patch, field, detail]: Case) => ({ name, patch, field, detail });

function expectCode(errors: readonly WireError[] | undefined, code: string): WireError {
  expect(errors, `expected a ${code} error`).toBeDefined();
  expect(errors!.length).toBeGreaterThan(0);
  expect(errors![0]!.extensions?.code, errors![0]!.message).toBe(code);
  return errors![0]!;
}

describe('input validation through the API', () => {
  let server: TestServer;
  let runId: string;
  const runCount = async (): Promise<number> => (await server.gqlOk(`{ runs { totalCount } }`)).runs.totalCount;

  beforeAll(async () => {
    server = await startServer();
    // One finished run for the argument checks on its fields.
    const d = await server.gqlOk(RUN_BACKTEST, { input: { ...VALID, start: '2018-01-01', params: { fastPeriod: 5, slowPeriod: 20 } } });
    runId = d.runBacktest.id;
    await waitFor(async () => (await server.gqlOk(`query($id: ID!) { run(id: $id) { status } }`, { id: runId })).run.status === 'COMPLETED', {
      what: 'the setup run to complete',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts the valid base input (so each case below fails for its own reason)', async () => {
    const before = await runCount();
    const r = await server.gql(RUN_BACKTEST, { input: VALID });
    expect(r.errors).toBeUndefined();
    expect(r.data?.runBacktest.status).toMatch(/QUEUED|RUNNING/);
    expect(await runCount()).toBe(before + 1);
    const id = r.data!.runBacktest.id;
    await waitFor(async () => (await server.gqlOk(`query($id: ID!) { run(id: $id) { status } }`, { id })).run.status === 'COMPLETED');
  });

  it.each(CASES.map(asObject))('$name: BAD_USER_INPUT naming $field, nothing stored', async ({ patch, field, detail }) => {
    const before = await runCount();
    const input = { ...VALID, ...patch };
    const r: GqlResult<Record<string, any>> = await server.gql(RUN_BACKTEST, { input });
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    expect(error.message).toContain(field);
    if (detail) expect(error.message).toMatch(detail);
    expect(r.data?.runBacktest ?? null).toBeNull();
    expect(await runCount()).toBe(before);
  });

  it.each(TYPE_CASES.map(asObject))('$name (a GraphQL type error): BAD_USER_INPUT naming $field, nothing stored', async ({ patch, field }) => {
    const before = await runCount();
    const r: GqlResult<Record<string, any>> = await server.gql(RUN_BACKTEST, { input: { ...VALID, ...patch } });
    expect(r.errors?.length, 'expected an error').toBeGreaterThan(0);
    expect(r.errors![0]!.message).toContain(field);
    expect(r.data?.runBacktest ?? null).toBeNull();
    expect(await runCount()).toBe(before);
    expectCode(r.errors, 'BAD_USER_INPUT');
  });

  it('reports every bad field of one input at once, in the message and in extensions.fields', async () => {
    const before = await runCount();
    const r = await server.gql(RUN_BACKTEST, {
      input: { ...VALID, params: { fastPeriod: 501 }, initialCash: 0, slippageBps: -2, commission: { perUnit: -1 } },
    });
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    for (const f of ['input.params.fastPeriod', 'input.initialCash', 'input.slippageBps', 'input.commission.perUnit']) expect(error.message).toContain(f);
    const fields = (error.extensions?.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['input.params.fastPeriod', 'input.initialCash', 'input.slippageBps', 'input.commission.perUnit']));
    expect(await runCount()).toBe(before);
  });

  it('the same bad input inline in the document (not as a variable) is refused the same way', async () => {
    const before = await runCount();
    const r = await server.gql(`mutation { runBacktest(input: { strategy: "sma-crossover", symbols: ["SPX"], period: DAY, start: "2020-13-45" }) { id } }`);
    const error = expectCode(r.errors, 'BAD_USER_INPUT');
    expect(error.message).toMatch(/2020-13-45/);
    const r2 = await server.gql(`mutation { runBacktest(input: { strategy: "sma-crossover", symbols: ["SPX"], period: DAY, initialCash: -5 }) { id } }`);
    expect(expectCode(r2.errors, 'BAD_USER_INPUT').message).toContain('input.initialCash');
    expect(await runCount()).toBe(before);
  });

  it('an unknown run id: run is null, cancelBacktest is NOT_FOUND', async () => {
    const q = await server.gql(`{ a: run(id: "999999") { id } b: run(id: "not-a-number") { id } }`);
    expect(q.errors).toBeUndefined();
    expect(q.data).toEqual({ a: null, b: null });

    const c = await server.gql(`mutation { cancelBacktest(id: "999999") { id status } }`);
    const error = expectCode(c.errors, 'NOT_FOUND');
    expect(error.message).toContain('999999');
    expect(c.data ?? null).toBeNull();
    const c2 = await server.gql(`mutation { cancelBacktest(id: "abc") { id } }`);
    expectCode(c2.errors, 'NOT_FOUND');

    const del = await server.gql(`mutation { deleteRuns(ids: ["999999"]) }`);
    expect(del).toEqual({ data: { deleteRuns: 0 }, errors: undefined });
    const badDel = await server.gql(`mutation { deleteRuns(ids: ["1", "x"]) }`);
    expect(expectCode(badDel.errors, 'BAD_USER_INPUT').message).toContain('ids[1]');
    // The valid id in that list was not deleted.
    expect((await server.gqlOk(`{ run(id: "1") { id } }`)).run).toEqual({ id: '1' });
  });

  for (const field of ['runFills', 'runEquity', 'runStatus'] as const) {
    const selection = field === 'runStatus' ? '{ status }' : field === 'runFills' ? '{ id }' : '{ equity }';
    it(`${field} of an unknown id is NOT_FOUND over WebSocket and SSE`, async () => {
      const query = `subscription($id: ID!) { ${field}(id: $id) ${selection} }`;
      for (const id of ['999999', 'abc']) {
        const ws = await server.subscribe(query, { id }, { timeoutMs: 10_000 });
        expect(ws.events).toEqual([]);
        expect(expectCode(ws.errors, 'NOT_FOUND').message).toContain(id);
        const sse = await server.subscribeSse(query, { id }, { timeoutMs: 10_000 });
        expect(sse.events).toEqual([]);
        expect(expectCode(sse.errors, 'NOT_FOUND').message).toContain(id);
      }
    });
  }

  it('equityCurve(maxPoints) below 2 is BAD_USER_INPUT; 2 keeps first and last', async () => {
    for (const maxPoints of [1, 0, -5]) {
      const r = await server.gql(`query($id: ID!, $n: Int) { run(id: $id) { equityCurve(maxPoints: $n) { equity } } }`, { id: runId, n: maxPoints });
      expect(expectCode(r.errors, 'BAD_USER_INPUT').message).toContain('maxPoints');
    }
    const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { two: equityCurve(maxPoints: 2) { time equity } all: equityCurve { time equity } } }`, { id: runId });
    expect(d.run.two).toEqual([d.run.all[0], d.run.all[d.run.all.length - 1]]);
    expect(d.run.all[0].time).toBe('2018-01-02T00:00:00.000Z');
  });

  it('bad connection arguments are BAD_USER_INPUT naming the argument', async () => {
    const fills = (args: string) => server.gql(`query($id: ID!) { run(id: $id) { fills(${args}) { totalCount edges { cursor } } } }`, { id: runId });
    const ok = await fills('first: 2');
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.run.fills.totalCount).toBeGreaterThan(2);
    expect(ok.data!.run.fills.edges).toHaveLength(2);

    for (const [args, name] of [
      ['after: "definitely-not-a-cursor"', 'after'],
      ['first: 2, after: "bm9wZQ=="', 'after'],
      ['first: -1', 'first'],
      ['first: 10001', 'first'],
      ['before: "garbage", last: 1', 'before'],
    ] as const) {
      const r = await fills(args);
      expect(expectCode(r.errors, 'BAD_USER_INPUT').message, args).toContain(name);
    }
    const orders = await server.gql(`query($id: ID!) { run(id: $id) { orders(after: "zzz") { totalCount } } }`, { id: runId });
    expect(expectCode(orders.errors, 'BAD_USER_INPUT').message).toContain('after');

    const runs = await server.gql(`{ runs(after: "not-an-id") { totalCount } }`);
    expect(expectCode(runs.errors, 'BAD_USER_INPUT').message).toContain('after');
    const runsLast = await server.gql(`{ runs(last: 2) { totalCount } }`);
    expect(expectCode(runsLast.errors, 'BAD_USER_INPUT').message).toContain('last');
    const runsFirst = await server.gql(`{ runs(first: -3) { totalCount } }`);
    expect(expectCode(runsFirst.errors, 'BAD_USER_INPUT').message).toContain('first');
  });
});
