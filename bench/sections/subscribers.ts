/**
 * subscribers.slowdown: end-to-end time of a 1,000,000-bar run (mutation to COMPLETED with results
 * stored) with 10 live subscribers on each of runStatus, runFills and runEquity (30 subscriptions)
 * divided by the time with none. subscribers.drainSlowdown also waits until every subscriber has
 * received its last event (each of the 10 runFills streams gets every fill, one message each).
 * subscribers.batchedSlowdown: the same run with 30 subscribers on runUpdates in the same three
 * roles (10 select the status, 10 the fills, 10 the equity samples; batches of at most ten a
 * second), until every one has received its last update, divided by the run alone.
 * subscribers.batchedAllSlowdown: 30 runUpdates subscribers that all select status, fills and
 * equity (three times the fills of the others). Rounds alternate so background load hits all
 * alike; best of each.
 */
import type { BenchSection } from '../figure.js';
import { drain, runToEnd, startService } from '../service-fixture.js';

const SUBSCRIBERS = 10;
const STREAMS = [
  `subscription($id: ID!) { runStatus(id: $id) { status progress barsProcessed } }`,
  `subscription($id: ID!) { runFills(id: $id) { id time side price quantity commission } }`,
  `subscription($id: ID!) { runEquity(id: $id) { time equity drawdown } }`,
];
const BATCHED = [
  `subscription($id: ID!) { runUpdates(id: $id) { seq status progress barsProcessed } }`,
  `subscription($id: ID!) { runUpdates(id: $id) { seq fills { id time side price quantity commission } } }`,
  `subscription($id: ID!) { runUpdates(id: $id) { seq equity { time equity drawdown } } }`,
];
const BATCHED_ALL = `subscription($id: ID!) { runUpdates(id: $id) {
  seq status progress barsProcessed fills { id time side price quantity commission } equity { time equity drawdown } } }`;

export const run: BenchSection = async () => {
  const s = await startService();
  try {
    const clients = Array.from({ length: SUBSCRIBERS }, () => s.wsClient());
    let alone = Infinity;
    let watched = Infinity;
    let drainedAll = Infinity;
    let batched = Infinity;
    let batchedAll = Infinity;
    let fillsPerSubscriber = 0;
    let updatesPerSubscriber = 0;
    for (let round = 0; round < 3; round++) {
      let t0 = performance.now();
      alone = Math.min(alone, (await (await runToEnd(s)).finished) - t0);

      t0 = performance.now();
      const { id, finished } = await runToEnd(s);
      const drained = await Promise.all(clients.flatMap((c) => STREAMS.map((q) => drain(c, q, id))));
      const done = await finished;
      watched = Math.min(watched, done - t0);
      drainedAll = Math.min(drainedAll, Math.max(done, ...drained.map((d) => d.at)) - t0);
      fillsPerSubscriber = drained[1].events;

      t0 = performance.now();
      const b = await runToEnd(s);
      const updates = await Promise.all(clients.flatMap((c) => BATCHED.map((q) => drain(c, q, b.id))));
      batched = Math.min(batched, Math.max(await b.finished, ...updates.map((d) => d.at)) - t0);
      updatesPerSubscriber = updates[1].events;

      t0 = performance.now();
      const all = await runToEnd(s);
      const allUpdates = await Promise.all(clients.flatMap((c) => BATCHED.map(() => drain(c, BATCHED_ALL, all.id))));
      batchedAll = Math.min(batchedAll, Math.max(await all.finished, ...allUpdates.map((d) => d.at)) - t0);
    }
    return [
      { name: 'subscribers.slowdown', value: watched / alone, unit: 'ratio' },
      { name: 'subscribers.aloneMs', value: alone, unit: 'ms' },
      { name: 'subscribers.watchedMs', value: watched, unit: 'ms' },
      { name: 'subscribers.drainSlowdown', value: drainedAll / alone, unit: 'ratio' },
      { name: 'subscribers.fillsPerSubscriber', value: fillsPerSubscriber, unit: 'fills' },
      { name: 'subscribers.batchedSlowdown', value: batched / alone, unit: 'ratio' },
      { name: 'subscribers.batchedMs', value: batched, unit: 'ms' },
      { name: 'subscribers.updatesPerSubscriber', value: updatesPerSubscriber, unit: 'updates' },
      { name: 'subscribers.batchedAllSlowdown', value: batchedAll / alone, unit: 'ratio' },
    ];
  } finally {
    await s.close();
  }
};
