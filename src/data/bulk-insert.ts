/**
 * Many rows into one table through a single prepared statement. drizzle's multi-row insert builds
 * and prepares fresh SQL for every batch (~30k rows/s here for result rows); one prepared statement
 * executed per row inside the caller's transaction is an order of magnitude faster. Column names
 * and value mapping still come from the drizzle table, so the schema stays the single source.
 */
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type Database from 'better-sqlite3';
import type { AppDatabase } from './db.js';

const statements = new WeakMap<Database.Database, Map<string, { sql: Database.Statement; keys: string[]; map: ((v: unknown) => unknown)[] }>>();

export function bulkInsert<T extends SQLiteTable>(app: AppDatabase, table: T, rows: readonly T['$inferInsert'][]): void {
  if (rows.length === 0) return;
  const config = getTableConfig(table);
  let cache = statements.get(app.sqlite);
  if (!cache) statements.set(app.sqlite, (cache = new Map()));
  let prepared = cache.get(config.name);
  if (!prepared) {
    // Object keys of the row type, matched to their SQL columns.
    const entries = Object.entries(table as unknown as Record<string, unknown>).filter(
      ([, col]) => config.columns.includes(col as (typeof config.columns)[number]),
    ) as [string, (typeof config.columns)[number]][];
    const names = entries.map(([, col]) => `"${col.name}"`).join(', ');
    const marks = entries.map(() => '?').join(', ');
    prepared = {
      sql: app.sqlite.prepare(`INSERT INTO "${config.name}" (${names}) VALUES (${marks})`),
      keys: entries.map(([key]) => key),
      map: entries.map(([, col]) => (v: unknown) => (v === undefined || v === null ? null : col.mapToDriverValue(v))),
    };
    cache.set(config.name, prepared);
  }
  const { sql, keys, map } = prepared;
  const values: unknown[] = new Array(keys.length);
  for (const row of rows as Record<string, unknown>[]) {
    for (let c = 0; c < keys.length; c++) values[c] = map[c](row[keys[c]]);
    sql.run(values);
  }
}
