/**
 * API keys: who may call the service, and in which role. The secret itself is never stored, only
 * its SHA-256: secrets are 32 random bytes, so there is no dictionary for a slow hash to resist.
 * Keys are revoked, never deleted, so the owner id stored on runs and sweeps keeps its meaning.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { API_KEY_ROLES } from '../api-key-roles.js';

export { API_KEY_ROLES, type ApiKeyRole } from '../api-key-roles.js';

export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Unique among all keys, revoked ones included. */
  name: text('name').notNull().unique(),
  role: text('role', { enum: API_KEY_ROLES }).notNull(),
  /** Hex SHA-256 of the secret; unique, so a request's key is found by one index lookup. */
  secretHash: text('secret_hash').notNull().unique(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
});
