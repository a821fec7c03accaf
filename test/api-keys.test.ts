/**
 * API keys against a real server, over HTTP, SSE and WebSocket: every role against every mutation
 * and the run/sweep queries and subscriptions (allowed / NOT_FOUND / FORBIDDEN), ownership of runs
 * and sweeps, revocation, rate limits, the loopback-only open mode and the refusal to start open on
 * an address other machines can reach.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server.js';
import { postGql, startServer, subscribeSse, subscribeWith, tempDir, waitFor, wsClient, type TestServer, type WireError } from './support/test-server.js';

const START = `mutation { runBacktest(input: {
  strategy: "sma-crossover", params: { fastPeriod: 50, slowPeriod: 200, quantity: 10 }, dataset: "demo", symbols: ["SPX"], period: DAY
}) { id } }`;
const SWEEP = `mutation { runSweep(input: {
  strategy: "sma-crossover", dataset: "demo", symbols: ["SPX"], period: DAY, params: { quantity: 10 },
  grid: { fastPeriod: [10, 20], slowPeriod: [50] }, keepTop: 1
}) { id } }`;

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const codes = (errors: readonly WireError[] | undefined) => (errors ?? []).map((e) => e.extensions?.code);

describe('API keys and ownership', () => {
  let server: TestServer;
  const keys: Record<'admin' | 'alice' | 'bob' | 'reader', string> = { admin: '', alice: '', bob: '', reader: '' };
  const as = <T = any>(who: keyof typeof keys, query: string) => postGql<T>(server.url, query, undefined, bearer(keys[who]));
  let aliceRun: string;
  let aliceSweep: string;

  beforeAll(async () => {
    server = await startServer();
    // Open before any key exists (loopback): a run without credentials, owned by nobody.
    expect((await server.gql(START)).errors).toBeUndefined();
    keys.admin = (await server.app.storage.createApiKey('admin', 'admin')).secret;
    keys.alice = (await server.app.storage.createApiKey('alice', 'run')).secret;
    keys.bob = (await server.app.storage.createApiKey('bob', 'run')).secret;
    keys.reader = (await server.app.storage.createApiKey('reader', 'read')).secret;
    aliceRun = (await as('alice', START)).data!.runBacktest.id;
    aliceSweep = (await as('alice', SWEEP)).data!.runSweep.id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('once a key exists, a request without one (or with a wrong one) is 401 UNAUTHENTICATED', async () => {
    for (const headers of [{}, bearer('bt_' + 'x'.repeat(43)), bearer('nonsense')]) {
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ strategies { id } }' }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await res.json()) as { errors: WireError[] };
      expect(codes(body.errors)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('every role reads strategies and datasets', async () => {
    for (const who of ['admin', 'alice', 'bob', 'reader'] as const) {
      const got = await as(who, '{ strategies { id } datasets { id } }');
      expect(got.errors, who).toBeUndefined();
      expect(got.data!.datasets.map((d: { id: string }) => d.id)).toContain('demo');
    }
  });

  it("a run key sees its own runs and sweeps; another run key and a read key see nothing of them", async () => {
    const runsOf = async (who: keyof typeof keys) => (await as(who, '{ runs { totalCount edges { node { id } } } }')).data!.runs;
    expect((await runsOf('alice')).edges.map((e: any) => e.node.id)).toEqual([aliceRun]);
    expect((await runsOf('bob')).totalCount).toBe(0);
    expect((await runsOf('reader')).totalCount).toBe(0);
    expect((await runsOf('admin')).totalCount).toBeGreaterThanOrEqual(2); // the open-mode run too
    for (const who of ['bob', 'reader'] as const) {
      const got = await as(who, `{ run(id: "${aliceRun}") { id } sweep(id: "${aliceSweep}") { id } sweeps { totalCount } }`);
      expect(got.data, who).toEqual({ run: null, sweep: null, sweeps: { totalCount: 0 } });
    }
    const admin = await as('admin', `{ run(id: "${aliceRun}") { id } sweep(id: "${aliceSweep}") { id } }`);
    expect(admin.data).toEqual({ run: { id: aliceRun }, sweep: { id: aliceSweep } });
  });

  it('mutations: read is FORBIDDEN; another run key gets NOT_FOUND and changes nothing', async () => {
    for (const m of [START, SWEEP, `mutation { cancelBacktest(id: "${aliceRun}") { id } }`, `mutation { deleteRuns(ids: ["${aliceRun}"]) }`, `mutation { cancelSweep(id: "${aliceSweep}") { id } }`]) {
      expect(codes((await as('reader', m)).errors), m).toEqual(['FORBIDDEN']);
    }
    expect(codes((await as('bob', `mutation { cancelBacktest(id: "${aliceRun}") { id } }`)).errors)).toEqual(['NOT_FOUND']);
    expect(codes((await as('bob', `mutation { cancelSweep(id: "${aliceSweep}") { id } }`)).errors)).toEqual(['NOT_FOUND']);
    expect((await as('bob', `mutation { deleteRuns(ids: ["${aliceRun}"]) }`)).data).toEqual({ deleteRuns: 0 });
    expect((await as('alice', `{ run(id: "${aliceRun}") { id } }`)).data).toEqual({ run: { id: aliceRun } });
  });

  it('subscriptions over SSE and WebSocket follow the same rule', async () => {
    const query = `subscription { runStatus(id: "${aliceRun}") { status } }`;
    const own = await subscribeSse(server.url, query, undefined, { headers: bearer(keys.alice) });
    expect(own.errors).toEqual([]);
    expect(own.events.at(-1)).toEqual({ runStatus: { status: 'COMPLETED' } });
    const other = await subscribeSse(server.url, query, undefined, { headers: bearer(keys.bob) });
    expect(codes(other.errors)).toEqual(['NOT_FOUND']);

    const aliceWs = wsClient(server.wsUrl, { authorization: `Bearer ${keys.alice}` });
    const bobWs = wsClient(server.wsUrl, { apiKey: keys.bob });
    try {
      expect((await subscribeWith(aliceWs, query)).events.at(-1)).toEqual({ runStatus: { status: 'COMPLETED' } });
      expect(codes((await subscribeWith(bobWs, query)).errors)).toEqual(['NOT_FOUND']);
    } finally {
      await aliceWs.dispose();
      await bobWs.dispose();
    }
  });

  it('result downloads follow the same rule: 401 without a key, 404 for another key, 200 for the owner and an admin', async () => {
    const url = `${server.url.replace(/\/graphql$/, '')}/runs/${aliceRun}/fills.csv`;
    await waitFor(async () => (await as('alice', `{ run(id: "${aliceRun}") { status } }`)).data!.run.status === 'COMPLETED');
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: bearer(keys.bob) })).status).toBe(404);
    expect((await fetch(url, { headers: bearer(keys.reader) })).status).toBe(404);
    for (const who of ['alice', 'admin'] as const) {
      const res = await fetch(url, { headers: bearer(keys[who]) });
      expect(res.status, who).toBe(200);
      expect((await res.text()).split('\n')[0]).toContain('price');
    }
  });

  it('a WebSocket without a valid key is closed with 4403', async () => {
    const anonymous = wsClient(server.wsUrl);
    try {
      await expect(subscribeWith(anonymous, 'subscription { runStatus(id: "1") { status } }')).rejects.toThrow(/4403/);
    } finally {
      await anonymous.dispose();
    }
  });

  it('a run key deletes its own run; an admin deletes anyone’s', async () => {
    const second = (await as('alice', START)).data!.runBacktest.id;
    const third = (await as('bob', START)).data!.runBacktest.id;
    expect((await as('alice', `mutation { deleteRuns(ids: ["${second}", "${third}"]) }`)).data).toEqual({ deleteRuns: 1 });
    expect((await as('admin', `mutation { deleteRuns(ids: ["${third}"]) }`)).data).toEqual({ deleteRuns: 1 });
    expect((await as('admin', `{ a: run(id: "${second}") { id } b: run(id: "${third}") { id } }`)).data).toEqual({ a: null, b: null });
  });

  it('a revoked key is refused at once', async () => {
    const temp = (await server.app.storage.createApiKey('temp', 'run')).secret;
    expect((await postGql(server.url, '{ strategies { id } }', undefined, bearer(temp))).errors).toBeUndefined();
    expect((await server.app.storage.revokeApiKey('temp'))?.revokedAt).toEqual(expect.any(Number));
    expect(codes((await postGql(server.url, '{ strategies { id } }', undefined, bearer(temp))).errors)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('rate limits per key', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ rateLimitPerMinute: 5 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the sixth request within a minute is 429 RATE_LIMITED with a retry hint; another key is unaffected', async () => {
    const a = (await server.app.storage.createApiKey('a', 'read')).secret;
    const b = (await server.app.storage.createApiKey('b', 'read')).secret;
    for (let i = 0; i < 5; i++) expect((await postGql(server.url, '{ strategies { id } }', undefined, bearer(a))).errors).toBeUndefined();
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(a) }, body: JSON.stringify({ query: '{ strategies { id } }' }) });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { errors: WireError[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    // 5 per minute: the next token comes within 12 s.
    expect(body.errors[0]!.extensions!.retryAfterMs as number).toBeLessThanOrEqual(12_000);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await postGql(server.url, '{ strategies { id } }', undefined, bearer(b))).errors).toBeUndefined();
  });
});

describe('open mode only on loopback', () => {
  it('refuses to start without keys on a non-loopback address, unless AUTH=none; starts once a key exists', async () => {
    const t = tempDir();
    const common = { port: 0, host: '0.0.0.0', databasePath: `${t.dir}/db.sqlite`, strategiesDir: `${t.dir}/none`, workers: 1, seedDemo: false, shutdownGraceMs: 0, log: () => {} };
    try {
      await expect(buildApp({ ...common, auth: 'auto' })).rejects.toThrow(/refusing to start without API keys on 0\.0\.0\.0.*AUTH=none/);
      const open = await buildApp({ ...common, auth: 'none' });
      const { port } = await open.start();
      const res = await postGql(`http://127.0.0.1:${port}/graphql`, '{ strategies { id } }');
      expect(res.errors).toBeUndefined();
      await open.storage.createApiKey('ops', 'admin');
      await open.stop();

      const keyed = await buildApp({ ...common, auth: 'auto' });
      const started = await keyed.start();
      const anonymous = await postGql(`http://127.0.0.1:${started.port}/graphql`, '{ strategies { id } }');
      expect(codes(anonymous.errors)).toEqual(['UNAUTHENTICATED']);
      await keyed.stop();
    } finally {
      t.remove();
    }
  });

  it('AUTH=keys requires a key even before any exists', async () => {
    const server = await startServer({ auth: 'keys' });
    try {
      expect(codes((await server.gql('{ strategies { id } }')).errors)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await server.stop();
    }
  });
});

describe('subscriptions per key', () => {
  let server: TestServer;
  const saved = process.env.MAX_SUBSCRIPTIONS_PER_KEY;
  beforeAll(async () => {
    process.env.MAX_SUBSCRIPTIONS_PER_KEY = '2';
    server = await startServer();
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.MAX_SUBSCRIPTIONS_PER_KEY;
    else process.env.MAX_SUBSCRIPTIONS_PER_KEY = saved;
    await server?.stop();
  });

  it('a key holds at most MAX_SUBSCRIPTIONS_PER_KEY open subscriptions across connections; another key is unaffected', async () => {
    const quant = (await server.app.storage.createApiKey('quant', 'run')).secret;
    const other = (await server.app.storage.createApiKey('other', 'run')).secret;
    const long = (await postGql(server.url, `mutation { runBacktest(input: {
      strategy: "sma-crossover", params: { fastPeriod: 2, slowPeriod: 3, quantity: 1 }, dataset: "synthetic", symbols: ["AAA", "BBB", "CCC", "DDD"], period: MINUTE
    }) { id } }`, undefined, bearer(quant))).data!.runBacktest.id as string;
    const query = `subscription { runStatus(id: "${long}") { status } }`;
    const a = wsClient(server.wsUrl, { authorization: `Bearer ${quant}` });
    const b = wsClient(server.wsUrl, { authorization: `Bearer ${quant}` });
    const c = wsClient(server.wsUrl, { authorization: `Bearer ${other}` });
    try {
      let live = 0;
      const open = [a, b].map((client) => subscribeWith(client, query, undefined, { timeoutMs: 120_000, onNext: () => void live++ }));
      await waitFor(() => live >= 2);
      const third = await subscribeWith(b, query);
      expect(third.errors[0]?.extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', scope: 'owner', limit: 2 });
      // The other key sees nothing of quant's run: NOT_FOUND, not a limit.
      expect(codes((await subscribeWith(c, query)).errors)).toEqual(['NOT_FOUND']);
      await postGql(server.url, `mutation { cancelBacktest(id: "${long}") { id } }`, undefined, bearer(quant));
      for (const done of await Promise.all(open)) expect(done.events.at(-1)).toEqual({ runStatus: { status: 'CANCELLED' } });
      // Places are given back when the streams end.
      expect((await subscribeWith(b, query)).errors).toEqual([]);
    } finally {
      await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
    }
  });
});
