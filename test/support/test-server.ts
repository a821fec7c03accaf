/**
 * Helpers for the API integration tests: a real server (buildApp) on a free port with a temp SQLite
 * file, the real Piscina pool and the demo data; GraphQL over HTTP, WebSocket (graphql-ws) and SSE;
 * polling; and a server spawned as a child process through the CLI for the kill/restart tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openDatabase, type AppDatabase } from '../../src/data/db.js';
import { SqliteStorage } from '../../src/data/sqlite-storage.js';
import { seedDemoData } from '../../src/data/demo.js';
import { buildApp, type App, type AppOptions } from '../../src/server.js';
import { onPostgres, serverDatabase, sqlOnPostgres } from './test-database.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_STRATEGIES = join(REPO_ROOT, 'test', 'fixtures', 'strategies');

/** A GraphQL error as it arrives on the wire. */
export interface WireError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string; readonly [key: string]: unknown };
}

export interface GqlResult<T> {
  readonly data: T | null | undefined;
  readonly errors: readonly WireError[] | undefined;
}

export type Variables = Record<string, unknown>;

/** What a subscription delivered before it completed (or failed with GraphQL errors). */
export interface SubscriptionResult<T> {
  /** The `data` of every `next` payload that had data, in arrival order. */
  readonly events: T[];
  /** GraphQL errors from `next` payloads or from an `error` message. */
  readonly errors: WireError[];
}

export interface SubscribeOptions {
  /** Fails the subscription when it has not completed by then (default 30 s). */
  readonly timeoutMs?: number;
  /** Called with the data of each event as it arrives (e.g. to learn that the subscription is live). */
  readonly onNext?: (data: any) => void;
  /** Extra HTTP headers (SSE), e.g. an Authorization header. */
  readonly headers?: Record<string, string>;
}

/** POSTs one operation to a GraphQL endpoint and returns its `{ data, errors }`. */
export async function postGql<T = Record<string, any>>(url: string, query: string, variables?: Variables, headers: Record<string, string> = {}): Promise<GqlResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: WireError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`POST ${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { data: body.data, errors: body.errors };
}

/** Like postGql, but any GraphQL error fails the call: for operations that must succeed. */
export async function postGqlOk<T = Record<string, any>>(url: string, query: string, variables?: Variables): Promise<T> {
  const r = await postGql<T>(url, query, variables);
  if (r.errors?.length) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(r.errors)}`);
  if (r.data == null) throw new Error('GraphQL answered without data');
  return r.data;
}

/** Runs one subscription on a graphql-ws client and collects every event until it completes. */
export function subscribeWith<T = Record<string, any>>(
  client: Client,
  query: string,
  variables?: Variables,
  options: SubscribeOptions = {},
): Promise<SubscriptionResult<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolvePromise, reject) => {
    const events: T[] = [];
    const errors: WireError[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      unsubscribe();
      reject(new Error(`subscription did not complete within ${timeoutMs} ms (${events.length} event(s) so far): ${query.trim().split('\n')[0]}`));
    }, timeoutMs);
    const unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (payload) => {
          if (payload.data != null) {
            events.push(payload.data as T);
            options.onNext?.(payload.data);
          }
          if (payload.errors) errors.push(...(payload.errors as WireError[]));
        },
        error: (e: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // graphql-ws hands over an array of GraphQL errors for an `error` message; anything else is a transport failure.
          if (Array.isArray(e)) {
            errors.push(...(e as WireError[]));
            resolvePromise({ events, errors });
          } else {
            reject(e instanceof Error ? e : new Error(`subscription failed: ${describeError(e)}`));
          }
        },
        complete: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolvePromise({ events, errors });
        },
      },
    );
  });
}

function describeError(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'reason' in e) return `socket closed ${String(e.code)} ${String(e.reason)}`;
  if (e && typeof e === 'object' && 'type' in e) return `socket ${String(e.type)}`;
  return String(e);
}

/**
 * A raw `ws` socket speaking graphql-transport-ws, opened and acknowledged (connection_init sent,
 * the first message awaited): for tests that must control reading at the TCP level.
 */
export async function openAckedSocket(wsUrl: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const acked = new Promise<void>((resolve) => socket.once('message', () => resolve()));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  return socket;
}

/** A graphql-ws client over the `ws` package (subprotocol graphql-transport-ws). */
export function wsClient(wsUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams });
}

/**
 * Subscribes over HTTP with Server-Sent Events (POST, accept: text/event-stream) and collects every
 * `next` payload until the stream ends (a `complete` event or the end of the body).
 */
export async function subscribeSse<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Variables,
  options: SubscribeOptions = {},
): Promise<SubscriptionResult<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`SSE subscription did not complete within ${timeoutMs} ms`)), timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    const contentType = res.headers.get('content-type') ?? '';
    if (!contentType.includes('text/event-stream')) {
      // An error before the stream starts may come back as a plain GraphQL response.
      const body = (await res.json()) as { data?: T; errors?: WireError[] };
      return { events: body.data != null ? [body.data] : [], errors: body.errors ?? [] };
    }
    if (!res.body) throw new Error('SSE response without a body');
    const events: T[] = [];
    const errors: WireError[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      let end: number;
      let completed = false;
      // One SSE message per blank-line-terminated block.
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(':')) continue; // comment / keep-alive
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') event = val;
          else if (name === 'data') data.push(val);
        }
        if (event === 'complete') {
          completed = true;
          break;
        }
        if (data.length === 0) continue;
        const payload = JSON.parse(data.join('\n')) as { data?: T; errors?: WireError[] };
        if (payload.data != null) events.push(payload.data);
        if (payload.errors) errors.push(...payload.errors);
      }
      if (completed) {
        await reader.cancel().catch(() => undefined);
        return { events, errors };
      }
      if (done) return { events, errors };
    }
  } finally {
    clearTimeout(timer);
  }
}

export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Named in the timeout error. */
  readonly what?: string;
}

/** Polls `predicate` until it returns a truthy value, and returns that value; fails after the timeout. */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A running service as a test talks to it: HTTP, SSE and its shared WebSocket client. */
export interface GraphQLEndpoint {
  /** http://127.0.0.1:PORT/graphql */
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  gql<T = Record<string, any>>(query: string, variables?: Variables): Promise<GqlResult<T>>;
  /** gql that throws on any GraphQL error. */
  gqlOk<T = Record<string, any>>(query: string, variables?: Variables): Promise<T>;
  /** A subscription over the shared WebSocket client. */
  subscribe<T = Record<string, any>>(query: string, variables?: Variables, options?: SubscribeOptions): Promise<SubscriptionResult<T>>;
  subscribeSse<T = Record<string, any>>(query: string, variables?: Variables, options?: SubscribeOptions): Promise<SubscriptionResult<T>>;
}

export interface TestServer extends GraphQLEndpoint {
  readonly app: App;
  /** The SQLite connection behind the app's storage: for tests that write or inspect the file directly (SQLite only). */
  readonly db: AppDatabase;
  /** DATABASE_PATH or DATABASE_URL of the server's database, for a CLI process on the same data. */
  readonly databaseEnv: Record<string, string>;
  /** Runs an SQL statement on the server's database, whichever it is (e.g. to break it on purpose). */
  sql(statement: string): Promise<void>;
  readonly dir: string;
  readonly databasePath: string;
  /** Stops the server (graceful shutdown of the pool) and, unless keepDir, removes the temp dir. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

export interface StartOptions extends Partial<AppOptions> {
  /** Use this dir (e.g. to reopen an existing database) instead of a new temp dir. */
  readonly dir?: string;
}

/**
 * Starts a real server: temp SQLite file with the demo data, port 0 on 127.0.0.1, two pool threads,
 * no user strategies unless `strategiesDir` says otherwise, silent log.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const { dir: givenDir, ...appOptions } = options;
  const dir = givenDir ?? mkdtempSync(join(tmpdir(), 'backtest-api-'));
  const databasePath = appOptions.databasePath ?? join(dir, 'test.db');
  const database = await serverDatabase(databasePath, appOptions.seedDemo !== false);
  let app: App;
  try {
    app = await buildApp({
      port: 0,
      host: '127.0.0.1',
      ...database.options,
      strategiesDir: join(dir, 'no-strategies'),
      workers: 2,
      seedDemo: true,
      shutdownGraceMs: 2_000,
      log: () => {},
      ...appOptions,
    });
  } catch (e) {
    if (!givenDir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const { url, port } = await app.start();
  const wsUrl = `ws://127.0.0.1:${port}/graphql`;
  let client: Client | undefined;
  const ws = () => (client ??= wsClient(wsUrl));
  const storage = app.storage;
  return {
    app,
    get db(): AppDatabase {
      if (!(storage instanceof SqliteStorage)) throw new Error('this test reads the SQLite file directly; the server runs on Postgres');
      return storage.app;
    },
    databaseEnv: database.options.databaseUrl ? { DATABASE_URL: database.options.databaseUrl } : { DATABASE_PATH: databasePath },
    async sql(statement) {
      if (storage instanceof SqliteStorage) storage.app.sqlite.exec(statement);
      else await sqlOnPostgres(database.options.databaseUrl!, statement);
    },
    url,
    wsUrl,
    port,
    dir,
    databasePath,
    gql: (query, variables) => postGql(url, query, variables),
    gqlOk: (query, variables) => postGqlOk(url, query, variables),
    subscribe: (query, variables, opts) => subscribeWith(ws(), query, variables, opts),
    subscribeSse: (query, variables, opts) => subscribeSse(url, query, variables, opts),
    async stop(opts = {}) {
      await client?.dispose();
      await app.stop();
      if (!opts.keepDir && !givenDir) {
        rmSync(dir, { recursive: true, force: true });
        await database.drop();
      }
    },
  };
}

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code / signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node --import tsx src/cli.ts serve` (or `node ...args`) in the repo with PORT=0 and the
 * given env, and waits for the "listening on" line to learn its URL.
 */
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 60_000,
  args: readonly string[] = ['--import', 'tsx', 'src/cli.ts', 'serve'],
): Promise<ChildServer> {
  const child = spawn(process.execPath, [...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WORKERS: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print its URL within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/\S+\/graphql)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening; output:\n${out}`));
    });
  });
  return { child, url, port: Number(new URL(url).port), output: () => out, exited };
}

/**
 * A database file that already holds the demo data, made once (in `templateDir`) and copied to
 * `target`: for child-process servers, so each one does not spend a second of CPU seeding.
 */
export function seededDatabaseCopy(templateDir: string, target: string): string {
  const template = join(templateDir, 'seeded-template.db');
  if (!seeded.has(template)) {
    const app = openDatabase(template);
    seedDemoData(app);
    app.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    app.close();
    seeded.add(template);
  }
  copyFileSync(template, target);
  return target;
}
const seeded = new Set<string>();

/**
 * A database with the demo data for a child-process server, named by a path in `dir`: an SQLite
 * copy there, or on Postgres the database startServer({ databasePath: path }) opens again.
 */
export async function seededChildDatabase(templateDir: string, dir: string, name: string): Promise<{ path: string; env: Record<string, string> }> {
  const path = join(dir, name);
  if (!onPostgres) return { path: seededDatabaseCopy(templateDir, path), env: { DATABASE_PATH: path } };
  const database = await serverDatabase(path, true);
  return { path, env: { DATABASE_URL: database.options.databaseUrl! } };
}

/** Temp dir helper for tests that manage databases themselves. */
export function tempDir(prefix = 'backtest-api-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Fields of a run most tests read. */
export const RUN_FIELDS = `id status progress barsProcessed error startedAt finishedAt createdAt`;

export interface RunView {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  progress: number;
  barsProcessed: number;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Wire shape of a fill. */
export interface FillView {
  id: string;
  orderId: string;
  time: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  commission: number;
}
export const FILL_FIELDS = 'id orderId time symbol side quantity price commission';

/** Reads every fill of a run through the `fills` connection, `pageSize` at a time (first/after). */
export async function allFills(
  gql: TestServer['gqlOk'],
  runId: string,
  pageSize = 1000,
): Promise<{ fills: FillView[]; totalCount: number; pages: number }> {
  const fills: FillView[] = [];
  let after: string | null = null;
  let totalCount = -1;
  let pages = 0;
  for (;;) {
    const d: { run: { fills: { totalCount: number; edges: { cursor: string; node: FillView }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } =
      await gql(
        `query($id: ID!, $first: Int, $after: String) { run(id: $id) { fills(first: $first, after: $after) {
          totalCount edges { cursor node { ${FILL_FIELDS} } } pageInfo { hasNextPage endCursor } } } }`,
        { id: runId, first: pageSize, after },
      );
    const c = d.run.fills;
    pages++;
    totalCount = c.totalCount;
    fills.push(...c.edges.map((e) => e.node));
    if (!c.pageInfo.hasNextPage) break;
    if (c.pageInfo.endCursor == null || c.edges.length === 0) throw new Error('hasNextPage without an endCursor');
    after = c.pageInfo.endCursor;
  }
  return { fills, totalCount, pages };
}
