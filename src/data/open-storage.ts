/**
 * Which database the service uses: DATABASE_URL (postgres://...) selects Postgres, otherwise the
 * SQLite file at DATABASE_PATH (default ./data/backtest.db). The Postgres code (and the pg driver)
 * is loaded only when it is asked for.
 */
import { checkPostgresUrl } from './database-url.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage, StorageConfig } from './storage.js';

export const DEFAULT_DATABASE_PATH = './data/backtest.db';

/** DATABASE_URL wins over DATABASE_PATH; an empty value counts as unset. Throws naming DATABASE_URL when it is not a Postgres URL. */
export function storageConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const url = env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    checkPostgresUrl(url);
    return { kind: 'postgres', url };
  }
  const path = env.DATABASE_PATH;
  return { kind: 'sqlite', path: path === undefined || path === '' ? DEFAULT_DATABASE_PATH : path };
}

/** Opens (and migrates) the configured database. */
export async function openStorage(config: StorageConfig): Promise<Storage> {
  if (config.kind === 'sqlite') return new SqliteStorage(config.path);
  const { PostgresStorage } = await import('./pg/postgres-storage.js');
  return PostgresStorage.open(config.url);
}
