import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { missingReason } from './test/support/postgres-server.js';

/**
 * The API suite runs twice: on SQLite (with every other test) and on Postgres (TEST_DATABASE=postgres:
 * test-server.ts gives each server a fresh database on one shared PostgreSQL server). Without
 * PostgreSQL the second run is left out locally; under CI=true it runs and fails saying what is missing.
 */
const API_SUITE = ['test/api-*.test.ts', 'test/analytics-api.test.ts'];
const withPostgres = missingReason() === null || process.env.CI === 'true';

export default defineConfig({
  resolve: {
    // One graphql instance: Pothos and Yoga load its CommonJS build; without this, tests importing
    // 'graphql' directly would get the ESM build and graphql-js refuses types "from another realm".
    alias: { graphql: createRequire(import.meta.url).resolve('graphql') },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start servers and worker pools; files run in parallel processes.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      ...(withPostgres
        ? [{ extends: true as const, test: { name: 'postgres', include: API_SUITE, env: { TEST_DATABASE: 'postgres' }, globalSetup: ['test/support/postgres-global-setup.ts'] } }]
        : []),
    ],
  },
});
