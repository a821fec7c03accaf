/**
 * Market data aggregate: datasets own instruments; an instrument's bars live in
 * columnar chunks per period, summarised by one coverage row per (instrument, period).
 */
import { blob, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { BAR_PERIODS } from '../../engine/bars.js';

export const datasets = sqliteTable('datasets', {
  /** Short stable key used in queries and run definitions, e.g. 'demo'. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const instruments = sqliteTable(
  'instruments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
  },
  (t) => [
    // Serves "find instrument by (dataset, symbol)" on every load/write, and keeps symbols unique per dataset.
    uniqueIndex('instruments_dataset_symbol_uq').on(t.datasetId, t.symbol),
  ],
);

/**
 * Bars in blocks of consecutive rows: each column is raw little-endian Float64 bytes,
 * so a load is a handful of memcpy's instead of one row object per bar.
 */
export const barChunks = sqliteTable(
  'bar_chunks',
  {
    instrumentId: integer('instrument_id')
      .notNull()
      .references(() => instruments.id, { onDelete: 'cascade' }),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    /** Time of the chunk's first bar, epoch ms. */
    startMs: integer('start_ms').notNull(),
    /** Time of the chunk's last bar (inclusive), epoch ms. */
    endMs: integer('end_ms').notNull(),
    count: integer('count').notNull(),
    time: blob('time', { mode: 'buffer' }).notNull(),
    open: blob('open', { mode: 'buffer' }).notNull(),
    high: blob('high', { mode: 'buffer' }).notNull(),
    low: blob('low', { mode: 'buffer' }).notNull(),
    close: blob('close', { mode: 'buffer' }).notNull(),
    volume: blob('volume', { mode: 'buffer' }).notNull(),
  },
  (t) => [
    // Serves range loads: chunks of one (instrument, period) with start < to, in time order.
    primaryKey({ columns: [t.instrumentId, t.period, t.startMs] }),
  ],
);

/** First/last bar time and bar count per (instrument, period): answers listings without touching the blobs. */
export const coverage = sqliteTable(
  'coverage',
  {
    instrumentId: integer('instrument_id')
      .notNull()
      .references(() => instruments.id, { onDelete: 'cascade' }),
    period: text('period', { enum: BAR_PERIODS }).notNull(),
    firstMs: integer('first_ms').notNull(),
    lastMs: integer('last_ms').notNull(),
    bars: integer('bars').notNull(),
    /** Random on every write of these bars (0 before it existed): a reader caching bars knows they changed. */
    contentId: integer('content_id').notNull().default(0),
  },
  (t) => [
    // Serves "coverage of this instrument for this period" (existence checks before writes, listings).
    primaryKey({ columns: [t.instrumentId, t.period] }),
  ],
);
