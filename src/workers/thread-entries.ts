/**
 * The files the pool threads and the storage thread start from. Worker threads are plain Node:
 * compiled (this module is dist/workers/thread-entries.js) they load the compiled modules
 * directly, without tsx; run from the TypeScript sources (vitest, `npm run cli`, tsx) they load
 * small .mjs entries that register tsx first and then import the .ts modules.
 */
const COMPILED = import.meta.url.endsWith('.js');

/** Piscina's `filename`: the default task and `runSweepChunk` (pool-tasks.ts). */
export const POOL_ENTRY = new URL(COMPILED ? './pool-tasks.js' : './pool-entry.mjs', import.meta.url).href;

/** The storage thread (store.worker.ts). */
export const STORE_ENTRY = new URL(COMPILED ? './store.worker.js' : './store-entry.mjs', import.meta.url);
