/**
 * Browser safety against a real server: what a foreign web page could make a user's browser send
 * (a form POST, a text/plain or multipart POST, a GET mutation, any request with a foreign Origin,
 * a WebSocket from a foreign page, a request under a rebound DNS name) cannot change anything: the
 * stored run is still there afterwards. The CORS allow-list answers listed origins only, without
 * credentials. Security headers are on every response (API, GraphiQL, /health, 404), and
 * GraphiQL's CSP names the hash of its inline script. Production mode hides GraphiQL, introspection
 * and suggestions (over HTTP and WebSocket) and masks an internal error, while our coded errors
 * stay visible.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exposureFor, exposureFromEnv } from '../src/schema/production-mode.js';
import { startServer, subscribeWith, waitFor, wsClient, type TestServer, type WireError } from './support/test-server.js';

const DELETE = (id: string) => `mutation { deleteRuns(ids: ["${id}"]) }`;
const FOREIGN = 'http://evil.example';

async function startRun(server: TestServer): Promise<string> {
  const d = await server.gqlOk(
    `mutation { runBacktest(input: { strategy: "sma-crossover", params: { fastPeriod: 10, slowPeriod: 30, quantity: 1 }, dataset: "demo", symbols: ["SPX"], period: DAY, start: "2019-01-01" }) { id } }`,
  );
  const id = d.runBacktest.id as string;
  await waitFor(async () => (await server.gqlOk(`query($id: ID!) { run(id: $id) { status } }`, { id })).run.status === 'COMPLETED', { what: `run ${id}` });
  return id;
}

async function runExists(server: TestServer, id: string): Promise<boolean> {
  const d = await server.gqlOk(`query($id: ID!) { run(id: $id) { id status } }`, { id });
  return d.run?.status === 'COMPLETED';
}

/** A raw HTTP request (node:http, so Host and Origin can be anything). */
function raw(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/graphql', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a WebSocket upgrade with these headers: the HTTP status of a refusal, or 101. */
function upgradeStatus(wsUrl: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    socket.once('error', (e) => reject(e));
  });
}

function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(String(headers['content-security-policy']), what).toMatch(/frame-ancestors 'none'/);
  expect(String(headers['content-security-policy']), what).toMatch(/default-src 'none'/);
}

describe('default server: same origin only', () => {
  let server: TestServer;
  let runId: string;

  beforeAll(async () => {
    server = await startServer();
    runId = await startRun(server);
  });
  afterAll(async () => server?.stop());

  it('form-encoded, multipart and text/plain POSTs are refused (415) and cannot delete a run', async () => {
    const form = await raw(server.port, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(DELETE(runId))}`,
    });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const boundary = 'xyz';
    const multipart = await raw(server.port, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: DELETE(runId) })}\r\n--${boundary}--\r\n`,
    });
    expect(multipart.status).toBe(415);

    const text = await raw(server.port, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: DELETE(runId) }) });
    expect(text.status).toBe(415);
    expect(await runExists(server, runId)).toBe(true);
  });

  it('GET: a mutation is refused (405); a query needs a header a simple request cannot carry', async () => {
    const path = (q: string) => `/graphql?query=${encodeURIComponent(q)}`;
    const mutation = await raw(server.port, { path: path(DELETE(runId)), headers: { 'x-graphql-csrf': '1' } });
    expect(mutation.status).toBe(405);
    const simple = await raw(server.port, { path: path(DELETE(runId)) });
    expect(simple.status).toBe(403);
    expect(await runExists(server, runId)).toBe(true);

    expect((await raw(server.port, { path: path('{ strategies { id } }') })).status).toBe(403);
    const withHeader = await raw(server.port, { path: path('{ strategies { id } }'), headers: { 'x-graphql-csrf': '1' } });
    expect(withHeader.status).toBe(200);
    expect(JSON.parse(withHeader.body).data.strategies.length).toBeGreaterThan(0);
  });

  it('a request from a foreign Origin cannot mutate (403), even as JSON; no CORS headers are given', async () => {
    const post = await raw(server.port, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: FOREIGN },
      body: JSON.stringify({ query: DELETE(runId) }),
    });
    expect(post.status).toBe(403);
    expect(JSON.parse(post.body).errors[0].extensions.code).toBe('FORBIDDEN_ORIGIN');
    expect(post.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await raw(server.port, {
      method: 'OPTIONS',
      headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    // "null" (sandboxed frames, file: pages) is foreign too.
    const nullOrigin = await raw(server.port, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'null' }, body: JSON.stringify({ query: DELETE(runId) }) });
    expect(nullOrigin.status).toBe(403);
    expect(await runExists(server, runId)).toBe(true);
  });

  it('the same origin (GraphiQL served by this server) may call', async () => {
    const r = await raw(server.port, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${server.port}` },
      body: JSON.stringify({ query: '{ strategies { id } }' }),
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).data.strategies.length).toBeGreaterThan(0);
  });

  it('DNS rebinding: a request addressed to a foreign host name is refused on a loopback server', async () => {
    const r = await raw(server.port, {
      method: 'POST',
      headers: { host: `evil.example:${server.port}`, origin: `http://evil.example:${server.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: DELETE(runId) }),
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).errors[0].extensions.code).toBe('FORBIDDEN_HOST');
    expect((await raw(server.port, { path: '/health', headers: { host: `localhost:${server.port}` } })).status).toBe(200);
    expect(await runExists(server, runId)).toBe(true);
  });

  it('a WebSocket from a foreign page (or a rebound host) is refused at the upgrade', async () => {
    expect(await upgradeStatus(server.wsUrl, { origin: FOREIGN })).toBe(403);
    expect(await upgradeStatus(server.wsUrl, { host: `evil.example:${server.port}` })).toBe(403);
    expect(await upgradeStatus(server.wsUrl, { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await upgradeStatus(server.wsUrl, {})).toBe(101);
  });

  it('security headers on every response: API, GraphiQL, /health, 404, refusals', async () => {
    const api = await raw(server.port, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ strategies { id } }' }) });
    expectSecurityHeaders(api.headers, 'POST /graphql');
    expectSecurityHeaders((await raw(server.port, { path: '/health' })).headers, '/health');
    expectSecurityHeaders((await raw(server.port, { path: '/nothing-here' })).headers, '404');
    expectSecurityHeaders((await raw(server.port, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).headers, '415');

    const page = await raw(server.port, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expectSecurityHeaders(page.headers, 'GraphiQL');
    // The page's policy allows exactly its inline script, by hash (no 'unsafe-inline' scripts).
    const csp = String(page.headers['content-security-policy']);
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    expect(csp).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/connect-src 'self'/);
  });
});

describe('CORS_ORIGINS allow-list', () => {
  const APP = 'https://app.example.com';
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ browser: { corsOrigins: [APP], allowedHosts: [] } });
  });
  afterAll(async () => server?.stop());

  it('a listed origin gets CORS headers for itself, without credentials; others get a 403', async () => {
    const preflight = await raw(server.port, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/);

    const post = await raw(server.port, { method: 'POST', headers: { origin: APP, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ strategies { id } }' }) });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(APP);
    expect(post.headers.vary).toMatch(/Origin/);

    const other = await raw(server.port, { method: 'POST', headers: { origin: 'https://app.example.com.evil.example', 'content-type': 'application/json' }, body: '{"query":"{ strategies { id } }"}' });
    expect(other.status).toBe(403);
    expect(await upgradeStatus(server.wsUrl, { origin: APP })).toBe(101);
    expect(await upgradeStatus(server.wsUrl, { origin: 'http://app.example.com' })).toBe(403);
  });

  it('CORS_ORIGINS and ALLOWED_HOSTS are checked at start-up', async () => {
    const { browserOptionsFromEnv } = await import('../src/http/browser-guard.js');
    expect(browserOptionsFromEnv({ CORS_ORIGINS: ' https://a.example , http://b.example:8080/ ' }).corsOrigins).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(browserOptionsFromEnv({}).corsOrigins).toEqual([]);
    for (const bad of ['*', 'https://a.example/path', 'a.example', 'ftp://a.example']) {
      expect(() => browserOptionsFromEnv({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
    expect(() => browserOptionsFromEnv({ ALLOWED_HOSTS: 'http://x' })).toThrow(/ALLOWED_HOSTS/);
  });
});

describe('production mode', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ exposure: exposureFor(true) });
  });
  afterAll(async () => server?.stop());

  it('is what NODE_ENV=production means, with GRAPHIQL=1 / INTROSPECTION=1 to re-enable', () => {
    expect(exposureFromEnv({ NODE_ENV: 'production' })).toEqual({ production: true, graphiql: false, introspection: false });
    expect(exposureFromEnv({ NODE_ENV: 'production', GRAPHIQL: '1', INTROSPECTION: '1' })).toEqual({ production: true, graphiql: true, introspection: true });
    expect(exposureFromEnv({ NODE_ENV: 'test' })).toEqual({ production: false, graphiql: true, introspection: true });
    expect(() => exposureFromEnv({ GRAPHIQL: 'yes' })).toThrow(/GRAPHIQL must be 1 or 0/);
  });

  it('no GraphiQL page', async () => {
    const page = await raw(server.port, { headers: { accept: 'text/html' } });
    expect(page.body).not.toContain('GraphiQL');
    expectSecurityHeaders(page.headers, 'GET /graphql in production');
  });

  it('no introspection and no suggestions, over HTTP and WebSocket', async () => {
    const intro = await server.gql(`{ __schema { types { name } } }`);
    expect(intro.data ?? null).toBeNull();
    expect(intro.errors![0]!.message).toMatch(/introspection/i);
    const typeQuery = await server.gql(`{ __type(name: "BacktestRun") { fields { name } } }`);
    expect(typeQuery.errors![0]!.message).toMatch(/introspection/i);

    const typo = await server.gql(`{ runz { id } }`);
    expect(typo.errors![0]!.message).toMatch(/Cannot query field "runz"/);
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean|"runs"/);

    const client = wsClient(server.wsUrl);
    try {
      const overWs = await subscribeWith(client, `{ __schema { queryType { name } } }`);
      expect(overWs.events).toEqual([]);
      expect(overWs.errors[0]!.message).toMatch(/introspection/i);
      const typoWs = await subscribeWith(client, `{ strategiez { id } }`);
      expect(JSON.stringify(typoWs.errors)).not.toMatch(/Did you mean/);
    } finally {
      await client.dispose();
    }
  });

  it('an internal error is masked; BAD_USER_INPUT and NOT_FOUND stay visible', async () => {
    // A real internal failure: the runs table is briefly missing under the running server.
    await server.sql('ALTER TABLE runs RENAME TO runs_hidden');
    let r: { errors?: readonly WireError[] | undefined; data?: unknown };
    try {
      r = await server.gql(`{ runs(first: 1) { totalCount } }`);
    } finally {
      await server.sql('ALTER TABLE runs_hidden RENAME TO runs');
    }
    expect(r.errors![0]!.message).toBe('Unexpected error.');
    expect(JSON.stringify(r.errors)).not.toMatch(/sqlite|postgres|no such table|does not exist|runs_hidden|stack|originalError/i);

    const bad = await server.gql(`{ runs(first: 1, after: "garbage") { totalCount } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toMatch(/^after: /);
    const missing = await server.gql(`mutation { cancelBacktest(id: "999999") { id } }`);
    expect(missing.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect((await server.gqlOk(`{ runs(first: 1) { totalCount } }`)).runs.totalCount).toBeGreaterThanOrEqual(0);
  });

  it('GRAPHIQL=1 brings the page back in production', async () => {
    const withPage = await startServer({ exposure: exposureFor(true, { graphiql: true }) });
    try {
      const page = await raw(withPage.port, { headers: { accept: 'text/html' } });
      expect(page.body).toContain('YogaGraphiQL.renderYogaGraphiQL');
      expect((await withPage.gql(`{ __schema { queryType { name } } }`)).errors![0]!.message).toMatch(/introspection/i);
    } finally {
      await withPage.stop();
    }
  });
});
