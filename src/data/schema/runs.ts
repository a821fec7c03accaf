/**
 * Run aggregate: one runs row plus its orders, fills, round trips and equity curve,
 * all removed with the run (ON DELETE CASCADE).
 */
import { blob, index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { BAR_PERIODS } from '../../engine/bars.js';
import { ORDER_STATUSES, ORDER_TYPES } from '../../engine/orders.js';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const SIDES = ['BUY', 'SELL'] as const;

export const runs = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    strategy: text('strategy').notNull(),
    /** JSON object: the fully resolved parameter set, defaults included. */
    params: text('params').notNull(),
    /** JSON array of symbols. */
    symbols: text('symbols').notNull(),
    dataset: text('dataset').notNull(),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    /** YYYY-MM-DD, inclusive; null = from the first bar. */
    start: text('start'),
    /** YYYY-MM-DD, inclusive; null = to the last bar. */
    end: text('end'),
    initialCash: real('initial_cash').notNull(),
    /** JSON {perUnit, minimumPerOrder, percentOfNotional}. */
    commission: text('commission').notNull(),
    slippageBps: real('slippage_bps').notNull(),
    periodsPerYear: real('periods_per_year'),
    /** JSON {dataset, symbol}: buy-and-hold of that symbol is the run's benchmark (analytics); null = none. */
    benchmark: text('benchmark'),
    /** Annual risk-free rate, a fraction, for Sharpe, Sortino and alpha. */
    riskFreeRate: real('risk_free_rate').notNull().default(0),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    progress: real('progress').notNull().default(0),
    barsProcessed: integer('bars_processed').notNull().default(0),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /** JSON RunMetrics once finished with a result. */
    metrics: text('metrics'),
    /** The API key that started the run (api_keys.id); null when the service runs without keys. */
    ownerKeyId: integer('owner_key_id'),
  },
  (t) => [
    // Serves "runs with status = ? newest first" (id DESC, id cursor) and counting them; also finds QUEUED/RUNNING at startup.
    index('runs_status_id_idx').on(t.status, t.id),
    // Serves "runs of strategy = ? newest first" (id DESC, id cursor) and counting them.
    index('runs_strategy_id_idx').on(t.strategy, t.id),
    // Serves "runs of key = ? newest first" for keys that see only their own runs.
    index('runs_owner_id_idx').on(t.ownerKeyId, t.id),
  ],
);

const runRef = () =>
  integer('run_id')
    .notNull()
    .references(() => runs.id, { onDelete: 'cascade' });

export const orders = sqliteTable(
  'orders',
  {
    runId: runRef(),
    /** Position in the result's order list (submission order). */
    seq: integer('seq').notNull(),
    orderId: integer('order_id').notNull(),
    time: integer('time').notNull(),
    symbolIndex: integer('symbol_index').notNull(),
    symbol: text('symbol').notNull(),
    side: text('side', { enum: SIDES }).notNull(),
    type: text('type', { enum: ORDER_TYPES }).notNull(),
    quantity: real('quantity').notNull(),
    limitPrice: real('limit_price'),
    stopPrice: real('stop_price'),
    timeInForce: text('time_in_force', { enum: ['GTC', 'DAY'] }).notNull(),
    tag: text('tag'),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    filledQuantity: real('filled_quantity').notNull(),
    averageFillPrice: real('average_fill_price'),
    reason: text('reason'),
    triggered: integer('triggered', { mode: 'boolean' }).notNull(),
    submittedStep: integer('submitted_step').notNull(),
    /** Null for GTC (the engine's Infinity). */
    expiresAt: integer('expires_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // Serves "orders of run ? in submission order, page by offset" and the cascade delete.
    primaryKey({ columns: [t.runId, t.seq] }),
  ],
);

export const fills = sqliteTable(
  'fills',
  {
    runId: runRef(),
    /** Position in the result's fill list (execution order). */
    seq: integer('seq').notNull(),
    fillId: integer('fill_id').notNull(),
    orderId: integer('order_id').notNull(),
    time: integer('time').notNull(),
    symbolIndex: integer('symbol_index').notNull(),
    symbol: text('symbol').notNull(),
    barIndex: integer('bar_index').notNull(),
    side: text('side', { enum: SIDES }).notNull(),
    quantity: real('quantity').notNull(),
    price: real('price').notNull(),
    commission: real('commission').notNull(),
  },
  (t) => [
    // Serves "fills of run ? in execution order, page by offset" and the cascade delete.
    primaryKey({ columns: [t.runId, t.seq] }),
  ],
);

export const roundTrips = sqliteTable(
  'round_trips',
  {
    runId: runRef(),
    seq: integer('seq').notNull(),
    symbol: text('symbol').notNull(),
    side: text('side', { enum: SIDES }).notNull(),
    quantity: real('quantity').notNull(),
    entryTime: integer('entry_time').notNull(),
    exitTime: integer('exit_time').notNull(),
    entryPrice: real('entry_price').notNull(),
    exitPrice: real('exit_price').notNull(),
    pnl: real('pnl').notNull(),
    returnPct: real('return_pct').notNull(),
    bars: integer('bars').notNull(),
  },
  (t) => [
    // Serves "round trips of run ? in close order, page by offset" and the cascade delete.
    primaryKey({ columns: [t.runId, t.seq] }),
  ],
);

export const RESULT_KINDS = ['fills', 'orders', 'roundTrips'] as const;

/**
 * Orders, fills and round trips of a run as columnar blocks of consecutive items (see
 * result-blocks.ts). Runs stored before these blocks existed keep their rows in the tables above.
 */
export const resultBlocks = sqliteTable(
  'result_blocks',
  {
    runId: runRef(),
    kind: text('kind', { enum: RESULT_KINDS }).notNull(),
    /** Position of the block's first item in the run's list (0-based). */
    firstSeq: integer('first_seq').notNull(),
    count: integer('count').notNull(),
    /** Version of the byte layout of `bytes`. */
    format: integer('format').notNull(),
    /** JSON array: the strings the block's text columns refer to by index. */
    dictionary: text('dictionary').notNull(),
    bytes: blob('bytes', { mode: 'buffer' }).notNull(),
  },
  (t) => [
    // Serves "blocks of run ? and kind ? overlapping [offset, offset + limit)", the total count and the cascade delete.
    primaryKey({ columns: [t.runId, t.kind, t.firstSeq] }),
  ],
);

/** One row per run; columns are little-endian Float64 bytes, raw or as runs by `format` (see equity-codec.ts). */
export const equityCurves = sqliteTable('equity_curves', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  points: integer('points').notNull(),
  /** 1: four raw Float64 columns; 2: time and cash as runs, drawdown derived (data/equity-codec.ts). */
  format: integer('format').notNull().default(1),
  time: blob('time', { mode: 'buffer' }).notNull(),
  equity: blob('equity', { mode: 'buffer' }).notNull(),
  cash: blob('cash', { mode: 'buffer' }).notNull(),
  drawdown: blob('drawdown', { mode: 'buffer' }).notNull(),
});
