/**
 * runUpdates against real servers (graphql-ws over `ws`, raw WebSockets, the real pool and SQLite):
 *
 * - 10 concurrent runs, each followed from its start: across the batches every stored fill arrives
 *   exactly once and in order, every order's last state is its stored one, equity times increase,
 *   the last update carries the final status and the final equity, and the updates are batches
 *   (far fewer than the fills).
 * - resuming with afterSeq after the client's socket is cut (while the run goes on, and after it
 *   has ended, from its live position into the stored replay) loses and repeats no fill; the
 *   stored replay resumes after any of its pages.
 * - bad afterSeq values are BAD_USER_INPUT naming afterSeq; an unknown run is NOT_FOUND.
 * - subscribers that never read (a spawned server, so its memory is its own): they are closed, the
 *   server's resident memory stays bounded, a reader gets every fill and the run completes.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORED_SEQ_BASE } from '../src/jobs/run-updates.js';
import {
  allFills,
  FIXTURE_STRATEGIES,
  openAckedSocket,
  postGqlOk,
  seededChildDatabase,
  spawnServer,
  startServer,
  tempDir,
  waitFor,
  wsClient,
  type ChildServer,
  type FillView,
  type TestServer,
  type WireError,
} from './support/test-server.js';
import { loadReference } from './support/sp500.js';

const reference = loadReference();
const START = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`;
const UPDATES = `subscription($id: ID!, $afterSeq: Int) { runUpdates(id: $id, afterSeq: $afterSeq) {
  seq status progress barsProcessed simTime
  fills { id orderId time symbol side quantity price commission }
  orderUpdates { id status filledQuantity averageFillPrice }
  equity { time equity }
  latestEquity { time equity }
} }`;

interface Update {
  seq: number;
  status: string;
  progress: number;
  barsProcessed: number;
  simTime: string | null;
  fills: FillView[];
  orderUpdates: { id: string; status: string; filledQuantity: number; averageFillPrice: number | null }[];
  equity: { time: string; equity: number }[];
  latestEquity: { time: string; equity: number } | null;
}

type Gql = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) => Promise<T>;

const REFERENCE_INPUT = { ...reference.input, symbols: ['SPX'], period: 'DAY', dataset: 'demo' };
/** Many fills over several engine chunks: crossings of 5/20 on a random walk of minute bars. */
const BUSY_INPUT = (symbols: string[]) => ({ strategy: 'sma-crossover', params: { fastPeriod: 5, slowPeriod: 20, quantity: 1 }, symbols, period: 'MINUTE', dataset: 'synthetic' });
/** ~5 s of run with a fill every 20 bars: time to cut a client off in the middle. */
const SLOW_INPUT = { strategy: 'slow', params: { microsPerBar: 20, tradeEvery: 20 }, symbols: ['AAA'], period: 'MINUTE', dataset: 'synthetic' };

/**
 * Follows runUpdates on `client` until the stream completes, fails, or `stopWhen` says to stop
 * (then the caller cuts the socket; the promise resolves with what arrived so far).
 */
function follow(client: Client, id: string, afterSeq: number | null, stopWhen?: (updates: Update[]) => boolean) {
  const updates: Update[] = [];
  const errors: WireError[] = [];
  let stop!: () => void;
  const done = new Promise<{ updates: Update[]; errors: WireError[]; completed: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runUpdates(${id}) did not complete in time (${updates.length} updates)`)), 180_000);
    const end = (completed: boolean) => {
      clearTimeout(timer);
      resolve({ updates, errors, completed });
    };
    stop = () => end(false);
    client.subscribe<{ runUpdates: Update }>(
      { query: UPDATES, variables: { id, afterSeq } },
      {
        next: (p) => {
          if (p.errors) errors.push(...(p.errors as unknown as WireError[]));
          if (p.data) updates.push(p.data.runUpdates);
          if (stopWhen?.(updates)) stop();
        },
        error: (e) => {
          if (Array.isArray(e)) errors.push(...(e as WireError[]));
          end(false);
        },
        complete: () => end(true),
      },
    );
  });
  return { done, updates };
}

/** Fills of all updates, in arrival order. */
const fillsOf = (updates: readonly Update[]) => updates.flatMap((u) => u.fills);

async function storedOrders(gql: Gql, id: string): Promise<Map<string, { status: string; filledQuantity: number }>> {
  const out = new Map<string, { status: string; filledQuantity: number }>();
  for (let after: string | null = null; ; ) {
    const d: Record<string, any> = await gql(`query($id: ID!, $after: String) { run(id: $id) { orders(first: 1000, after: $after) { edges { node { id status filledQuantity } } pageInfo { hasNextPage endCursor } } } }`, { id, after });
    for (const e of d.run.orders.edges) out.set(e.node.id, { status: e.node.status, filledQuantity: e.node.filledQuantity });
    if (!d.run.orders.pageInfo.hasNextPage) return out;
    after = d.run.orders.pageInfo.endCursor;
  }
}

async function waitEnded(gql: Gql, id: string): Promise<string> {
  return waitFor(
    async () => {
      const s: string = (await gql(`query($id: ID!) { run(id: $id) { status } }`, { id })).run.status;
      return s === 'QUEUED' || s === 'RUNNING' ? null : s;
    },
    { what: `run ${id} to end`, timeoutMs: 180_000, intervalMs: 100 },
  );
}

/** Every stored fill exactly once, in order: the ids are compared as whole sequences. */
function expectSameFills(got: readonly FillView[], stored: readonly FillView[], what: string) {
  const ids = got.map((f) => f.id);
  expect(new Set(ids).size, `${what}: a fill arrived twice`).toBe(ids.length);
  expect(ids, `${what}: fills differ from the stored ones`).toEqual(stored.map((f) => f.id));
  expect(got).toEqual(stored);
}

function expectIncreasing(values: readonly number[], what: string) {
  for (let k = 1; k < values.length; k++) if (!(values[k]! > values[k - 1]!)) throw new Error(`${what}: ${values[k - 1]} then ${values[k]} at ${k}`);
}

describe('runUpdates (in-process server)', () => {
  let server: TestServer;
  const gql: Gql = (q, v) => server.gqlOk(q, v);
  const clients: Client[] = [];
  const client = () => {
    const c = wsClient(server.wsUrl);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({ strategiesDir: FIXTURE_STRATEGIES });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
  });

  it('delivers every fill exactly once across batches for 10 concurrent runs, ending with the final status and equity', async () => {
    const inputs = [
      REFERENCE_INPUT,
      BUSY_INPUT(['AAA']),
      REFERENCE_INPUT,
      BUSY_INPUT(['BBB', 'CCC']),
      REFERENCE_INPUT,
      BUSY_INPUT(['DDD']),
      REFERENCE_INPUT,
      BUSY_INPUT(['AAA', 'DDD']),
      { ...REFERENCE_INPUT, params: { ...REFERENCE_INPUT.params, fastPeriod: 10, slowPeriod: 30 } },
      BUSY_INPUT(['CCC']),
    ];
    const shared = client();
    const followed = [];
    for (const [k, input] of inputs.entries()) {
      const id: string = (await gql(START, { input })).runBacktest.id;
      // Half share one connection, half have their own.
      followed.push({ id, input, stream: follow(k % 2 === 0 ? shared : client(), id, null).done });
    }
    let busyFills = 0;
    let busyUpdates = 0;
    for (const { id, input, stream } of followed) {
      const { updates, errors, completed } = await stream;
      expect(errors, `run ${id}`).toEqual([]);
      expect(completed, `run ${id}: the stream completes`).toBe(true);
      const stored = await allFills(gql, id);
      expectSameFills(fillsOf(updates), stored.fills, `run ${id}`);
      expectIncreasing(
        updates.map((u) => u.seq),
        `run ${id}: seq`,
      );
      expectIncreasing(
        updates.flatMap((u) => u.equity.map((p) => Date.parse(p.time))),
        `run ${id}: equity times`,
      );
      const run = (await gql(`query($id: ID!) { run(id: $id) { status progress barsProcessed metrics { finalEquity } } }`, { id })).run;
      const last = updates.at(-1)!;
      expect(last).toMatchObject({ status: 'COMPLETED', progress: 1, barsProcessed: run.barsProcessed });
      expect(last.latestEquity!.equity).toBeCloseTo(run.metrics.finalEquity, 6);
      expect(updates.slice(0, -1).every((u) => u.status !== 'COMPLETED'), `run ${id}: only the last update is final`).toBe(true);
      // Every order's last state in the stream is its stored state.
      const orders = await storedOrders(gql, id);
      const seen = new Map<string, { status: string; filledQuantity: number }>();
      for (const u of updates) for (const o of u.orderUpdates) seen.set(o.id, { status: o.status, filledQuantity: o.filledQuantity });
      expect(seen).toEqual(orders);
      if (input === REFERENCE_INPUT) expect(stored.fills).toHaveLength(reference.fills.length);
      else {
        busyFills += stored.fills.length;
        busyUpdates += updates.length;
      }
    }
    // Batches, not one message per fill.
    expect(busyFills).toBeGreaterThan(20_000);
    expect(busyUpdates * 20).toBeLessThan(busyFills);
  }, 300_000);

  it('resumes with afterSeq after a forced disconnect, while the run goes on and after it ended', async () => {
    for (const resumeAfterEnd of [false, true]) {
      const id: string = (await gql(START, { input: SLOW_INPUT })).runBacktest.id;
      const first = client();
      // Cut off once some fills have arrived while the run is still running.
      const a = follow(first, id, null, (us) => fillsOf(us).length >= 50 && us.at(-1)!.status === 'RUNNING');
      const partial = await a.done;
      await first.terminate();
      const afterSeq = partial.updates.at(-1)!.seq;
      expect(partial.updates.at(-1)!.status).toBe('RUNNING');
      if (resumeAfterEnd) {
        expect(await waitEnded(gql, id)).toBe('COMPLETED');
        // Stored first, then the end published: resume once the job manager has let the run go.
        await waitFor(() => server.app.jobs.activeRun(Number(id)) === undefined, { what: `run ${id} to leave the job manager` });
      }
      const rest = await follow(client(), id, afterSeq).done;
      expect(rest.errors).toEqual([]);
      expect(rest.completed).toBe(true);
      if (!resumeAfterEnd) expect(await waitEnded(gql, id)).toBe('COMPLETED');
      const all = [...partial.updates, ...rest.updates];
      const stored = await allFills(gql, id);
      expect(stored.fills.length).toBeGreaterThan(1_000);
      expectSameFills(fillsOf(all), stored.fills, `run ${id} resumed ${resumeAfterEnd ? 'after its end' : 'while running'}`);
      expectIncreasing(
        all.map((u) => u.seq),
        'seq across the resume',
      );
      expectIncreasing(
        all.flatMap((u) => u.equity.map((p) => Date.parse(p.time))),
        'equity times across the resume',
      );
      if (resumeAfterEnd) expect(rest.updates[0]!.seq).toBeGreaterThan(STORED_SEQ_BASE);
      expect(rest.updates.at(-1)!.status).toBe('COMPLETED');
      const seen = new Map<string, string>();
      for (const u of all) for (const o of u.orderUpdates) seen.set(o.id, o.status);
      expect(seen).toEqual(new Map([...(await storedOrders(gql, id))].map(([k, v]) => [k, v.status])));
    }
  }, 300_000);

  it('replays an ended run from storage in pages and resumes after any page', async () => {
    const id: string = (await gql(START, { input: BUSY_INPUT(['BBB']) })).runBacktest.id;
    expect(await waitEnded(gql, id)).toBe('COMPLETED');
    const stored = await allFills(gql, id);
    const whole = await follow(client(), id, null).done;
    expectSameFills(fillsOf(whole.updates), stored.fills, 'stored replay');
    expect(whole.updates.length).toBeGreaterThan(2);
    expect(whole.updates[0]!.seq).toBe(STORED_SEQ_BASE + 1);
    expect(whole.updates.at(-1)!.equity.length).toBeGreaterThan(100);
    // Cut after the second page, resume after it.
    const c = client();
    const head = await follow(c, id, null, (us) => us.length === 2).done;
    await c.terminate();
    const tail = await follow(client(), id, head.updates.at(-1)!.seq).done;
    expectSameFills(fillsOf([...head.updates.slice(0, 2), ...tail.updates]), stored.fills, 'stored replay resumed');
    // After the last update there is nothing more.
    const none = await follow(client(), id, whole.updates.at(-1)!.seq).done;
    expect(none).toMatchObject({ updates: [], errors: [], completed: true });
  }, 180_000);

  it('refuses an afterSeq that names no position (BAD_USER_INPUT) and an unknown run (NOT_FOUND)', async () => {
    const id: string = (await gql(START, { input: REFERENCE_INPUT })).runBacktest.id;
    expect(await waitEnded(gql, id)).toBe('COMPLETED');
    const c = client();
    for (const afterSeq of [-1, STORED_SEQ_BASE + 999_999]) {
      const r = await follow(c, id, afterSeq).done;
      expect(r.updates).toEqual([]);
      expect(r.errors[0]?.extensions?.code, `afterSeq ${afterSeq}`).toBe('BAD_USER_INPUT');
      expect(r.errors[0]?.message).toMatch(/^afterSeq: /);
    }
    const unknown = await follow(c, '999999', null).done;
    expect(unknown.errors[0]?.extensions?.code).toBe('NOT_FOUND');
  }, 120_000);
});

/**
 * A WebSocket client that subscribes to runUpdates `subscriptions` times (every fill under 24
 * aliases, so each update is large) and then stops reading at the TCP level.
 */
async function nonReader(wsUrl: string, runId: string, subscriptions: number) {
  const socket = await openAckedSocket(wsUrl);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  socket.on('error', () => {});
  const fat = `subscription($id: ID!) { runUpdates(id: $id) { seq fills { id price ${Array.from({ length: 24 }, (_, k) => `t${k}: time`).join(' ')} } } }`;
  for (let k = 0; k < subscriptions; k++) socket.send(JSON.stringify({ id: String(k), type: 'subscribe', payload: { query: fat, variables: { id: runId } } }));
  const raw = (socket as unknown as { _socket: Socket })._socket;
  raw.pause();
  return { closed, resume: () => raw.resume(), terminate: () => socket.terminate() };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
}

describe('runUpdates subscribers that never read (spawned server)', () => {
  const STALL_MS = 2_000;
  const NON_READERS = 10;
  const SUBSCRIPTIONS_EACH = 4;
  let child: ChildServer | undefined;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    dir = tempDir();
    child = await spawnServer({ ...(await seededChildDatabase(dir.dir, dir.dir, 'updates.db')).env, STRATEGIES_DIR: FIXTURE_STRATEGIES, SUBSCRIBER_STALL_MS: String(STALL_MS) });
  }, 120_000);
  afterAll(async () => {
    if (child && child.child.exitCode === null) {
      child.child.kill('SIGTERM');
      await child.exited;
    }
    dir?.remove();
  });

  /** The run once, followed by one reader and `nonReaders` connections that never read; the server's RSS growth over it. */
  async function watchedRun(nonReaders: number) {
    const server = child!;
    const gql: Gql = (q, v) => postGqlOk(server.url, q, v);
    const wsUrl = server.url.replace(/^http/, 'ws');
    const pid = server.child.pid!;
    const health = async () => (await (await fetch(new URL('/health', server.url))).json()) as { slowSubscribersClosed: number };
    const closedBefore = (await health()).slowSubscribersClosed;
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
    const reader = wsClient(wsUrl);
    const idle: Awaited<ReturnType<typeof nonReader>>[] = [];
    try {
      // ~25,000 fills over several seconds: the non-readers stall long before the run ends.
      const id: string = (await gql(START, { input: { ...SLOW_INPUT, params: { microsPerBar: 30, tradeEvery: 10 } } })).runBacktest.id;
      for (let k = 0; k < nonReaders; k++) idle.push(await nonReader(wsUrl, id, SUBSCRIPTIONS_EACH));
      const read = await follow(reader, id, null).done;
      const status = await waitEnded(gql, id);
      await waitFor(async () => (await health()).slowSubscribersClosed - closedBefore >= nonReaders, { what: 'the server to close every non-reader', timeoutMs: 60_000 });
      clearInterval(sampler);
      peak = Math.max(peak, rssOf(pid));
      for (const c of idle) c.resume();
      const closes = await Promise.all(idle.map((c) => c.closed));
      return { id, gql, read, status, closes, baseline, grew: peak - baseline };
    } finally {
      clearInterval(sampler);
      for (const c of idle) c.terminate();
      await reader.dispose();
    }
  }

  it('closes them while the server memory stays bounded; a reader gets every fill; the run completes', async () => {
    // The same run without non-readers first (after one that warms the pool and the heap up): what
    // the run itself costs the server.
    await watchedRun(0);
    const alone = await watchedRun(0);
    expect(alone.status).toBe('COMPLETED');
    const watched = await watchedRun(NON_READERS);
    expect(watched.status).toBe('COMPLETED');
    const stored = await allFills(watched.gql, watched.id, 1000);
    expect(stored.fills.length).toBeGreaterThan(20_000);
    expect(watched.read.errors).toEqual([]);
    expectSameFills(fillsOf(watched.read.updates), stored.fills, 'the reader');
    for (const close of watched.closes) expect([1013, 1006], `closed with ${close.code} ${close.reason}`).toContain(close.code);
    // What the non-readers asked for: every fill, ~700 bytes each, per subscription.
    const asked = NON_READERS * SUBSCRIPTIONS_EACH * stored.fills.length * 700;
    const extra = watched.grew - alone.grew;
    console.log(
      `runUpdates non-readers: ${NON_READERS} connections x ${SUBSCRIPTIONS_EACH} subscriptions on ${stored.fills.length} fills (~${Math.round(asked / 1e6)} MB asked for); ` +
        `server RSS grew ${Math.round(alone.grew / 1e6)} MB over the run alone, ${Math.round(watched.grew / 1e6)} MB with them (from ${Math.round(watched.baseline / 1e6)} MB)`,
    );
    // Each non-reader holds at most its connection's send buffer (SUBSCRIBER_MAX_BUFFER_BYTES, 16 MB)
    // and one update per subscription; loose, the machine is shared and RSS counts garbage too.
    expect(extra).toBeLessThan(NON_READERS * 16e6 + 100e6);
    expect(watched.grew).toBeLessThan(asked / 2);
  }, 300_000);
});
