/**
 * A run's event log in Redis (src/cluster/run-event-log.ts) against a real redis-server: what one
 * worker node writes, two API instances read into their own ActiveRun through RunFeed, one from the
 * start and one joining halfway (catch-up, then live). Both must end with the same buffers and the
 * same marks (runUpdates' sequence numbers), bit for bit, and both must equal the events as written.
 */
import { createPubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fill, Order } from '../src/engine/orders.js';
import { encodeBlock } from '../src/data/result-blocks.js';
import { mulberry32 } from '../src/data/synthetic.js';
import { runEventsKey } from '../src/cluster/cluster-keys.js';
import { RunEventFollower, RunEventWriter } from '../src/cluster/run-event-log.js';
import { newActiveRun, RunFeed, type ActiveRun, type RunFeedEvent, type RunTopics } from '../src/jobs/run-feed.js';
import { requireRedis, startRedis, type RedisServer } from './support/redis-server.js';

function fill(i: number, price: number): Fill {
  return { id: i + 1, orderId: i + 1, time: 1_577_836_800_000 + i * 60_000, symbolIndex: i % 4, symbol: 'AAA', barIndex: i, side: i % 2 ? 'SELL' : 'BUY', quantity: 10 + i, price, commission: i === 3 ? -0 : 1 / 3 };
}

function order(i: number): Order {
  return {
    id: i + 1, time: 1_577_836_800_000 + i, symbolIndex: 0, symbol: 'AAA', side: 'BUY', type: 'LIMIT', quantity: 5, limitPrice: 100 + i / 7, stopPrice: null,
    timeInForce: 'GTC', tag: null, trailAmount: null, trailPercent: null, parentId: null, ocoGroup: null,
    status: 'FILLED', filledQuantity: 5, averageFillPrice: 100 + i / 7, reason: null, triggered: false, bestPrice: 0,
    held: false, submittedStep: i, expiresAt: Infinity, updatedAt: 1_577_836_860_000 + i,
  };
}

/** A run's events as a worker node sends them: RUNNING, then chunks of order changes, fills and progress, then the end. */
function workerEvents(chunks: number): RunFeedEvent[] {
  const next = mulberry32(7);
  const out: RunFeedEvent[] = [{ kind: 'status', status: 'RUNNING', progress: 0, barsProcessed: 0, simTime: null }];
  let fills = 0;
  for (let c = 0; c < chunks; c++) {
    const n = 1 + Math.floor(next() * 50);
    const orders = Array.from({ length: n }, (_, k) => order(fills + k));
    const chunk = Array.from({ length: n }, (_, k) => fill(fills + k, 100 + next() * 10));
    fills += n;
    out.push({ kind: 'orders', block: encodeBlock('orders', orders, 0, n) });
    out.push({ kind: 'fills', block: encodeBlock('fills', chunk, 0, n) });
    const time = Float64Array.from([1_577_836_800_000 + c * 1000, 1_577_836_800_500 + c * 1000]);
    out.push({
      kind: 'progress', progress: (c + 1) / chunks, barsProcessed: (c + 1) * 1000, simTime: time[1]!,
      equity: { time, equity: Float64Array.from([1e5 + next(), 1e5 - next()]), cash: Float64Array.from([5e4, -0]), drawdown: Float64Array.from([0, next() / 100]) },
    });
  }
  out.push({ kind: 'end', status: 'COMPLETED', progress: 1, barsProcessed: chunks * 1000, simTime: 1_577_836_800_000 + chunks * 1000 });
  return out;
}

/** An API instance's copy of the run, fed by a follower the way the queued job manager feeds it. */
function mirrorOf(runId: number) {
  const feed = new RunFeed(createPubSub<RunTopics>());
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const run = newActiveRun<ActiveRun>({ runId, finished });
  const onEvent = (e: RunFeedEvent) => {
    if (e.kind === 'end') {
      const { kind: _end, ...final } = e;
      feed.end(run, final);
      resolve();
      return true;
    }
    feed.apply(run, e);
    return false;
  };
  return { run, onEvent, finished };
}

describe.runIf(requireRedis())('a run event log in a real Redis', () => {
  let redis: RedisServer;
  let writerConnection: Redis;
  const followers: RunEventFollower[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    writerConnection = new Redis(redis.url);
  });

  afterAll(async () => {
    await Promise.all(followers.map((f) => f.close()));
    await writerConnection?.quit();
    await redis?.stop();
  });

  const follower = () => {
    const f = new RunEventFollower(redis.url, (line) => logs.push(line));
    followers.push(f);
    return f;
  };

  it('an instance following from the start and one joining halfway end with the same buffers and marks as a direct feed', async () => {
    const runId = 41;
    const events = workerEvents(40);
    const writer = new RunEventWriter(writerConnection);
    // The reference: the same events applied in process, as the local job manager does.
    const direct = mirrorOf(runId);
    for (const e of events) direct.onEvent(structuredClone(e));

    const early = mirrorOf(runId);
    await follower().follow(runId, early.onEvent, false);
    const half = Math.floor(events.length / 2);
    for (const e of events.slice(0, half)) await writer.append(runId, e);
    const late = mirrorOf(runId);
    await follower().follow(runId, late.onEvent, true);
    // Caught up at once: everything written so far is in its buffers when follow resolves.
    expect(late.run.marks.length).toBe(direct.run.marks.length - (events.length - half));
    for (const e of events.slice(half)) await writer.append(runId, e);
    await Promise.all([early.finished, late.finished]);

    for (const m of [early, late]) {
      expect(m.run.fills).toEqual(direct.run.fills);
      expect(Object.is(m.run.fills[3]!.commission, -0)).toBe(true);
      expect(m.run.orders).toEqual(direct.run.orders);
      expect(m.run.orderLog).toEqual(direct.run.orderLog);
      expect(m.run.equity).toEqual(direct.run.equity);
      expect(m.run.marks).toEqual(direct.run.marks);
      expect(m.run.state).toEqual({ status: 'COMPLETED', progress: 1, barsProcessed: 40_000, simTime: 1_577_836_840_000 });
    }
    expect(direct.run.fills.length).toBeGreaterThan(40);
    // The ended log expires (ENDED_LOG_TTL_S) instead of staying forever.
    expect(await writerConnection.ttl(runEventsKey(runId))).toBeGreaterThan(0);
  });

  it('an entry that cannot be read is left out and reported; the events around it still arrive', async () => {
    const runId = 42;
    const writer = new RunEventWriter(writerConnection);
    const m = mirrorOf(runId);
    await follower().follow(runId, m.onEvent, false);
    await writer.append(runId, { kind: 'status', status: 'RUNNING', progress: 0, barsProcessed: 0, simTime: null });
    await writerConnection.xadd(runEventsKey(runId), '*', 'e', 'not a structured clone');
    await writer.append(runId, { kind: 'end', status: 'FAILED', progress: 0.5, barsProcessed: 10, simTime: 5 });
    await m.finished;
    expect(m.run.state.status).toBe('FAILED');
    expect(m.run.marks.map((k) => k.state.status)).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
    expect(logs.some((l) => l.includes('could not be read'))).toBe(true);
  });
});
