import { defineConfig } from 'drizzle-kit';

/** The Postgres mirror of drizzle.config.ts (SQLite): its own schema and migrations folder. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/data/schema-pg/index.ts',
  out: './drizzle-pg',
});
