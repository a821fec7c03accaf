/**
 * What API keys look like, independent of the database: names and roles a key may have, the shape
 * of a secret and its hash, the record callers see and the errors they get. Shared by the SQLite
 * and Postgres key stores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_ROLES, type ApiKeyRole } from './api-key-roles.js';
import type { apiKeys } from './schema/index.js';

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

/** `bt_` + 43 base64url characters (32 random bytes). */
export const newSecret = (): string => `bt_${randomBytes(32).toString('base64url')}`;

/** Anything else cannot be a key's secret (and is not looked up). */
export const isSecretShaped = (secret: string): boolean => SECRET.test(secret);

/** Throws ApiKeyError unless a new key may have this name and role (the name's uniqueness is the store's to check). */
export function checkNewApiKey(name: string, role: string): asserts role is ApiKeyRole {
  if (!NAME.test(name)) throw new ApiKeyError('name', `expected 1-64 characters of letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(name.slice(0, 80))}`);
  if (!(API_KEY_ROLES as readonly string[]).includes(role)) throw new ApiKeyError('role', `expected one of ${API_KEY_ROLES.join(', ')}, got ${JSON.stringify(role.slice(0, 40))}`);
}

export const nameTakenError = (name: string): ApiKeyError => new ApiKeyError('name', `a key named ${name} exists already (names stay taken after a revocation)`);

/** The id `revokeApiKey(nameOrId)` matches besides the name: its digits as a number, or -1 (none). */
export const revokeTargetId = (nameOrId: string): number => (/^\d{1,15}$/.test(nameOrId) ? Number(nameOrId) : -1);

export const toApiKeyRecord = (row: typeof apiKeys.$inferSelect): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
});
