import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One graphql instance: Pothos and Yoga load its CommonJS build; without this, tests importing
    // 'graphql' directly would get the ESM build and graphql-js refuses types "from another realm".
    alias: { graphql: createRequire(import.meta.url).resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start servers and worker pools; files run in parallel processes.
    pool: 'forks',
  },
});
