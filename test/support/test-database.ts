/**
 * Which database the API tests' servers use. The `sqlite` project: a file in the test's directory.
 * The `postgres` project (TEST_DATABASE=postgres, vitest.config.ts): a database on the project's
 * shared PostgreSQL server, copied from the one holding the demo data; the same path gives the same
 * database, so a test that stops a server and starts another on its file does the same on Postgres.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export const onPostgres = process.env.TEST_DATABASE === 'postgres';

export interface ServerDatabase {
  /** For buildApp: the SQLite path, or the Postgres URL. */
  readonly options: { readonly databasePath: string; readonly databaseUrl?: string };
  /** Removes what the test made (the Postgres database; the SQLite file goes with its directory). */
  drop(): Promise<void>;
}

export async function serverDatabase(path: string, seeded: boolean): Promise<ServerDatabase> {
  if (!onPostgres) return { options: { databasePath: path }, drop: async () => {} };
  const serverUrl = inject('postgresServerUrl');
  const name = `t_${createHash('sha1').update(path).digest('hex').slice(0, 24)}`;
  const exists = await admin(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) {
    const template = seeded ? ` TEMPLATE "${inject('postgresSeededTemplate')}"` : '';
    await admin(serverUrl, `CREATE DATABASE "${name}"${template}`);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    options: { databasePath: path, databaseUrl: url.toString() },
    drop: async () => void (await admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function admin(serverUrl: string, statement: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}

/** One statement on a Postgres database, on a connection of its own. */
export async function sqlOnPostgres(url: string, statement: string): Promise<void> {
  await admin(url, statement);
}
