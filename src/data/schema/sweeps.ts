/**
 * Sweep aggregate: one sweeps row (the base run input, the grid, progress counters) and one
 * sweep_results row per combination that ran; the best `keepTop` link to ordinary runs.
 */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { BAR_PERIODS } from '../../engine/bars.js';
import { RUN_STATUSES, runs } from './runs.js';

export const sweeps = sqliteTable(
  'sweeps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    strategy: text('strategy').notNull(),
    /** JSON object: fixed parameter overrides shared by every combination. */
    baseParams: text('base_params').notNull(),
    /** JSON object: param name -> the expanded list of values. */
    grid: text('grid').notNull(),
    symbols: text('symbols').notNull(),
    dataset: text('dataset').notNull(),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    start: text('start'),
    end: text('end'),
    initialCash: real('initial_cash').notNull(),
    commission: text('commission').notNull(),
    slippageBps: real('slippage_bps').notNull(),
    periodsPerYear: real('periods_per_year').notNull(),
    objective: text('objective').notNull(),
    maximize: integer('maximize', { mode: 'boolean' }).notNull(),
    keepTop: integer('keep_top').notNull(),
    /** Every combination of the grid, skipped ones included. */
    total: integer('total').notNull(),
    skipped: integer('skipped').notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /** The API key that started the sweep (api_keys.id); null when the service runs without keys. */
    ownerKeyId: integer('owner_key_id'),
  },
  (t) => [
    // Serves "sweeps newest first" (id DESC cursor) and finding unfinished sweeps at start-up.
    index('sweeps_status_id_idx').on(t.status, t.id),
    // Serves "sweeps of key = ? newest first".
    index('sweeps_owner_id_idx').on(t.ownerKeyId, t.id),
  ],
);

export const sweepResults = sqliteTable(
  'sweep_results',
  {
    sweepId: integer('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    /** Index of the combination in grid order. */
    seq: integer('seq').notNull(),
    /** JSON object: the full resolved params of this combination. */
    params: text('params').notNull(),
    /** JSON RunMetrics. */
    metrics: text('metrics').notNull(),
    /** The objective's value; null sorts last whichever the direction. */
    objectiveValue: real('objective_value'),
    runId: integer('run_id').references(() => runs.id, { onDelete: 'set null' }),
  },
  (t) => [
    // Serves "results of sweep ? in grid order" and the cascade delete.
    primaryKey({ columns: [t.sweepId, t.seq] }),
    // Serves "results of sweep ? best first" (ORDER BY objective_value) and the best result.
    index('sweep_results_objective_idx').on(t.sweepId, t.objectiveValue),
  ],
);
