/**
 * The pool threads' task functions, in one module Piscina loads: the default task runs one
 * backtest, `runSweepChunk` a chunk of a parameter sweep. Compiled (dist/), Piscina loads this
 * module itself; from the TypeScript sources, through pool-entry.mjs (see thread-entries.ts).
 */
export { default } from './backtest.worker.js';
export { runSweepChunk, runStoredSweepChunk } from './sweep.worker.js';
