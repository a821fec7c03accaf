/**
 * API keys in the database: created with a random secret shown once, found by the secret's hash,
 * revoked (never deleted). The secret is `bt_` + 43 base64url characters (32 random bytes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { AppDatabase } from './db.js';
import { API_KEY_ROLES, apiKeys, type ApiKeyRole } from './schema/index.js';

export { API_KEY_ROLES, type ApiKeyRole } from './schema/index.js';

export interface ApiKeyRecord {
  readonly id: number;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** Why a key operation was refused; `field` names the argument at fault. */
export class ApiKeyError extends Error {
  constructor(
    readonly field: 'name' | 'role' | 'key',
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SECRET = /^bt_[A-Za-z0-9_-]{43}$/;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

const toRecord = (row: typeof apiKeys.$inferSelect): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
});

export function createApiKey(app: AppDatabase, name: string, role: string): { key: ApiKeyRecord; secret: string } {
  if (!NAME.test(name)) throw new ApiKeyError('name', `expected 1-64 characters of letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(name.slice(0, 80))}`);
  if (!(API_KEY_ROLES as readonly string[]).includes(role)) throw new ApiKeyError('role', `expected one of ${API_KEY_ROLES.join(', ')}, got ${JSON.stringify(role.slice(0, 40))}`);
  if (app.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, name)).get()) {
    throw new ApiKeyError('name', `a key named ${name} exists already (names stay taken after a revocation)`);
  }
  const secret = `bt_${randomBytes(32).toString('base64url')}`;
  const row = app.db
    .insert(apiKeys)
    .values({ name, role: role as ApiKeyRole, secretHash: hashSecret(secret), createdAt: Date.now() })
    .returning()
    .get();
  return { key: toRecord(row), secret };
}

export function listApiKeys(app: AppDatabase): ApiKeyRecord[] {
  return app.db.select().from(apiKeys).orderBy(asc(apiKeys.id)).all().map(toRecord);
}

/** Revokes the key with this name or numeric id; returns it, or null if there is none. */
export function revokeApiKey(app: AppDatabase, nameOrId: string): ApiKeyRecord | null {
  const id = /^\d{1,15}$/.test(nameOrId) ? Number(nameOrId) : -1;
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
  if (!SECRET.test(secret)) return null;
  const row = lookups(app).byHash.get({ hash: hashSecret(secret) });
  return row ? toRecord(row) : null;
}

export function hasActiveKeys(app: AppDatabase): boolean {
  return lookups(app).anyActive.get() !== undefined;
}
