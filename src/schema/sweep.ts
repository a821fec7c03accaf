/** Parameter sweeps: the Sweep type, its results, queries, mutations and the progress subscription. */
import type { SweepRecord, SweepResultRecord } from '../data/sweep-store.js';
import { QueueFullError } from '../jobs/admission.js';
import { RunInputError } from '../jobs/run-input.js';
import { RUN_INPUT_DOCS, SWEEP_INPUT_DOCS } from '../jobs/run-input-docs.js';
import { sweepStream, SweepNotFoundError } from '../jobs/run-streams.js';
import { validateSweepInput } from '../jobs/sweep-input.js';
import type { SweepSnapshot } from '../jobs/sweep-manager.js';
import { builder, type GraphQLContext } from './builder.js';
import { BarPeriodEnum } from './dataset.js';
import { badUserInput, notFound, queueFull } from './errors.js';
import { requireRunRole, visible } from './access.js';
import { findById, requireById } from './ids.js';
import { ownerFilter, ownerOf } from '../auth/principal.js';
import { idCursorConnection, offsetConnection } from './pagination.js';
import { BacktestRunRef, CommissionInput, findRun, RunMetricsRef, RunStatusEnum, toRunInput } from './run.js';
import { StrategyRef, strategyOrPlaceholder } from './strategy.js';
import { BENCHMARK_INPUT_DOC, BenchmarkInputRef, RISK_FREE_RATE_DOC } from './analytics-inputs.js';

const SweepResultOrderEnum = builder.enumType('SweepResultOrder', {
  values: { OBJECTIVE: { description: 'Best objective first (nulls last).' }, GRID: { description: 'Grid order.' } } as const,
});

const SweepResultRef = builder.objectRef<SweepResultRecord>('SweepResult').implement({
  fields: (t) => ({
    params: t.field({ type: 'JSONObject', resolve: (r) => r.params }),
    metrics: t.field({ type: RunMetricsRef, resolve: (r) => r.metrics }),
    objectiveValue: t.float({ nullable: true, resolve: (r) => r.objectiveValue }),
    runId: t.id({ nullable: true, description: 'The full run of this combination, for the best keepTop.', resolve: (r) => (r.runId === null ? null : String(r.runId)) }),
    run: t.field({ type: BacktestRunRef, nullable: true, resolve: (r, _a, ctx) => (r.runId === null ? null : findRun(ctx, r.runId)) }),
  }),
});

const live = async (ctx: GraphQLContext, s: SweepRecord): Promise<SweepSnapshot> => (await ctx.sweeps.snapshot(s.id)) as SweepSnapshot;

export const SweepRef = builder.objectRef<SweepRecord>('Sweep').implement({
  fields: (t) => ({
    id: t.id({ resolve: (s) => String(s.id) }),
    strategy: t.field({ type: StrategyRef, resolve: (s, _a, ctx) => strategyOrPlaceholder(ctx.strategies, s.strategy) }),
    params: t.field({ type: 'JSONObject', description: 'Fixed overrides shared by every combination.', resolve: (s) => s.baseParams }),
    grid: t.field({ type: 'JSONObject', description: 'Each swept parameter with its expanded list of values.', resolve: (s) => s.grid }),
    symbols: t.stringList({ resolve: (s) => s.symbols }),
    period: t.field({ type: BarPeriodEnum, resolve: (s) => s.period }),
    dataset: t.id({ resolve: (s) => s.dataset }),
    start: t.field({ type: 'Date', nullable: true, resolve: (s) => s.start }),
    end: t.field({ type: 'Date', nullable: true, resolve: (s) => s.end }),
    initialCash: t.exposeFloat('initialCash'),
    status: t.field({ type: RunStatusEnum, resolve: async (s, _a, ctx) => (await live(ctx, s)).status }),
    progress: t.float({ resolve: async (s, _a, ctx) => (await live(ctx, s)).progress }),
    total: t.int({ description: 'Combinations in the grid, skipped ones included.', resolve: (s) => s.total }),
    completed: t.int({ resolve: async (s, _a, ctx) => (await live(ctx, s)).completed }),
    skipped: t.int({ description: 'Combinations that break a cross-parameter rule; not run.', resolve: (s) => s.skipped }),
    failed: t.int({ resolve: async (s, _a, ctx) => (await live(ctx, s)).failed }),
    objective: t.exposeString('objective'),
    maximize: t.exposeBoolean('maximize'),
    keepTop: t.exposeInt('keepTop'),
    best: t.field({ type: SweepResultRef, nullable: true, resolve: async (s, _a, ctx) => (await live(ctx, s)).best }),
    results: t.connection(
      {
        type: SweepResultRef,
        args: { orderBy: t.arg({ type: SweepResultOrderEnum, defaultValue: 'OBJECTIVE' }) },
        resolve: (s, args, ctx) =>
          offsetConnection(args, (offset, limit) => ctx.storage.getSweepResults(s, args.orderBy ?? 'OBJECTIVE', { offset, limit }), (r) => r),
      },
      { name: 'SweepResultConnection', fields: (c) => ({ totalCount: c.int({ resolve: (p) => p.totalCount }) }) },
    ),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.finishedAt }),
  }),
});

interface SweepEventShape extends SweepSnapshot {
  readonly sweepId: number;
}

const SweepProgressEventRef = builder.objectRef<SweepEventShape>('SweepProgressEvent').implement({
  fields: (t) => ({
    sweep: t.field({
      type: SweepRef,
      resolve: async (e, _a, ctx) => {
        const s = await findSweep(ctx, e.sweepId);
        if (!s) throw notFound('sweep', String(e.sweepId));
        return s;
      },
    }),
    status: t.field({ type: RunStatusEnum, resolve: (e) => e.status }),
    progress: t.exposeFloat('progress'),
    total: t.exposeInt('total'),
    completed: t.exposeInt('completed'),
    skipped: t.exposeInt('skipped'),
    failed: t.exposeInt('failed'),
    best: t.field({ type: SweepResultRef, nullable: true, resolve: (e) => e.best }),
  }),
});

/** The sweep with this id if the caller may see it, else null. */
async function findSweep(ctx: GraphQLContext, id: number): Promise<SweepRecord | null> {
  return visible(ctx, await ctx.storage.getSweep(id));
}

function requireSweep(ctx: GraphQLContext, id: string): Promise<SweepRecord> {
  return requireById('sweep', id, (n) => findSweep(ctx, n));
}

builder.queryFields((t) => ({
  sweep: t.field({
    type: SweepRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => findById(String(args.id), (n) => findSweep(ctx, n)),
  }),
  sweeps: t.connection(
    {
      type: SweepRef,
      description: 'Newest first. Cursors are sweep ids.',
      resolve: (_root, args, ctx) =>
        idCursorConnection(args, 'sweeps', async (first, after) => {
          const page = await ctx.storage.listSweeps({ first, after, ownerKeyId: ownerFilter(ctx.principal) });
          return { items: page.sweeps, totalCount: page.totalCount, hasNextPage: page.hasNextPage };
        }),
    },
    { name: 'SweepConnection', fields: (c) => ({ totalCount: c.int({ resolve: (p) => p.totalCount }) }) },
  ),
}));

const RunSweepInput = builder.inputType('RunSweepInput', {
  fields: (t) => ({
    strategy: t.id({ required: true, description: RUN_INPUT_DOCS.strategy }),
    params: t.field({ type: 'JSONObject', description: SWEEP_INPUT_DOCS.params }),
    symbols: t.stringList({ required: true, description: RUN_INPUT_DOCS.symbols }),
    period: t.field({ type: BarPeriodEnum, required: true }),
    dataset: t.id({ description: RUN_INPUT_DOCS.dataset }),
    start: t.field({ type: 'Date', description: RUN_INPUT_DOCS.start }),
    end: t.field({ type: 'Date', description: RUN_INPUT_DOCS.end }),
    initialCash: t.float({ defaultValue: 100_000, description: RUN_INPUT_DOCS.initialCash }),
    commission: t.field({ type: CommissionInput }),
    slippageBps: t.float({ defaultValue: 0, description: RUN_INPUT_DOCS.slippageBps }),
    periodsPerYear: t.float({ description: RUN_INPUT_DOCS.periodsPerYear }),
    benchmark: t.field({ type: BenchmarkInputRef, description: BENCHMARK_INPUT_DOC }),
    riskFreeRate: t.float({ description: RISK_FREE_RATE_DOC }),
    grid: t.field({ type: 'JSONObject', required: true, description: SWEEP_INPUT_DOCS.grid }),
    objective: t.string({ defaultValue: 'sharpe', description: 'A RunMetrics field name.' }),
    maximize: t.boolean({ defaultValue: true }),
    keepTop: t.int({ defaultValue: 10, description: SWEEP_INPUT_DOCS.keepTop }),
    maxCombinations: t.int({ defaultValue: 10_000, description: SWEEP_INPUT_DOCS.maxCombinations }),
  }),
});

builder.mutationFields((t) => ({
  runSweep: t.field({
    type: SweepRef,
    description: 'Validates the grid, then runs every combination across the worker pool; returns at once.',
    args: { input: t.arg({ type: RunSweepInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      requireRunRole(ctx, 'start sweeps');
      try {
        ctx.jobs.admission.checkKey(ownerOf(ctx.principal));
        const validated = validateSweepInput({ datasets: await ctx.storage.listDatasets(), strategies: ctx.strategies }, {
          ...toRunInput(input),
          grid: input.grid,
          objective: input.objective,
          maximize: input.maximize,
          keepTop: input.keepTop,
          maxCombinations: ctx.jobs.admission.maxCombinations(input.maxCombinations),
        });
        return await ctx.sweeps.start({ ...validated, base: { ...validated.base, run: { ...validated.base.run, ownerKeyId: ownerOf(ctx.principal) } } });
      } catch (e) {
        if (e instanceof RunInputError) throw badUserInput(e.errors, 'input');
        if (e instanceof QueueFullError) throw queueFull(e);
        throw e;
      }
    },
  }),
  cancelSweep: t.field({
    type: SweepRef,
    description: 'Stops a sweep; results of finished combinations are kept.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireRunRole(ctx, 'cancel sweeps');
      const s = await requireSweep(ctx, String(args.id));
      return (await ctx.sweeps.cancel(s.id)) ?? s;
    },
  }),
}));

builder.subscriptionField('sweepProgress', (t) =>
  t.field({
    type: SweepProgressEventRef,
    description: 'The current state first, then progress with the best result so far (throttled); completes when the sweep ends.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const s = await requireSweep(ctx, String(args.id));
      return (async function* () {
        try {
          for await (const snap of sweepStream(ctx.sweeps, s.id)) yield { ...snap, sweepId: s.id };
        } catch (e) {
          if (e instanceof SweepNotFoundError) throw notFound('sweep', e.id);
          throw e;
        }
      })();
    },
    resolve: (e: SweepEventShape) => e,
  }),
);
