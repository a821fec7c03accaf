/**
 * What the Postgres run, sweep and key stores share: the query runner type (the pool's drizzle or a
 * transaction of it), reads in one snapshot, ids compared as Postgres `integer`s, text Postgres can
 * hold, and the driver's own errors.
 */
import { DrizzleQueryError, eq, lt, sql, type Column, type ExtractTablesWithRelations, type SQL } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase as DrizzlePgDatabase } from 'drizzle-orm/pg-core';
import type { PgDatabase, PgSchema } from '../postgres-db.js';

/** Runs queries: `pg.db` itself or a transaction of it. */
export type PgExecutor = DrizzlePgDatabase<NodePgQueryResultHKT, PgSchema, ExtractTablesWithRelations<PgSchema>>;

/**
 * Several reads that must agree (a count and a page, a run's last block and its blocks), as one
 * read transaction gives them on SQLite: REPEATABLE READ sees one snapshot for all its statements.
 */
export function readSnapshot<T>(pg: PgDatabase, fn: (tx: PgExecutor) => Promise<T>): Promise<T> {
  return pg.db.transaction(fn, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/** Whether `n` fits a Postgres `integer` (ids, positions): SQLite's integers are 64-bit. */
export function isPgInteger(n: number): boolean {
  return Number.isInteger(n) && n >= INT4_MIN && n <= INT4_MAX;
}

/**
 * `column = id` for an `integer` column. An id no such column can hold (a safe integer past 2^31,
 * a fraction) matches nothing, as on SQLite, instead of failing the query with "out of range".
 */
export function eqId(column: Column, id: number): SQL {
  return isPgInteger(id) ? eq(column, id) : sql`false`;
}

/** `column < bound` for an `integer` column and any number, as SQLite compares it (NaN binds as NULL there: nothing). */
export function idBelow(column: Column, bound: number): SQL {
  if (Number.isNaN(bound)) return sql`false`;
  const b = Math.ceil(bound); // id < 2.5 <=> id < 3 for integers
  if (b > INT4_MAX) return sql`true`;
  if (b <= INT4_MIN) return sql`false`;
  return lt(column, b);
}

/**
 * Text as Postgres can store it: a NUL character (which SQLite keeps, e.g. in a strategy's error
 * message) would fail the whole write, so it becomes U+FFFD.
 */
export function pgText<T extends string | null | undefined>(s: T): T {
  return (typeof s === 'string' && s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s) as T;
}

/** The driver's error (with its SQLSTATE `code` and `constraint`) behind drizzle's wrapper, or `e` itself. */
export function driverError(e: unknown): unknown {
  return e instanceof DrizzleQueryError && e.cause !== undefined ? e.cause : e;
}

/**
 * Awaits `p`, throwing the driver's error instead of drizzle's wrapper, whose message lists every
 * parameter (megabytes of bytea for a run's results) and which SQLite's errors do not resemble.
 */
export async function withDriverErrors<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw driverError(e);
  }
}

/** True when `e` is a unique violation of `constraint`. */
export function isUniqueViolation(e: unknown, constraint: string): boolean {
  const d = driverError(e) as { code?: unknown; constraint?: unknown } | null;
  return d?.code === '23505' && d.constraint === constraint;
}
