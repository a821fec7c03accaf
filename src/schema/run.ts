/** BacktestRun with its results, the run queries and mutations, and the live subscriptions. */
import type { Fill } from '../engine/orders.js';
import type { RunMetrics } from '../engine/results.js';
import { RUN_STATUSES, type RunRecord } from '../data/run-types.js';
import { QueueFullError } from '../jobs/admission.js';
import { RunInputError, validateRunInput, type RunInput } from '../jobs/run-input.js';
import { COMMISSION_INPUT_DOCS, RUN_INPUT_DOCS } from '../jobs/run-input-docs.js';
import { finiteSamples, readableEquity, readableFills, readableMetrics, readableOrders, readableRoundTrips, runError } from '../jobs/readable-results.js';
import { equityStream, fillStream, parseRunId, statusStream } from '../jobs/run-streams.js';
import type { EquitySample, StatusSnapshot } from '../jobs/run-events.js';
import { builder, type GraphQLContext } from './builder.js';
import { BarPeriodEnum } from './dataset.js';
import { badField, badUserInput, notFound, queueFull } from './errors.js';
import { requireRunRole, visible } from './access.js';
import { findById, requireById } from './ids.js';
import { ownerFilter, ownerOf } from '../auth/principal.js';
import { idCursorConnection, offsetConnection } from './pagination.js';
import { StrategyRef, strategyOrPlaceholder } from './strategy.js';
import { EquityPointRef, FillRef, OrderRef, RoundTripRef } from './trading-types.js';
import { BENCHMARK_INPUT_DOC, BenchmarkInputRef, RISK_FREE_RATE_DOC, toBenchmarkInput } from './analytics-inputs.js';
import { ACCOUNT_INPUT_DOC, AccountInputRef, RISK_INPUT_DOC, RiskLimitsInputRef } from './account-risk-inputs.js';
import { withBenchmark } from '../analytics/load-run-analytics.js';

export const RunStatusEnum = builder.enumType('RunStatus', { values: RUN_STATUSES });

export const RunMetricsRef = builder.objectRef<RunMetrics>('RunMetrics').implement({
  description: 'Statistics of CONVENTIONS.md; ratios are fractions (0.05 = 5%), null where undefined.',
  fields: (t) => ({
    finalEquity: t.exposeFloat('finalEquity'),
    totalReturn: t.exposeFloat('totalReturn'),
    cagr: t.exposeFloat('cagr', { nullable: true }),
    volatility: t.exposeFloat('volatility', { nullable: true }),
    sharpe: t.exposeFloat('sharpe', { nullable: true }),
    sortino: t.exposeFloat('sortino', { nullable: true }),
    maxDrawdown: t.exposeFloat('maxDrawdown'),
    maxDrawdownDuration: t.exposeInt('maxDrawdownDuration', { description: 'In bars.' }),
    trades: t.exposeInt('trades'),
    winRate: t.exposeFloat('winRate', { nullable: true }),
    profitFactor: t.exposeFloat('profitFactor', { nullable: true }),
    totalCommission: t.exposeFloat('totalCommission'),
    exposure: t.exposeFloat('exposure'),
  }),
});

/** Live progress of an active run overrides the stored one, which is only written a few times a second. */
function liveState(ctx: GraphQLContext, run: RunRecord): StatusSnapshot {
  const active = ctx.jobs.activeRun(run.id);
  if (active && active.state.status === run.status) return active.state;
  return { status: run.status, progress: run.progress, barsProcessed: run.barsProcessed, simTime: active?.state.simTime ?? null };
}

export const BacktestRunRef = builder.objectRef<RunRecord>('BacktestRun').implement({
  fields: (t) => ({
    id: t.id({ resolve: (r) => String(r.id) }),
    strategy: t.field({ type: StrategyRef, resolve: (r, _a, ctx) => strategyOrPlaceholder(ctx.strategies, r.strategy) }),
    params: t.field({ type: 'JSONObject', resolve: (r) => r.params }),
    symbols: t.stringList({ resolve: (r) => r.symbols }),
    period: t.field({ type: BarPeriodEnum, resolve: (r) => r.period }),
    dataset: t.id({ resolve: (r) => r.dataset }),
    start: t.field({ type: 'Date', nullable: true, resolve: (r) => r.start }),
    end: t.field({ type: 'Date', nullable: true, resolve: (r) => r.end }),
    initialCash: t.exposeFloat('initialCash'),
    slippageBps: t.exposeFloat('slippageBps'),
    status: t.field({ type: RunStatusEnum, resolve: (r) => r.status }),
    progress: t.float({ resolve: (r, _a, ctx) => liveState(ctx, r).progress }),
    barsProcessed: t.int({ resolve: (r, _a, ctx) => liveState(ctx, r).barsProcessed }),
    error: t.string({ nullable: true, resolve: (r) => runError(r) }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.finishedAt }),
    metrics: t.field({
      type: RunMetricsRef,
      nullable: true,
      description: 'Null until the run has ended; a cancelled run reports the metrics of its partial results.',
      resolve: (r) => (r.status === 'COMPLETED' || r.status === 'CANCELLED' ? readableMetrics(r) : null),
    }),
    fills: t.connection(
      {
        type: FillRef,
        description: 'In execution order.',
        resolve: (r, args, ctx) =>
          offsetConnection(args, (offset, limit) => readableFills(ctx.storage, r, { offset, limit }), (item) => ({ runId: r.id, item })),
      },
      { name: 'FillConnection', fields: (c) => ({ totalCount: c.int({ resolve: (p) => p.totalCount }) }) },
    ),
    orders: t.connection(
      {
        type: OrderRef,
        description: 'In submission order.',
        resolve: (r, args, ctx) =>
          offsetConnection(args, (offset, limit) => readableOrders(ctx.storage, r, { offset, limit }), (item) => ({ runId: r.id, item })),
      },
      { name: 'OrderConnection', fields: (c) => ({ totalCount: c.int({ resolve: (p) => p.totalCount }) }) },
    ),
    roundTrips: t.field({ type: [RoundTripRef], resolve: (r, _a, ctx) => readableRoundTrips(ctx.storage, r) }),
    equityCurve: t.field({
      type: [EquityPointRef],
      description: 'One point per timestamp; maxPoints downsamples, keeping the first, the last and the extremes.',
      args: { maxPoints: t.arg.int() },
      resolve: async (r, args, ctx) => {
        if (args.maxPoints != null && args.maxPoints < 2) throw badField('maxPoints', `must be >= 2, got ${args.maxPoints}`);
        const curve = await readableEquity(ctx.storage, r, args.maxPoints ?? undefined);
        // Live points only while the run is live: a run that has just ended (its job not yet
        // released) shows what was stored, which for a FAILED run is nothing.
        if (!curve) return r.status === 'QUEUED' || r.status === 'RUNNING' ? finiteSamples(ctx.jobs.activeRun(r.id)?.equity ?? []) : [];
        const points: EquitySample[] = new Array(curve.length);
        for (let k = 0; k < curve.length; k++) points[k] = { time: curve.time[k], equity: curve.equity[k], cash: curve.cash[k], drawdown: curve.drawdown[k] };
        return withBenchmark(ctx.storage, r, points);
      },
    }),
  }),
});

interface StatusEventShape extends StatusSnapshot {
  readonly runId: number;
}

const RunStatusEventRef = builder.objectRef<StatusEventShape>('RunStatusEvent').implement({
  fields: (t) => ({
    run: t.field({
      type: BacktestRunRef,
      resolve: async (e, _a, ctx) => {
        const run = await findRun(ctx, e.runId);
        if (!run) throw notFound('run', String(e.runId));
        return run;
      },
    }),
    status: t.field({ type: RunStatusEnum, resolve: (e) => e.status }),
    progress: t.exposeFloat('progress'),
    barsProcessed: t.exposeInt('barsProcessed'),
    simTime: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.simTime }),
  }),
});

/** The run with this id if the caller may see it, else null. */
export async function findRun(ctx: GraphQLContext, id: number): Promise<RunRecord | null> {
  return visible(ctx, await ctx.storage.getRun(id));
}

/** The canonical id string of an existing run (NOT_FOUND otherwise). */
async function requireRunId(ctx: GraphQLContext, id: string): Promise<string> {
  return String((await requireRun(ctx, id)).id);
}

function requireRun(ctx: GraphQLContext, id: string): Promise<RunRecord> {
  return requireById('run', id, (n) => findRun(ctx, n));
}

builder.queryFields((t) => ({
  run: t.field({
    type: BacktestRunRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => findById(String(args.id), (n) => findRun(ctx, n)),
  }),
  runs: t.connection(
    {
      type: BacktestRunRef,
      description: 'Newest first. Cursors are run ids, stable while new runs arrive.',
      args: { status: t.arg({ type: RunStatusEnum }), strategy: t.arg.id() },
      resolve: (_root, args, ctx) =>
        idCursorConnection(args, 'runs', async (first, after) => {
          const page = await ctx.storage.listRuns({ first, after, status: args.status ?? null, strategy: args.strategy == null ? null : String(args.strategy), ownerKeyId: ownerFilter(ctx.principal) });
          return { items: page.runs, totalCount: page.totalCount, hasNextPage: page.hasNextPage };
        }),
    },
    { name: 'BacktestRunConnection', fields: (c) => ({ totalCount: c.int({ resolve: (p) => p.totalCount }) }) },
  ),
}));

export const CommissionInput = builder.inputType('CommissionInput', {
  fields: (t) => ({
    perUnit: t.float({ defaultValue: 0, description: COMMISSION_INPUT_DOCS.perUnit }),
    minimumPerOrder: t.float({ defaultValue: 0, description: COMMISSION_INPUT_DOCS.minimumPerOrder }),
    percentOfNotional: t.float({ defaultValue: 0, description: COMMISSION_INPUT_DOCS.percentOfNotional }),
  }),
});

const RunBacktestInput = builder.inputType('RunBacktestInput', {
  fields: (t) => ({
    strategy: t.id({ required: true, description: RUN_INPUT_DOCS.strategy }),
    params: t.field({ type: 'JSONObject', description: RUN_INPUT_DOCS.params }),
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
    account: t.field({ type: AccountInputRef, description: ACCOUNT_INPUT_DOC }),
    risk: t.field({ type: RiskLimitsInputRef, description: RISK_INPUT_DOC }),
  }),
});

/** The GraphQL input (RunBacktestInput, or the same fields of RunSweepInput) as the shared validator takes it. */
export function toRunInput(input: {
  strategy: string | number;
  params?: Record<string, unknown> | null;
  symbols: string[];
  period: string;
  dataset?: string | number | null;
  start?: string | null;
  end?: string | null;
  initialCash?: number | null;
  commission?: RunInput['commission'];
  slippageBps?: number | null;
  periodsPerYear?: number | null;
  benchmark?: { dataset?: string | number | null; symbol: string } | null;
  riskFreeRate?: number | null;
  account?: RunInput['account'];
  risk?: RunInput['risk'];
}): RunInput {
  return {
    strategy: String(input.strategy),
    params: input.params ?? undefined,
    symbols: input.symbols,
    period: input.period,
    dataset: input.dataset == null ? null : String(input.dataset),
    start: input.start,
    end: input.end,
    initialCash: input.initialCash,
    commission: input.commission,
    slippageBps: input.slippageBps,
    periodsPerYear: input.periodsPerYear,
    benchmark: toBenchmarkInput(input.benchmark),
    riskFreeRate: input.riskFreeRate,
    account: input.account,
    risk: input.risk,
  };
}

builder.mutationFields((t) => ({
  runBacktest: t.field({
    type: BacktestRunRef,
    description: 'Validates, stores the run QUEUED and starts it; returns at once.',
    args: { input: t.arg({ type: RunBacktestInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      requireRunRole(ctx, 'start runs');
      try {
        ctx.jobs.admission.checkKey(ownerOf(ctx.principal));
        const validated = validateRunInput({ datasets: await ctx.storage.listDatasets(), strategies: ctx.strategies }, toRunInput(input));
        return await ctx.jobs.enqueue({ ...validated, run: { ...validated.run, ownerKeyId: ownerOf(ctx.principal) } });
      } catch (e) {
        if (e instanceof RunInputError) throw badUserInput(e.errors, 'input');
        if (e instanceof QueueFullError) throw queueFull(e);
        throw e;
      }
    },
  }),
  cancelBacktest: t.field({
    type: BacktestRunRef,
    description: 'A queued run is CANCELLED at once; a running one stops within a second and keeps its partial results.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireRunRole(ctx, 'cancel runs');
      const run = await requireRun(ctx, String(args.id));
      return (await ctx.jobs.cancel(run.id)) ?? run;
    },
  }),
  deleteRuns: t.int({
    description: `Deletes runs and everything stored for them (active ones are cancelled first); returns how many were deleted. At most ${MAX_DELETE_IDS} ids; ids of runs that do not exist (for the caller) are not counted.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireRunRole(ctx, 'delete runs');
      if (args.ids.length > MAX_DELETE_IDS) throw badField('ids', `at most ${MAX_DELETE_IDS} ids per call, got ${args.ids.length}`);
      const ids = args.ids.map((id, i) => {
        const n = parseRunId(String(id));
        if (!Number.isSafeInteger(n)) throw badField(`ids[${i}]`, `not a run id: ${JSON.stringify(String(id).slice(0, 40))}`);
        return n;
      });
      const mine: number[] = [];
      for (const n of ids) if ((await findRun(ctx, n)) !== null) mine.push(n);
      return ctx.jobs.delete(mine);
    },
  }),
}));

/** One deleteRuns call removes at most this many runs (each may cancel an active job). */
const MAX_DELETE_IDS = 1_000;

builder.subscriptionFields((t) => ({
  runStatus: t.field({
    type: RunStatusEventRef,
    description: 'First the current state, then every status change and progress step (a few per second); completes after a final status.',
    args: { id: t.arg.id({ required: true }) },
    // The id is checked here, so an unknown one is NOT_FOUND before any event; resolve adds the
    // run id to each event instead of a mapping generator (one async layer less per event).
    subscribe: async (_root, args, ctx) => statusStream(ctx, await requireRunId(ctx, String(args.id))),
    resolve: (event: StatusSnapshot, args): StatusEventShape => ({ ...event, runId: Number(args.id) }),
  }),
  runFills: t.field({
    type: FillRef,
    description: 'Every fill exactly once, in execution order: earlier fills replayed first, then live ones; completes when the run ends.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => fillStream(ctx, await requireRunId(ctx, String(args.id))),
    resolve: (fill: Fill, args) => ({ runId: Number(args.id), item: fill }),
  }),
  runEquity: t.field({
    type: EquityPointRef,
    description: 'Equity samples from the start (replayed, then live, a few per second); the last is the final equity; completes when the run ends.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => equityStream(ctx, await requireRunId(ctx, String(args.id))),
    resolve: (point: EquitySample) => point,
  }),
}));
