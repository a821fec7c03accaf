/**
 * API keys in Postgres, the counterpart of ../api-key-store.ts: the same rules (api-key-rules.ts),
 * records and errors. Two processes creating a key of the same name at once: the loser gets the
 * same ApiKeyError as a name taken earlier, not the database's unique violation.
 */
import { and, asc, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { ApiKeyError, checkNewApiKey, hashSecret, isSecretShaped, nameTakenError, newSecret, revokeTargetId, toApiKeyRecord, type ApiKeyRecord } from '../api-key-rules.js';
import type { PgDatabase } from '../postgres-db.js';
import { apiKeys } from '../schema-pg/index.js';
import { eqId, isUniqueViolation } from './executor.js';

export { ApiKeyError };

/** The constraint behind names staying taken (drizzle-pg/0000_initial.sql). */
const NAME_UNIQUE = 'api_keys_name_unique';

export async function createApiKey(pg: PgDatabase, name: string, role: string): Promise<{ key: ApiKeyRecord; secret: string }> {
  checkNewApiKey(name, role);
  const [taken] = await pg.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, name));
  if (taken) throw nameTakenError(name);
  const secret = newSecret();
  try {
    const [row] = await pg.db.insert(apiKeys).values({ name, role, secretHash: hashSecret(secret), createdAt: Date.now() }).returning();
    return { key: toApiKeyRecord(row!), secret };
  } catch (e) {
    if (isUniqueViolation(e, NAME_UNIQUE)) throw nameTakenError(name);
    throw e;
  }
}

export async function listApiKeys(pg: PgDatabase): Promise<ApiKeyRecord[]> {
  return (await pg.db.select().from(apiKeys).orderBy(asc(apiKeys.id))).map(toApiKeyRecord);
}

/**
 * Revokes the key with this name or numeric id; returns it, or null if there is none. As on SQLite,
 * `'5'` revokes both a key named 5 and the key with id 5, and returns the one named so.
 */
export function revokeApiKey(pg: PgDatabase, nameOrId: string): Promise<ApiKeyRecord | null> {
  const byName = eq(apiKeys.name, nameOrId);
  const match = or(byName, eqId(apiKeys.id, revokeTargetId(nameOrId)));
  return pg.db.transaction(async (tx) => {
    await tx.update(apiKeys).set({ revokedAt: Date.now() }).where(and(match, isNull(apiKeys.revokedAt)));
    const [row] = await tx.select().from(apiKeys).where(match).orderBy(desc(byName)).limit(1);
    return row ? toApiKeyRecord(row) : null;
  });
}

function prepareLookups(pg: PgDatabase) {
  return {
    byHash: pg.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.secretHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
      .prepare('api_key_by_hash'),
    anyActive: pg.db.select({ id: apiKeys.id }).from(apiKeys).where(isNull(apiKeys.revokedAt)).limit(1).prepare('api_key_any_active'),
  };
}

/** Both lookups run on every request: named statements, parsed once per connection. */
const LOOKUPS = new WeakMap<PgDatabase, ReturnType<typeof prepareLookups>>();

function lookups(pg: PgDatabase): ReturnType<typeof prepareLookups> {
  let prepared = LOOKUPS.get(pg);
  if (!prepared) LOOKUPS.set(pg, (prepared = prepareLookups(pg)));
  return prepared;
}

/** The active key whose secret this is, or null (also for anything not shaped like a secret). */
export async function findActiveKey(pg: PgDatabase, secret: string): Promise<ApiKeyRecord | null> {
  if (!isSecretShaped(secret)) return null;
  const [row] = await lookups(pg).byHash.execute({ hash: hashSecret(secret) });
  return row ? toApiKeyRecord(row) : null;
}

export async function hasActiveKeys(pg: PgDatabase): Promise<boolean> {
  return (await lookups(pg).anyActive.execute()).length > 0;
}
