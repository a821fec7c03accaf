/** Market data (Postgres mirror of ../schema/market.ts: same tables, columns, keys and indexes). */
import { integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { BAR_PERIODS } from '../../engine/bars.js';
import { bytea, int64 } from './columns.js';

export const datasets = pgTable('datasets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const instruments = pgTable(
  'instruments',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
  },
  (t) => [uniqueIndex('instruments_dataset_symbol_uq').on(t.datasetId, t.symbol)],
);

/** Bars in blocks of consecutive rows, each column raw little-endian Float64 bytes. */
export const barChunks = pgTable(
  'bar_chunks',
  {
    instrumentId: integer('instrument_id')
      .notNull()
      .references(() => instruments.id, { onDelete: 'cascade' }),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    startMs: int64('start_ms').notNull(),
    endMs: int64('end_ms').notNull(),
    count: integer('count').notNull(),
    time: bytea('time').notNull(),
    open: bytea('open').notNull(),
    high: bytea('high').notNull(),
    low: bytea('low').notNull(),
    close: bytea('close').notNull(),
    volume: bytea('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.instrumentId, t.period, t.startMs] })],
);

export const coverage = pgTable(
  'coverage',
  {
    instrumentId: integer('instrument_id')
      .notNull()
      .references(() => instruments.id, { onDelete: 'cascade' }),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    firstMs: int64('first_ms').notNull(),
    lastMs: int64('last_ms').notNull(),
    /** A sum over every chunk of the instrument and period: bigint, like SQLite's 64-bit integer. */
    bars: int64('bars').notNull(),
    /** Random in [1, 2^52) (bar-store.ts): needs 64 bits. */
    contentId: int64('content_id').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.instrumentId, t.period] })],
);
