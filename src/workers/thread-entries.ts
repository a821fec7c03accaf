/**
 * The file the pool threads start from (the storage thread's: data/store-thread.ts). Worker threads
 * are plain Node: compiled (dist/, scripts/build.mjs bundles the entries) they load the compiled modules
 * directly, without tsx; run from the TypeScript sources (vitest, `npm run cli`, tsx) they load
 * small .mjs entries that register tsx first and then import the .ts modules.
 * Compiled, this code sits in a shared chunk (dist/chunks/), so the paths go through the folder
 * name: '../workers/' is dist/workers/ from both dist/chunks/ and src/workers/.
 */
const COMPILED = import.meta.url.endsWith('.js');

/** Piscina's `filename`: the default task, `runSweepChunk` and `runStoredSweepChunk` (pool-tasks.ts). */
export const POOL_ENTRY = new URL(COMPILED ? '../workers/pool-tasks.js' : '../workers/pool-entry.mjs', import.meta.url).href;

