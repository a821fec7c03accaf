/**
 * Column types of the Postgres mirror that keep the SQLite side's JavaScript values, so the row
 * mappers and codecs are shared.
 */
import { bigint, customType } from 'drizzle-orm/pg-core';

/**
 * `bytea` as a Node Buffer, the type of the SQLite side's `blob({ mode: 'buffer' })` columns.
 * node-postgres does the work: a Buffer parameter is sent in binary form and a bytea result is
 * parsed from its hex text into a fresh Buffer; drizzle adds no mapping of its own.
 */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

/**
 * A 64-bit integer read as a JS number (epoch-ms times, random ids below 2^53, sums of bars):
 * SQLite's integer is 64-bit, Postgres's `integer` only 32. node-postgres returns int8 as a string;
 * drizzle's 'number' mode converts it for selected columns (not for raw `sql` expressions).
 */
export const int64 = <TName extends string>(name: TName) => bigint(name, { mode: 'number' });
