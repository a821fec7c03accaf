/** Sweep aggregate (Postgres mirror of ../schema/sweeps.ts: same tables, columns, keys and indexes). */
import { boolean, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { BAR_PERIODS } from '../../engine/bars.js';
import { int64 } from './columns.js';
import { RUN_STATUSES, runs } from './runs.js';

export const sweeps = pgTable(
  'sweeps',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    strategy: text('strategy').notNull(),
    baseParams: text('base_params').notNull(),
    grid: text('grid').notNull(),
    symbols: text('symbols').notNull(),
    dataset: text('dataset').notNull(),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    start: text('start'),
    end: text('end'),
    initialCash: doublePrecision('initial_cash').notNull(),
    commission: text('commission').notNull(),
    slippageBps: doublePrecision('slippage_bps').notNull(),
    periodsPerYear: doublePrecision('periods_per_year').notNull(),
    objective: text('objective').notNull(),
    /** SQLite stores it as integer 0/1 in drizzle's boolean mode; both read as a JS boolean. */
    maximize: boolean('maximize').notNull(),
    keepTop: integer('keep_top').notNull(),
    total: integer('total').notNull(),
    skipped: integer('skipped').notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    error: text('error'),
    createdAt: int64('created_at').notNull(),
    startedAt: int64('started_at'),
    finishedAt: int64('finished_at'),
    ownerKeyId: integer('owner_key_id'),
  },
  (t) => [
    index('sweeps_status_id_idx').on(t.status, t.id),
    index('sweeps_owner_id_idx').on(t.ownerKeyId, t.id),
  ],
);

export const sweepResults = pgTable(
  'sweep_results',
  {
    sweepId: integer('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    params: text('params').notNull(),
    metrics: text('metrics').notNull(),
    objectiveValue: doublePrecision('objective_value'),
    runId: integer('run_id').references(() => runs.id, { onDelete: 'set null' }),
  },
  (t) => [
    primaryKey({ columns: [t.sweepId, t.seq] }),
    index('sweep_results_objective_idx').on(t.sweepId, t.objectiveValue),
  ],
);
