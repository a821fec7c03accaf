/** Run aggregate (Postgres mirror of ../schema/runs.ts: same tables, columns, keys and indexes). */
import { boolean, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { BAR_PERIODS } from '../../engine/bars.js';
import { ORDER_STATUSES, ORDER_TYPES } from '../../engine/orders.js';
import { RESULT_KINDS, RUN_STATUSES } from '../schema/runs.js';
import { bytea, int64 } from './columns.js';

// One list of statuses and kinds for both dialects (plain constants; no SQLite table comes with them).
export { RESULT_KINDS, RUN_STATUSES, type RunStatus } from '../schema/runs.js';

const SIDES = ['BUY', 'SELL'] as const;

export const runs = pgTable(
  'runs',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    strategy: text('strategy').notNull(),
    params: text('params').notNull(),
    symbols: text('symbols').notNull(),
    dataset: text('dataset').notNull(),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    start: text('start'),
    end: text('end'),
    initialCash: doublePrecision('initial_cash').notNull(),
    commission: text('commission').notNull(),
    slippageBps: doublePrecision('slippage_bps').notNull(),
    periodsPerYear: doublePrecision('periods_per_year'),
    benchmark: text('benchmark'),
    riskFreeRate: doublePrecision('risk_free_rate').notNull().default(0),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    progress: doublePrecision('progress').notNull().default(0),
    /** Bars of every symbol together: bigint, like SQLite's 64-bit integer. */
    barsProcessed: int64('bars_processed').notNull().default(0),
    error: text('error'),
    createdAt: int64('created_at').notNull(),
    startedAt: int64('started_at'),
    finishedAt: int64('finished_at'),
    metrics: text('metrics'),
    ownerKeyId: integer('owner_key_id'),
  },
  (t) => [
    index('runs_status_id_idx').on(t.status, t.id),
    index('runs_strategy_id_idx').on(t.strategy, t.id),
    index('runs_owner_id_idx').on(t.ownerKeyId, t.id),
  ],
);

const runRef = () =>
  integer('run_id')
    .notNull()
    .references(() => runs.id, { onDelete: 'cascade' });

export const orders = pgTable(
  'orders',
  {
    runId: runRef(),
    seq: integer('seq').notNull(),
    orderId: integer('order_id').notNull(),
    time: int64('time').notNull(),
    symbolIndex: integer('symbol_index').notNull(),
    symbol: text('symbol').notNull(),
    side: text('side', { enum: SIDES }).notNull(),
    type: text('type', { enum: ORDER_TYPES }).notNull(),
    quantity: doublePrecision('quantity').notNull(),
    limitPrice: doublePrecision('limit_price'),
    stopPrice: doublePrecision('stop_price'),
    timeInForce: text('time_in_force', { enum: ['GTC', 'DAY'] }).notNull(),
    tag: text('tag'),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    filledQuantity: doublePrecision('filled_quantity').notNull(),
    averageFillPrice: doublePrecision('average_fill_price'),
    reason: text('reason'),
    /** SQLite stores it as integer 0/1 in drizzle's boolean mode; both read as a JS boolean. */
    triggered: boolean('triggered').notNull(),
    submittedStep: integer('submitted_step').notNull(),
    expiresAt: int64('expires_at'),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const fills = pgTable(
  'fills',
  {
    runId: runRef(),
    seq: integer('seq').notNull(),
    fillId: integer('fill_id').notNull(),
    orderId: integer('order_id').notNull(),
    time: int64('time').notNull(),
    symbolIndex: integer('symbol_index').notNull(),
    symbol: text('symbol').notNull(),
    barIndex: integer('bar_index').notNull(),
    side: text('side', { enum: SIDES }).notNull(),
    quantity: doublePrecision('quantity').notNull(),
    price: doublePrecision('price').notNull(),
    commission: doublePrecision('commission').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const roundTrips = pgTable(
  'round_trips',
  {
    runId: runRef(),
    seq: integer('seq').notNull(),
    symbol: text('symbol').notNull(),
    side: text('side', { enum: SIDES }).notNull(),
    quantity: doublePrecision('quantity').notNull(),
    entryTime: int64('entry_time').notNull(),
    exitTime: int64('exit_time').notNull(),
    entryPrice: doublePrecision('entry_price').notNull(),
    exitPrice: doublePrecision('exit_price').notNull(),
    pnl: doublePrecision('pnl').notNull(),
    returnPct: doublePrecision('return_pct').notNull(),
    bars: integer('bars').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Orders, fills and round trips of a run as columnar blocks (result-blocks.ts). */
export const resultBlocks = pgTable(
  'result_blocks',
  {
    runId: runRef(),
    kind: text('kind', { enum: RESULT_KINDS }).notNull(),
    firstSeq: integer('first_seq').notNull(),
    count: integer('count').notNull(),
    format: integer('format').notNull(),
    dictionary: text('dictionary').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.kind, t.firstSeq] })],
);

/** One row per run; columns are little-endian Float64 bytes, raw or as runs by `format` (equity-codec.ts). */
export const equityCurves = pgTable('equity_curves', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  points: integer('points').notNull(),
  format: integer('format').notNull().default(1),
  time: bytea('time').notNull(),
  equity: bytea('equity').notNull(),
  cash: bytea('cash').notNull(),
  drawdown: bytea('drawdown').notNull(),
});
