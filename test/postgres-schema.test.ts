/**
 * The Postgres schema (src/data/schema-pg, drizzle-pg/) and openPostgres against a real
 * PostgreSQL 15 (test/support/postgres-server.ts): migrations on a fresh database, again
 * (nothing to do) and from several pools at once; the pg-core mirror compared with the sqlite-core
 * schema table by table (columns, types, nullability, defaults, keys, indexes, foreign keys), and
 * the migrated database's own catalog compared with the sqlite-core schema; Float64 bar bytes
 * through bytea unchanged to the bit; a bad DATABASE_URL refused with a clear error.
 */
import { randomBytes } from 'node:crypto';
import { eq, getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUrlError, openPostgres, type PgDatabase } from '../src/data/postgres-db.js';
import * as pgSchema from '../src/data/schema-pg/index.js';
import * as sqliteSchema from '../src/data/schema/index.js';
import { createDatabase, requirePostgres, startPostgres, type PostgresServer } from './support/postgres-server.js';

const sqliteTables = (Object.values(sqliteSchema) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable));
const pgTables = (Object.values(pgSchema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));

/** The Postgres type each SQLite column kind is stored as (see src/data/schema-pg/index.ts). */
function expectedPgTypes(column: ReturnType<typeof sqliteTableConfig>['columns'][number]): string[] {
  const sqliteType = column.getSQLType();
  if (sqliteType === 'blob') return ['bytea'];
  if (sqliteType === 'real') return ['double precision'];
  if (sqliteType === 'text') return ['text'];
  if (sqliteType === 'integer' && column.columnType === 'SQLiteBoolean') return ['boolean'];
  if (sqliteType === 'integer') {
    // Epoch-ms times do not fit Postgres's 32-bit integer.
    return /(^time|_ms|_at|_time)$/.test(column.name) ? ['bigint'] : ['integer', 'bigint'];
  }
  throw new Error(`no Postgres type chosen for SQLite ${sqliteType} (${column.name})`);
}

describe('Postgres schema mirror (drizzle table configs)', () => {
  it('has the same tables and export names as the SQLite schema', () => {
    expect(pgTables.map(getTableName).sort()).toEqual(sqliteTables.map(getTableName).sort());
    expect(Object.keys(pgSchema).sort()).toEqual(Object.keys(sqliteSchema).sort());
    expect(sqliteTables.length).toBe(13);
  });

  it.each(sqliteTables.map((t) => [getTableName(t), t] as const))('%s: same columns, types, keys, indexes and foreign keys', (name, sqliteTable) => {
    const lite = sqliteTableConfig(sqliteTable);
    const pgTable = pgTables.find((t) => getTableName(t) === name)!;
    const pgc = pgTableConfig(pgTable);

    expect(pgc.columns.map((c) => c.name)).toEqual(lite.columns.map((c) => c.name));
    for (const lc of lite.columns) {
      const pc = pgc.columns.find((c) => c.name === lc.name)!;
      const what = `${name}.${lc.name}`;
      expect(expectedPgTypes(lc), what).toContain(pc.getSQLType());
      expect(pc.notNull, what).toBe(lc.notNull);
      expect(pc.primary, what).toBe(lc.primary);
      const autoIncrement = (lc as { autoIncrement?: boolean }).autoIncrement === true;
      // SQLite numbers a row whose INTEGER PRIMARY KEY (a rowid alias, e.g. equity_curves.run_id) is
      // left out; the stores always give it, and Postgres has no such default.
      const rowidAlias = lc.primary && lc.getSQLType() === 'integer' && !autoIncrement;
      expect(pc.hasDefault, what).toBe(lc.hasDefault && !rowidAlias);
      expect(pc.default, what).toEqual(lc.default);
      expect(pc.isUnique, what).toBe(lc.isUnique);
      if (lc.isUnique) expect(pc.uniqueName, what).toBe(lc.uniqueName);
      expect(pc.enumValues, what).toEqual(lc.enumValues);
      expect(pc.generatedIdentity?.type, what).toBe(autoIncrement ? 'always' : undefined);
    }

    const keys = (pks: { columns: { name: string }[] }[]) => pks.map((pk) => pk.columns.map((c) => c.name));
    expect(keys(pgc.primaryKeys)).toEqual(keys(lite.primaryKeys));

    const indexes = (list: { config: { name?: string; unique: boolean; columns: unknown[] } }[]) =>
      list.map((i) => ({ name: i.config.name, unique: i.config.unique, columns: i.config.columns.map((c) => (c as { name: string }).name) }));
    expect(indexes(pgc.indexes)).toEqual(indexes(lite.indexes));

    const fks = (list: typeof lite.foreignKeys | typeof pgc.foreignKeys) =>
      list.map((fk) => {
        const ref = fk.reference();
        return {
          columns: ref.columns.map((c) => c.name),
          table: getTableName(ref.foreignTable),
          foreignColumns: ref.foreignColumns.map((c) => c.name),
          onDelete: fk.onDelete ?? 'no action',
          onUpdate: fk.onUpdate ?? 'no action',
        };
      });
    expect(fks(pgc.foreignKeys)).toEqual(fks(lite.foreignKeys));

    expect(pgc.uniqueConstraints.length).toBe(lite.uniqueConstraints.length);
    expect(pgc.checks.length).toBe(lite.checks.length);
  });
});

/** Migrations in drizzle-pg/: the initial schema, then bytea storage. */
const MIGRATIONS = 2;

describe.runIf(requirePostgres())('Postgres schema on a real server', () => {
  let server: PostgresServer;
  const open: PgDatabase[] = [];
  const track = (db: PgDatabase): PgDatabase => {
    open.push(db);
    return db;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((db) => db.close()));
    await server?.stop();
  });

  async function appliedMigrations(db: PgDatabase): Promise<number> {
    const r = await db.pool.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    return r.rows[0].n as number;
  }

  it('migrates a fresh database to every table, column and index of the SQLite schema', async () => {
    const fresh = await createDatabase(server.url);
    const db = track(await openPostgres(fresh.url));
    expect(await appliedMigrations(db)).toBe(MIGRATIONS);

    // The database's own catalog, against the sqlite-core schema (not the pg-core mirror).
    const columns = await db.pool.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const actual = new Map<string, { name: string; nullable: boolean }[]>();
    for (const r of columns.rows) {
      const list = actual.get(r.table_name) ?? [];
      list.push({ name: r.column_name, nullable: r.is_nullable === 'YES' });
      actual.set(r.table_name, list);
    }
    const expected = new Map(
      sqliteTables.map((t) => {
        const c = sqliteTableConfig(t);
        return [c.name, c.columns.map((col) => ({ name: col.name, nullable: !col.notNull }))];
      }),
    );
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [table, cols] of expected) {
      expect(
        [...actual.get(table)!].sort((a, b) => a.name.localeCompare(b.name)),
        table,
      ).toEqual([...cols].sort((a, b) => a.name.localeCompare(b.name)));
    }

    const indexRows = await db.pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
    const indexNames = new Set(indexRows.rows.map((r) => r.indexname));
    const sqliteIndexNames = sqliteTables.flatMap((t) => {
      const c = sqliteTableConfig(t);
      return [...c.indexes.map((i) => i.config.name), ...c.columns.filter((col) => col.isUnique).map((col) => col.uniqueName!)];
    });
    expect(sqliteIndexNames.length).toBeGreaterThan(0);
    for (const n of sqliteIndexNames) expect(indexNames, n).toContain(n);

    // Opening again: nothing left to apply, nothing applied twice.
    const again = track(await openPostgres(fresh.url));
    expect(await appliedMigrations(again)).toBe(MIGRATIONS);
  });

  it('keeps every bytea column uncompressed (STORAGE EXTERNAL): doubles compress poorly, result blocks are deflated already', async () => {
    const fresh = await createDatabase(server.url);
    const db = track(await openPostgres(fresh.url));
    const r = await db.pool.query<{ rel: string; attname: string; attstorage: string }>(
      `SELECT c.relname AS rel, a.attname, a.attstorage FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.atttypid = 'bytea'::regtype AND NOT a.attisdropped`,
    );
    expect(r.rows.length).toBe(11); // bar_chunks 6, equity_curves 4, result_blocks 1
    for (const row of r.rows) expect(`${row.rel}.${row.attname}: ${row.attstorage}`).toBe(`${row.rel}.${row.attname}: e`);
  });

  it('migrates one fresh database from four pools at once (advisory lock): all succeed, applied once', async () => {
    const fresh = await createDatabase(server.url);
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openPostgres(fresh.url, { max: 2 }).then(track)));
    expect(dbs).toHaveLength(4);
    expect(await appliedMigrations(dbs[0]!)).toBe(MIGRATIONS);
    const tables = await dbs[3]!.pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables.rows[0].n).toBe(sqliteTables.length);
  });

  it('stores Float64 bar columns in bytea and reads them back byte for byte, with ids, times and content ids as numbers', async () => {
    const fresh = await createDatabase(server.url);
    const { db, pool } = track(await openPostgres(fresh.url));

    // 65,536 doubles: random bit patterns (NaNs with payloads, subnormals, any exponent) and the edge values.
    const values = new Float64Array(randomBytes(65_536 * 8).buffer.slice(0));
    const edges = [NaN, -NaN, -0, 0, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072009e-308, Number.MAX_VALUE, Infinity, -Infinity, 1, -1];
    values.set(edges, 0);
    const bits = new DataView(values.buffer);
    bits.setBigUint64(edges.length * 8, 0x7ff0000000000001n, true); // signalling NaN
    bits.setBigUint64(edges.length * 8 + 8, 0xfff8deadbeef0001n, true); // negative quiet NaN with a payload
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const reversed = Buffer.from(bytes).reverse();

    await db.insert(pgSchema.datasets).values({ id: 'pgtest', name: 'Postgres test' });
    const [first] = await db.insert(pgSchema.instruments).values({ datasetId: 'pgtest', symbol: 'AAA' }).returning({ id: pgSchema.instruments.id });
    const [second] = await db.insert(pgSchema.instruments).values({ datasetId: 'pgtest', symbol: 'BBB' }).returning({ id: pgSchema.instruments.id });
    expect([first!.id, second!.id]).toEqual([1, 2]);

    // Past 2^31 ms (year 2100) and a content id near 2^52: both need 64 bits and come back as exact numbers.
    const startMs = Date.UTC(2100, 0, 1);
    const endMs = startMs + 65_535 * 60_000;
    const contentId = 2 ** 52 - 3;
    await db.insert(pgSchema.barChunks).values({
      instrumentId: first!.id, period: 'MINUTE', startMs, endMs, count: 65_536,
      time: bytes, open: reversed, high: bytes, low: bytes, close: bytes, volume: Buffer.alloc(0),
    });
    await db.insert(pgSchema.coverage).values({ instrumentId: first!.id, period: 'MINUTE', firstMs: startMs, lastMs: endMs, bars: 65_536, contentId });

    const [chunk] = await db.select().from(pgSchema.barChunks).where(eq(pgSchema.barChunks.instrumentId, first!.id));
    expect(Buffer.isBuffer(chunk!.time)).toBe(true);
    expect(chunk!.time.equals(bytes)).toBe(true);
    expect(chunk!.open.equals(reversed)).toBe(true);
    expect(chunk!.volume.length).toBe(0);
    expect(chunk!.startMs).toBe(startMs);
    expect(chunk!.endMs).toBe(endMs);
    const back = new Float64Array(chunk!.time.buffer.slice(chunk!.time.byteOffset, chunk!.time.byteOffset + chunk!.time.byteLength));
    expect(Object.is(back[2], -0)).toBe(true);
    expect(back[4]).toBe(Number.MIN_VALUE);
    expect(Number.isNaN(back[0]!)).toBe(true);

    const [cov] = await db.select().from(pgSchema.coverage);
    expect(cov).toEqual({ instrumentId: first!.id, period: 'MINUTE', firstMs: startMs, lastMs: endMs, bars: 65_536, contentId });

    // The foreign keys cascade as on SQLite: the dataset takes its instruments, their chunks and coverage.
    await db.delete(pgSchema.datasets).where(eq(pgSchema.datasets.id, 'pgtest'));
    const left = await pool.query(`SELECT (SELECT count(*) FROM instruments)::int AS i, (SELECT count(*) FROM bar_chunks)::int AS b, (SELECT count(*) FROM coverage)::int AS c`);
    expect(left.rows[0]).toEqual({ i: 0, b: 0, c: 0 });
  });

  it('refuses a DATABASE_URL that is not a postgres:// URL, without repeating it', async () => {
    for (const url of ['mysql://user:s3cret@localhost/db', './data/backtest.db', '', 'postgres//missing-colon']) {
      const err = await openPostgres(url).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, url).toBeInstanceOf(DatabaseUrlError);
      expect((err as Error).message, url).toMatch(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
      expect((err as Error).message).not.toContain('s3cret');
    }
    // postgresql:// is accepted too; a database that does not exist fails at open, not at the first query.
    const missing = new URL(server.url);
    missing.protocol = 'postgresql:';
    missing.pathname = '/no_such_database';
    await expect(openPostgres(missing.toString())).rejects.toThrow(/^DATABASE_URL: could not open postgres:\/\/127\.0\.0\.1:\d+\/no_such_database: database "no_such_database" does not exist/);
    // Nothing listens there: the address is named, the password is not.
    const closed = `postgres://someone:s3cret@127.0.0.1:1/db`;
    const refused = await openPostgres(closed).then(() => null, (e: Error) => e.message);
    expect(refused).toMatch(/^DATABASE_URL: could not open postgres:\/\/127\.0\.0\.1:1\/db: connect ECONNREFUSED/);
    expect(refused).not.toContain('s3cret');
  });
});
