/**
 * The pubsub event target through Redis (src/jobs/redis-event-target.ts) against a real
 * redis-server (test/support/redis-server.ts), as two API processes would use it: each has its own
 * transport (two connections) and its own Yoga pubsub over it. Also the exact JSON the events
 * travel as, the REDIS_URL selection, and the harness's policy.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { createPubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fill, Order } from '../src/engine/orders.js';
import type { RunMetrics } from '../src/engine/results.js';
import { mulberry32 } from '../src/data/synthetic.js';
import { exactJson } from '../src/jobs/exact-json.js';
import { eventTargetFromEnv, memoryEventTarget, redisEventTarget, RedisUrlError, type EventTransport } from '../src/jobs/redis-event-target.js';
import { parseRedisUrl } from '../src/jobs/redis-url.js';
import { missingReason, redisAvailable, requireRedis, startRedis, type RedisServer } from './support/redis-server.js';

/** Every number in `value`, depth first in key order: what "bit for bit" compares. */
function numbersOf(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) for (const v of value) numbersOf(v, out);
  else if (typeof value === 'object' && value !== null) for (const k of Object.keys(value)) numbersOf((value as Record<string, unknown>)[k], out);
  return out;
}

/** The IEEE 754 bit patterns, as hex, of `numbers`. */
const bitsOf = (numbers: readonly number[]) => Buffer.from(new Float64Array(numbers).buffer).toString('hex');

/** Doubles from random bit patterns (every exponent, subnormals included), NaN patterns left out. */
function randomDoubles(count: number, seed: number): number[] {
  const next = mulberry32(seed);
  const words = new Uint32Array(2);
  const view = new Float64Array(words.buffer);
  const out: number[] = [];
  while (out.length < count) {
    words[0] = next() * 2 ** 32;
    words[1] = next() * 2 ** 32;
    if (!Number.isNaN(view[0]!)) out.push(view[0]!);
  }
  return out;
}

const EDGE_NUMBERS = [
  0, -0, 1, -1, 0.1 + 0.2, 1 / 3, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE,
  2.2250738585072014e-308 /* smallest normal */, 2.225073858507201e-308 /* largest subnormal */,
  Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, Number.EPSILON, 1e21, 1e-7, 123456789.12345679, Infinity, -Infinity, NaN,
];

function fill(i: number, price: number, commission: number): Fill {
  return { id: i + 1, orderId: i + 1, time: 1_577_836_800_000 + i * 60_000, symbolIndex: i % 4, symbol: 'AAA', barIndex: i, side: i % 2 ? 'SELL' : 'BUY', quantity: 10 + i, price, commission };
}

function order(i: number, price: number): Order {
  return {
    id: i + 1, time: 1_577_836_800_000, symbolIndex: 0, symbol: 'AAA', side: 'BUY', type: 'LIMIT', quantity: 5, limitPrice: price, stopPrice: null,
    timeInForce: 'GTC', tag: i % 2 ? null : '\u0000tag starting with U+0000', trailAmount: null, trailPercent: null, parentId: null, ocoGroup: null,
    status: 'PARTIALLY_FILLED', filledQuantity: 2, averageFillPrice: price, reason: null, triggered: false, bestPrice: -0, held: false,
    submittedStep: 3, expiresAt: Infinity, updatedAt: 1_577_836_860_000,
  };
}

const METRICS_EDGES: RunMetrics = {
  finalEquity: 100_000.00000000001, totalReturn: -0, cagr: null, volatility: 0.1 + 0.2, sharpe: NaN, sortino: -Infinity, maxDrawdown: -0.3333333333333333,
  maxDrawdownDuration: 0, trades: 7, winRate: 0.42857142857142855, profitFactor: Infinity, totalCommission: 5e-324, exposure: 1,
};

describe('exact JSON', () => {
  it('reads back every number bit for bit, -0 and the non-finite ones included', () => {
    const numbers = [...EDGE_NUMBERS, ...randomDoubles(20_000, 14)];
    const back = exactJson.parse(exactJson.stringify({ numbers })) as { numbers: number[] };
    expect(back.numbers.length).toBe(numbers.length);
    expect(bitsOf(back.numbers)).toBe(bitsOf(numbers));
    expect(Object.is(back.numbers[1], -0)).toBe(true);
  });

  it('writes plain JSON when nothing needs a tag, and plain JSON.parse reads it', () => {
    const event = { kind: 'fills', fromSeq: 3, fills: [fill(0, 101.25, 0.5), fill(1, 99.75, 0)] };
    const text = exactJson.stringify(event);
    expect(text).toBe(JSON.stringify(event));
    expect(JSON.parse(text)).toStrictEqual(event);
  });

  it('keeps strings that start with U+0000 apart from the tags', () => {
    const strings = ['\u0000', '\u0000-0', '\u0000\u0000NaN', '\u0000Infinity', 'a\u0000', '"\\u0000', ''];
    expect(exactJson.parse(exactJson.stringify(strings))).toStrictEqual(strings);
    expect(exactJson.parse(exactJson.stringify({ '\u0000key': -0 }))).toStrictEqual({ '\u0000key': -0 });
  });

  it('refuses what is not plain data instead of changing it', () => {
    for (const bad of [new Date(0), new Map(), new Float64Array(2), new (class Point { x = 1 })(), 1n, () => 1]) {
      expect(() => exactJson.stringify({ nested: [bad] }), String(bad)).toThrow(TypeError);
    }
    expect(exactJson.parse(exactJson.stringify(Object.assign(Object.create(null), { a: 1 })))).toStrictEqual({ a: 1 });
  });

  it('refuses a tag it never writes', () => {
    expect(() => exactJson.parse('["\\u0000nope"]')).toThrow(SyntaxError);
  });
});

describe('REDIS_URL', () => {
  it('unset or empty: the in-process target, delivering synchronously as before', async () => {
    for (const env of [{}, { REDIS_URL: '' }, { REDIS_URL: '  ' }]) {
      const transport = eventTargetFromEnv(env);
      expect(transport.kind).toBe('memory');
      const pubsub = createPubSub<{ run: [number, { n: number }] }>({ eventTarget: transport.target });
      const iterator = pubsub.subscribe('run', 1)[Symbol.asyncIterator]();
      const first = iterator.next();
      pubsub.publish('run', 2, { n: 2 });
      pubsub.publish('run', 1, { n: 1 });
      expect((await first).value).toStrictEqual({ n: 1 });
      await iterator.return?.();
      await transport.close();
    }
  });

  it.each([
    ['not a url', 'REDIS_URL is not a URL'],
    ['localhost:6379', "REDIS_URL: unsupported scheme 'localhost:'"],
    ['http://u:secret@host:6379', "REDIS_URL: unsupported scheme 'http:'"],
    ['redis://', 'REDIS_URL redis://: no host'],
    ['redis://u:secret@host:0', 'REDIS_URL redis://u:***@host:0: port 0'],
    ['redis://host:99999', 'REDIS_URL is not a URL'],
    ['redis://:secret@host/zero', 'REDIS_URL redis://:***@host/zero: the path must be a database number'],
    ['redis://host/1?family=6', 'REDIS_URL redis://host/1: query parameters and fragments are not supported'],
    ['redis://u:%zz@host', 'REDIS_URL redis://u:***@host: the user or password is not valid percent-encoding'],
  ])('refuses %s, naming REDIS_URL and never the password', (url, message) => {
    let error: unknown;
    try {
      eventTargetFromEnv({ REDIS_URL: url });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RedisUrlError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('secret');
  });

  it('reads user, password, port, database and TLS from the URL', () => {
    expect(parseRedisUrl('redis://app:p%40ss%3Aword@cache.internal:6380/3').options).toStrictEqual({
      host: 'cache.internal', port: 6380, username: 'app', password: 'p@ss:word', db: 3,
    });
    expect(parseRedisUrl('rediss://[::1]').options).toStrictEqual({
      host: '::1', port: 6379, username: undefined, password: undefined, db: 0, tls: { servername: '::1' },
    });
    expect(parseRedisUrl('redis://:pw@h').redacted).toBe('redis://:***@h');
  });

  it('refuses a channel prefix Redis would read as a pattern or that never ends', () => {
    expect(() => redisEventTarget('redis://127.0.0.1:1', { channelPrefix: 'a*' })).toThrow(/channelPrefix/);
    expect(() => redisEventTarget('redis://127.0.0.1:1', { channelPrefix: 'x'.repeat(201) })).toThrow(/channelPrefix/);
  });
});

describe('the Redis harness policy', () => {
  it('names what is missing and how CI installs it', () => {
    expect(missingReason('/nonexistent/redis-server')).toBe(
      'Redis is not installed (/nonexistent/redis-server missing): .ci/run installs it with apt-get install -y redis-server',
    );
    expect(redisAvailable('/nonexistent/redis-server')).toBe(false);
  });

  it('is satisfied exactly when redis-server is installed', () => {
    // requireRedis() registers a failing test under CI=true when Redis is missing; here the
    // answers agree with each other and with missingReason().
    expect(redisAvailable()).toBe(missingReason() === null);
  });
});

type Topics = {
  run: [runId: number, event: { kind: string; seq: number; fills?: Fill[]; orders?: Order[]; metrics?: RunMetrics }];
  sweep: [sweepId: number, event: { kind: string; seq: number }];
};

/** Pulls `count` values, failing (instead of hanging) when one takes longer than `timeoutMs`. */
async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 20_000, label = ''): Promise<T[]> {
  const out: T[] = [];
  while (out.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}only ${out.length} of ${count} values arrived`)), timeoutMs);
    });
    try {
      const r = await Promise.race([iterator.next(), timeout]);
      if (r.done) throw new Error(`the stream ended after ${out.length} of ${count} values`);
      out.push(r.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}

/** Starts `source` (its first pull adds the listener) and waits until Redis confirmed the subscription. */
async function listen<T>(transport: EventTransport, topic: string, source: AsyncIterable<T>): Promise<AsyncIterator<T>> {
  const iterator = source[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | null = iterator.next();
  await transport.subscribed(topic);
  return {
    next: () => {
      const pull = first ?? iterator.next();
      first = null;
      return pull;
    },
    return: (value?: unknown) => iterator.return!(value),
  };
}

/** Polls `condition` every 10 ms; fails after `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A TCP relay in front of Redis that the test can cut and mend: what a network partition between
 * one process and Redis looks like to that process (Redis itself and everyone else stay up).
 */
async function relay(redisPort: number) {
  const pairs = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(redisPort, '127.0.0.1');
    const end = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        pairs.delete(s);
      }
    };
    for (const s of [client, upstream]) {
      pairs.add(s);
      s.on('error', end).on('close', end);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    open = false;
    for (const s of pairs) s.destroy();
  };
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    mend: () => {
      open = true;
    },
    close: () => {
      cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const countResources = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;

describe.runIf(requireRedis())('the pubsub through a real Redis', () => {
  let server: RedisServer;
  let admin: Redis;
  const transports: EventTransport[] = [];
  const logs: string[] = [];
  let prefixCount = 0;

  /** A transport as one API process has it; closed after each test. */
  const open = (channelPrefix: string) => {
    const t = redisEventTarget(server.url, { channelPrefix, log: (line) => logs.push(line) });
    transports.push(t);
    return t;
  };
  /** Two processes' transports and pubsubs on one fresh prefix. */
  const twoInstances = async () => {
    const prefix = `test${++prefixCount}:`;
    const a = open(prefix);
    const b = open(prefix);
    await Promise.all([a.ready(), b.ready()]);
    return { prefix, a, b, pa: createPubSub<Topics>({ eventTarget: a.target }), pb: createPubSub<Topics>({ eventTarget: b.target }) };
  };

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url, { maxRetriesPerRequest: null, lazyConnect: true });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    logs.length = 0;
  });
  afterAll(async () => {
    await admin?.quit().catch(() => {});
    await server?.stop();
  });

  it('carries 10,000 events from one process to the other, per topic and id, in order, none lost', async () => {
    const { a, b, pa, pb } = await twoInstances();
    const run1OnB = await listen(b, 'run:1', pb.subscribe('run', 1));
    const run2OnB = await listen(b, 'run:2', pb.subscribe('run', 2));
    const sweep1OnB = await listen(b, 'sweep:1', pb.subscribe('sweep', 1));
    const run1OnA = await listen(a, 'run:1', pa.subscribe('run', 1)); // the publisher's own process hears it through Redis too
    const run3OnB = await listen(b, 'run:3', pb.subscribe('run', 3));

    const N = 10_000;
    for (let seq = 0; seq < N; seq++) {
      pa.publish('run', 1, { kind: 'progress', seq });
      if (seq % 10 === 0) pa.publish('run', 2, { kind: 'progress', seq });
      if (seq % 20 === 0) pa.publish('sweep', 1, { kind: 'progress', seq });
    }
    pa.publish('run', 3, { kind: 'end', seq: -1 });

    // Read together, as eager consumers (run-streams.ts watchTopic) do: a subscription nobody
    // pulls holds at most 1024 events in its Repeater and then loses them.
    const [run1B, run1A, run2B, sweep1B, run3B] = await Promise.all([
      take(run1OnB, N), take(run1OnA, N), take(run2OnB, N / 10), take(sweep1OnB, N / 20), take(run3OnB, 1),
    ]);
    const seqs = (step: number) => Array.from({ length: N / step }, (_, i) => i * step);
    expect(run1B.map((e) => e.seq)).toStrictEqual(seqs(1));
    expect(run1A.map((e) => e.seq)).toStrictEqual(seqs(1));
    expect(run2B.map((e) => e.seq)).toStrictEqual(seqs(10));
    expect(sweep1B.map((e) => e.seq)).toStrictEqual(seqs(20));
    // run 3's only event was published last: had anything else reached run 3, it would have come first.
    expect(run3B).toStrictEqual([{ kind: 'end', seq: -1 }]);
    expect([a.health(), b.health()]).toStrictEqual([
      { connected: true, droppedEvents: 0, unreadableMessages: 0 },
      { connected: true, droppedEvents: 0, unreadableMessages: 0 },
    ]);
    expect(logs).toStrictEqual([]);
  });

  it('keeps deployments with different channel prefixes apart', async () => {
    const { a, pa } = await twoInstances();
    const onMine = await listen(a, 'run:1', pa.subscribe('run', 1));
    const other = open(`other${prefixCount}:`);
    await other.ready();
    const po = createPubSub<Topics>({ eventTarget: other.target });
    const onOther = await listen(other, 'run:1', po.subscribe('run', 1));
    pa.publish('run', 1, { kind: 'mine', seq: 0 });
    // Arrived here means Redis has routed it; had it matched the other channel, it would be ahead of 'theirs' there.
    expect(await take(onMine, 1)).toStrictEqual([{ kind: 'mine', seq: 0 }]);
    po.publish('run', 1, { kind: 'theirs', seq: 0 });
    expect(await take(onOther, 1)).toStrictEqual([{ kind: 'theirs', seq: 0 }]);
    expect((await admin.pubsub('CHANNELS', `*${prefixCount}:*`)).sort()).toStrictEqual([`other${prefixCount}:run:1`, `test${prefixCount}:run:1`]);
  });

  it('delivers Fill, Order and metrics objects deep equal, every number bit for bit', async () => {
    const { pa, b, pb } = await twoInstances();
    const onB = await listen(b, 'run:7', pb.subscribe('run', 7));
    const doubles = randomDoubles(4_000, 7);
    const sent: Topics['run'][1][] = [];
    for (let i = 0; i < 20; i++) {
      const slice = [...EDGE_NUMBERS.filter(Number.isFinite), ...doubles.slice(i * 200, (i + 1) * 200)];
      sent.push({
        kind: 'fills',
        seq: i,
        fills: slice.map((x, j) => fill(j, x, j % 3 === 0 ? -0 : x / 7)),
        orders: slice.slice(0, 20).map((x, j) => order(j, x)),
        metrics: METRICS_EDGES,
      });
    }
    for (const event of sent) pa.publish('run', 7, event);
    const received = await take(onB, sent.length);
    expect(received).toStrictEqual(sent);
    expect(bitsOf(numbersOf(received))).toBe(bitsOf(numbersOf(sent)));
    expect(Object.is(received[0]!.fills![0]!.commission, -0)).toBe(true);
    expect(received[0]!.orders![0]!.expiresAt).toBe(Infinity);
    expect(Number.isNaN(received[0]!.metrics!.sharpe)).toBe(true);
  });

  it('skips messages it cannot read and listeners that throw, and keeps delivering', async () => {
    const { prefix, pa, b, pb } = await twoInstances();
    const onB = await listen(b, 'run:9', pb.subscribe('run', 9));
    let thrown = 0;
    b.target.addEventListener('run:9', () => {
      thrown++;
      throw new Error('a broken listener');
    });
    await b.subscribed('run:9');
    await admin.publish(`${prefix}run:9`, 'not json at all');
    await admin.publish(`${prefix}run:9`, '["\\u0000nope"]');
    pa.publish('run', 9, { kind: 'after', seq: 1 });
    expect(await take(onB, 1)).toStrictEqual([{ kind: 'after', seq: 1 }]);
    expect(thrown).toBe(1);
    expect(b.health().unreadableMessages).toBe(2);
    expect(logs.some((l) => l.includes('an unreadable message was left out'))).toBe(true);
    expect(logs).toContain('pubsub listener failed: a broken listener');
  });

  it('subscribed() refuses a topic nothing listens to', async () => {
    const { a } = await twoInstances();
    await expect(a.subscribed('run:404')).rejects.toThrow('nothing listens to run:404');
  });

  it('recovers from a Redis restart on its own: events flow again, in order', async () => {
    const { a, b, pa, pb } = await twoInstances();
    const onB = await listen(b, 'run:5', pb.subscribe('run', 5));
    pa.publish('run', 5, { kind: 'before', seq: 0 });
    expect(await take(onB, 1, 20_000, 'before: ')).toStrictEqual([{ kind: 'before', seq: 0 }]);

    await server.restart();

    // Published every 20 ms until one arrives: those sent before B's subscription is renewed are lost.
    let published = 0;
    let first: Topics['run'][1] | undefined;
    const arrival = take(onB, 1, 30_000).then(([e]) => (first = e));
    while (first === undefined) {
      pa.publish('run', 5, { kind: 'probe', seq: ++published });
      await Promise.race([arrival, new Promise((r) => setTimeout(r, 20))]);
    }
    // The probes that arrive arrive in order, ending with the last one published.
    const rest = published - first!.seq > 0 ? await take(onB, published - first!.seq, 20_000, `rest after ${first!.seq} of ${published}: ${JSON.stringify(logs)} ${JSON.stringify([a.health(), b.health()])}`) : [];
    expect([first!, ...rest].map((e) => e.seq)).toStrictEqual(Array.from({ length: published - first!.seq + 1 }, (_, i) => first!.seq + i));
    console.log(`redis restart: ${first!.seq - 1} of ${published} events published meanwhile were lost`);

    // And then everything again.
    for (let seq = 0; seq < 1_000; seq++) pa.publish('run', 5, { kind: 'after', seq });
    expect((await take(onB, 1_000)).map((e) => e.seq)).toStrictEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(a.health().connected && b.health().connected).toBe(true);
    expect(logs.filter((l) => l.endsWith('connection is back')).length).toBe(4);
    expect(logs.filter((l) => l.includes('connection is down')).length).toBe(4);
  });

  it('publishing while cut off from Redis: sent in order once it is back, the oldest dropped past the bound', async () => {
    const line = await relay(server.port);
    try {
      const prefix = `cut${++prefixCount}:`;
      const channel = `${prefix}run:1`;
      const event = (seq: number) => ({ kind: 'cut', seq });
      const eventBytes = channel.length + exactJson.stringify(event(1000)).length;
      const a = redisEventTarget(line.url, { channelPrefix: prefix, maxWaitingBytes: 40 * eventBytes, log: (l) => logs.push(l) });
      const b = open(prefix);
      transports.push(a);
      await Promise.all([a.ready(), b.ready()]);
      const pa = createPubSub<Topics>({ eventTarget: a.target });
      const onB = await listen(b, 'run:1', createPubSub<Topics>({ eventTarget: b.target }).subscribe('run', 1));
      pa.publish('run', 1, event(1));
      expect(await take(onB, 1)).toStrictEqual([event(1)]);

      line.cut();
      await waitFor('A to see its connection cut', () => !a.health().connected);
      for (let seq = 1000; seq < 1100; seq++) pa.publish('run', 1, event(seq));
      await waitFor('the drops to be counted', () => a.health().droppedEvents === 60);
      line.mend();
      // The 40 newest, in order, and nothing else: the next event is the one published after them.
      const back = await take(onB, 40);
      pa.publish('run', 1, event(2000));
      expect([...back, ...(await take(onB, 1))].map((e) => e.seq)).toStrictEqual([...Array.from({ length: 40 }, (_, i) => 1060 + i), 2000]);
      expect(logs).toContain(`redis ${line.url}: 60 events were dropped while it was unreachable`);
      expect(a.health()).toStrictEqual({ connected: true, droppedEvents: 60, unreadableMessages: 0 });
    } finally {
      await line.close();
    }
  });

  it('subscribing and unsubscribing while cut off from Redis: applied in order once it is back', async () => {
    const line = await relay(server.port);
    try {
      const prefix = `cut${++prefixCount}:`;
      const b = redisEventTarget(line.url, { channelPrefix: prefix, log: (l) => logs.push(l) });
      const a = open(prefix);
      transports.push(b);
      await Promise.all([a.ready(), b.ready()]);
      const pa = createPubSub<Topics>({ eventTarget: a.target });
      const pb = createPubSub<Topics>({ eventTarget: b.target });
      const first = await listen(b, 'run:2', pb.subscribe('run', 2));

      line.cut();
      await waitFor('B to see its connection cut', () => !b.health().connected);
      // run 2: the last listener leaves (UNSUBSCRIBE) and a new one comes (SUBSCRIBE); run 3: new.
      await first.return?.();
      const again = pb.subscribe('run', 2)[Symbol.asyncIterator]();
      const againFirst = again.next();
      const fresh = pb.subscribe('run', 3)[Symbol.asyncIterator]();
      const freshFirst = fresh.next();
      const confirmed = Promise.all([b.subscribed('run:2'), b.subscribed('run:3')]);
      line.mend();
      await confirmed;
      pa.publish('run', 2, { kind: 'to run 2', seq: 2 });
      pa.publish('run', 3, { kind: 'to run 3', seq: 3 });
      expect((await againFirst).value).toStrictEqual({ kind: 'to run 2', seq: 2 });
      expect((await freshFirst).value).toStrictEqual({ kind: 'to run 3', seq: 3 });
      await Promise.all([again.return?.(), fresh.return?.()]);
    } finally {
      await line.close();
    }
  });

  it('close() quits both connections and leaves no handle open; later events are dropped, not thrown', async () => {
    const sockets = countResources('TCPSocketWrap');
    const timers = countResources('Timeout');
    const { a, b, pa, pb } = await twoInstances();
    const onB = await listen(b, 'run:11', pb.subscribe('run', 11));
    pa.publish('run', 11, { kind: 'one', seq: 1 });
    await take(onB, 1);
    const names = async () => String(await admin.client('LIST')).match(/name=backtest-\w+/g) ?? [];
    expect((await names()).sort()).toStrictEqual(['name=backtest-pub', 'name=backtest-pub', 'name=backtest-sub', 'name=backtest-sub']);

    await Promise.all([a.close(), b.close(), a.close()]);
    await onB.return?.();
    expect(countResources('TCPSocketWrap')).toBe(sockets);
    expect(countResources('Timeout')).toBe(timers);
    expect(await names()).toStrictEqual([]);
    pa.publish('run', 11, { kind: 'late', seq: 2 });
    expect(a.health()).toStrictEqual({ connected: false, droppedEvents: 1, unreadableMessages: 0 });
    expect(logs).toStrictEqual([]);
  });

  it('ready() names REDIS_URL when nothing answers there; close() still ends cleanly', async () => {
    const sockets = countResources('TCPSocketWrap');
    // The harness's port after a server of its own stopped: nothing listens there.
    const gone = await startRedis();
    await gone.stop();
    const t = redisEventTarget(`redis://u:secret@127.0.0.1:${gone.port}/0`, { log: (line) => logs.push(line) });
    const error = await t.ready(300).then(() => null, (err: Error) => err);
    expect(error?.message).toMatch(new RegExp(`^REDIS_URL redis://u:\\*\\*\\*@127\\.0\\.0\\.1:${gone.port}/0: not reachable after 300 ms \\(.*ECONNREFUSED`));
    await t.close();
    expect(countResources('TCPSocketWrap')).toBe(sockets);
    expect(logs.join('\n')).not.toContain('secret');
  });

  it('REDIS_URL set: the Redis target', async () => {
    const t = eventTargetFromEnv({ REDIS_URL: server.url }, { log: (line) => logs.push(line) });
    transports.push(t);
    expect(t.kind).toBe('redis');
    await t.ready();
    expect(memoryEventTarget().kind).toBe('memory');
  });
});
