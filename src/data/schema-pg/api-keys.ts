/** API keys (Postgres mirror of ../schema/api-keys.ts: same table, columns and unique constraints). */
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { API_KEY_ROLES } from '../api-key-roles.js';
import { int64 } from './columns.js';

export { API_KEY_ROLES, type ApiKeyRole } from '../api-key-roles.js';

export const apiKeys = pgTable('api_keys', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  role: text('role', { enum: API_KEY_ROLES }).notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  createdAt: int64('created_at').notNull(),
  revokedAt: int64('revoked_at'),
});
