/**
 * Postgres schema: the drizzle pg-core mirror of ../schema/ (sqlite-core), with the same export
 * names, tables, column names, keys, foreign keys and indexes (drizzle-pg.config.ts points here;
 * test/postgres-schema.test.ts compares the two). Columns keep the JavaScript values of the SQLite
 * side, so row mappers and codecs are shared:
 * - blobs -> `bytea` as a Node Buffer (columns.ts), the same little-endian Float64 bytes;
 * - epoch-ms times, coverage.content_id (random below 2^53) and sums of bars (coverage.bars,
 *   runs.bars_processed) -> `bigint` read as a JS number; other counts, positions, formats and
 *   ids -> `integer` (32-bit: SQLite's is 64-bit, so a value past 2^31 - 1 fails here);
 * - reals -> `double precision`. Unlike SQLite, which stores NaN as NULL, Postgres keeps NaN
 *   (and both keep ±Infinity);
 * - JSON -> `text`, parsed by the mappers as on the SQLite side; enums -> `text` checked by the
 *   TypeScript types only, as on the SQLite side;
 * - SQLite's integer-mode booleans (orders.triggered, sweeps.maximize) -> `boolean`: both read as
 *   a JS boolean;
 * - AUTOINCREMENT ids -> `integer GENERATED ALWAYS AS IDENTITY`: `.returning()` gives the new id,
 *   and an explicit id is refused rather than left to collide with the sequence later.
 */
export * from './api-keys.js';
export * from './market.js';
export * from './runs.js';
export * from './sweeps.js';
