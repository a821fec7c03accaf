/** RunUpdate and the runUpdates subscription: a run's progress and results in batches (jobs/run-updates.ts). */
import type { EquitySample } from '../jobs/run-events.js';
import { AfterSeqError, planRunUpdates, runUpdateStream, RUN_UPDATE_LIMITS, STORED_SEQ_BASE, type RunUpdate } from '../jobs/run-updates.js';
import { builder } from './builder.js';
import { badField } from './errors.js';
import { requireById } from './ids.js';
import { findRun, RunStatusEnum } from './run.js';
import type { Fill, Order } from '../engine/orders.js';
import { EquityPointRef, FillRef, OrderRef, type RunScoped } from './trading-types.js';

interface RunUpdateShape {
  readonly runId: number;
  readonly update: RunUpdate;
}

/** Fills and orders as their GraphQL types take them, made once per update (subscribers that keep up share updates). */
const scoped = new WeakMap<RunUpdate, { fills: RunScoped<Fill>[]; orders: RunScoped<Order>[] }>();
function scopedOf(u: RunUpdateShape) {
  let s = scoped.get(u.update);
  if (!s) {
    s = { fills: u.update.fills.map((item) => ({ runId: u.runId, item })), orders: u.update.orders.map((item) => ({ runId: u.runId, item })) };
    scoped.set(u.update, s);
  }
  return s;
}

const RunUpdateRef = builder.objectRef<RunUpdateShape>('RunUpdate').implement({
  description: `What changed in a run since the previous update of the same subscription: at most ${1000 / RUN_UPDATE_LIMITS.intervalMs} a second while following it live, larger batches while catching up.`,
  fields: (t) => ({
    seq: t.int({
      description: `Position in the run's history, increasing along the stream (not by one): subscribe again with afterSeq set to the last seq received to resume with nothing lost or repeated. Replays of runs that have ended number their updates from ${STORED_SEQ_BASE}.`,
      resolve: (u) => u.update.seq,
    }),
    status: t.field({ type: RunStatusEnum, resolve: (u) => u.update.state.status }),
    progress: t.float({ resolve: (u) => u.update.state.progress }),
    barsProcessed: t.int({ resolve: (u) => u.update.state.barsProcessed }),
    simTime: t.field({ type: 'DateTime', nullable: true, description: 'Time of the last processed bar.', resolve: (u) => u.update.state.simTime }),
    fills: t.field({
      type: [FillRef],
      description: 'Fills since the previous update, in execution order: across a stream, every fill of the run exactly once.',
      resolve: (u) => scopedOf(u).fills,
    }),
    orderUpdates: t.field({
      type: [OrderRef],
      description: "Orders that changed since the previous update, each once, in its latest state (key them by id: a resumed stream may repeat an order's state).",
      resolve: (u) => scopedOf(u).orders,
    }),
    equity: t.field({
      type: [EquityPointRef],
      description: 'Equity samples since the previous update, in time order (a replay of an ended run: its curve, downsampled).',
      resolve: (u) => u.update.equity as EquitySample[],
    }),
    latestEquity: t.field({
      type: EquityPointRef,
      nullable: true,
      description: 'The latest equity sample as of this update: on the last update, the final equity.',
      resolve: (u) => u.update.latestEquity,
    }),
  }),
});

builder.subscriptionField('runUpdates', (t) =>
  t.field({
    type: RunUpdateRef,
    description:
      "The run's state, fills, order changes and equity samples in batches: everything from the start (or after afterSeq) replayed, then live, at most ten updates a second; the last update carries the final status and equity, then the stream completes. A subscriber that stops reading is disconnected and resumes with afterSeq.",
    args: {
      id: t.arg.id({ required: true }),
      afterSeq: t.arg.int({ description: 'The last seq received: resume right after it. Omit (or 0) to start from the beginning.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const run = await requireById('run', String(args.id), (n) => findRun(ctx, n));
      const afterSeq = args.afterSeq ?? null;
      if (afterSeq !== null && afterSeq < 0) throw badField('afterSeq', `must be >= 0, got ${afterSeq}`);
      try {
        // Checked now, so a bad afterSeq is a BAD_USER_INPUT error before any update.
        await planRunUpdates(ctx, run.id, afterSeq);
      } catch (e) {
        if (e instanceof AfterSeqError) throw badField('afterSeq', e.reason);
        throw e;
      }
      return runUpdateStream(ctx, String(run.id), afterSeq);
    },
    resolve: (update: RunUpdate, args): RunUpdateShape => ({ runId: Number(args.id), update }),
  }),
);
