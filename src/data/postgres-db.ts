/**
 * A Postgres connection pool with the drizzle pg-core schema (schema-pg/), the counterpart of
 * db.ts for DATABASE_URL. Every process opens its own pool; Postgres itself serialises writers.
 */
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { checkPostgresUrl } from './database-url.js';
import * as schema from './schema-pg/index.js';

export type PgSchema = typeof schema;

export interface PgDatabase {
  readonly pool: pg.Pool;
  readonly db: NodePgDatabase<PgSchema>;
  /** As given (it may hold a password: do not print it). */
  readonly url: string;
  /** Ends the pool's connections once their queries are done. */
  close(): Promise<void>;
}

export interface PgOpenOptions {
  /** Apply pending migrations (default true). */
  readonly migrate?: boolean;
  /** Most connections the pool opens (default 10, node-postgres's own). */
  readonly max?: number;
}

/** The repo's drizzle-pg/ folder, found from this file (src/data or dist/<folder>: both two deep, see scripts/build.mjs). */
const MIGRATIONS = fileURLToPath(new URL('../../drizzle-pg', import.meta.url));

/**
 * Key of the advisory lock held while migrating ('btgq' in ASCII). drizzle's migrator reads what is
 * applied before its transaction, so two processes migrating a fresh database would both run
 * CREATE TABLE and one would fail; under the lock the second finds nothing left to do. The lock
 * lives in the database's own key space, so databases of one server do not wait for each other.
 */
const MIGRATION_LOCK_KEY = 0x62746771;

/** An unreachable host (packets dropped) would otherwise leave the first query waiting forever. */
const CONNECT_TIMEOUT_MS = 10_000;

const DEFAULT_MAX = 10;
const MAX_CONNECTIONS = 1000;

export { checkPostgresUrl, DatabaseUrlError } from './database-url.js';

/**
 * Opens a pool on `url`, checks that the server answers (a wrong host, port, user or database
 * fails here, not at the first query) and applies pending migrations unless told not to.
 */
export async function openPostgres(url: string, options: PgOpenOptions = {}): Promise<PgDatabase> {
  checkPostgresUrl(url);
  const max = options.max ?? DEFAULT_MAX;
  if (!Number.isInteger(max) || max < 1 || max > MAX_CONNECTIONS) {
    throw new RangeError(`max must be an integer from 1 to ${MAX_CONNECTIONS}, got ${max}`);
  }
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection dropped by the server (restart, idle timeout) is reported here and already
  // removed from the pool; the next query opens a new one. Unhandled, the event would end the process.
  pool.on('error', () => {});
  try {
    if (options.migrate === false) await pool.query('SELECT 1');
    else await applyMigrations(pool);
  } catch (err) {
    await pool.end();
    // Say which database, without the user and password the URL may hold.
    const u = new URL(url);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`DATABASE_URL: could not open postgres://${u.host}${u.pathname}: ${reason}`, { cause: err });
  }
  const db = drizzle({ client: pool, schema });
  return { pool, db, url, close: () => pool.end() };
}

async function applyMigrations(pool: pg.Pool): Promise<void> {
  // Session-level lock: taken, used and released on one connection.
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
    } finally {
      // Failing, the connection is broken: discarding it below ends its session, which frees the lock.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        failed = true;
      });
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // A connection that failed mid-way is discarded rather than returned to the pool.
    client.release(failed);
  }
}
