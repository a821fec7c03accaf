/**
 * API keys in the database: created with a random secret shown once, found by the secret's hash,
 * revoked (never deleted). The secret is `bt_` + 43 base64url characters (32 random bytes).
 */
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import { checkNewApiKey, hashSecret, isSecretShaped, nameTakenError, newSecret, revokeTargetId, toApiKeyRecord as toRecord, type ApiKeyRecord } from './api-key-rules.js';
import type { AppDatabase } from './db.js';
import { apiKeys } from './schema/index.js';

export { API_KEY_ROLES, type ApiKeyRole } from './schema/index.js';
export { ApiKeyError, hashSecret, type ApiKeyRecord } from './api-key-rules.js';

export function createApiKey(app: AppDatabase, name: string, role: string): { key: ApiKeyRecord; secret: string } {
  checkNewApiKey(name, role);
  if (app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, name)).get()) throw nameTakenError(name);
  const secret = newSecret();
  const row = app.db
    .insert(apiKeys)
    .values({ name, role, secretHash: hashSecret(secret), createdAt: Date.now() })
    .returning()
    .get();
  return { key: toRecord(row), secret };
}

export function listApiKeys(app: AppDatabase): ApiKeyRecord[] {
  return app.db.select().from(apiKeys).orderBy(asc(apiKeys.id)).all().map(toRecord);
}

/** Revokes the key with this name or numeric id; returns it, or null if there is none. */
export function revokeApiKey(app: AppDatabase, nameOrId: string): ApiKeyRecord | null {
  const id = revokeTargetId(nameOrId);
  const match = or(eq(apiKeys.name, nameOrId), eq(apiKeys.id, id));
  app.db.update(apiKeys).set({ revokedAt: Date.now() }).where(and(match, isNull(apiKeys.revokedAt))).run();
  const row = app.db.select().from(apiKeys).where(match).get();
  return row ? toRecord(row) : null;
}

function prepareLookups(app: AppDatabase) {
  return {
    byHash: app.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.secretHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
      .prepare(),
    anyActive: app.db.select({ id: apiKeys.id }).from(apiKeys).where(isNull(apiKeys.revokedAt)).limit(1).prepare(),
  };
}

/** Both lookups run on every request: prepared once per database. */
const LOOKUPS = new WeakMap<AppDatabase, ReturnType<typeof prepareLookups>>();

function lookups(app: AppDatabase): ReturnType<typeof prepareLookups> {
  let prepared = LOOKUPS.get(app);
  if (!prepared) LOOKUPS.set(app, (prepared = prepareLookups(app)));
  return prepared;
}

/** The active key whose secret this is, or null (also for anything not shaped like a secret). */
export function findActiveKey(app: AppDatabase, secret: string): ApiKeyRecord | null {
  if (!isSecretShaped(secret)) return null;
  const row = lookups(app).byHash.get({ hash: hashSecret(secret) });
  return row ? toRecord(row) : null;
}

export function hasActiveKeys(app: AppDatabase): boolean {
  return lookups(app).anyActive.get() !== undefined;
}
