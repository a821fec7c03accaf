// From the TypeScript sources only (see thread-entries.ts): Piscina loads this plain-JS entry in
// each pool thread; it enables TypeScript through tsx (a no-op when the thread already runs under
// tsx) and hands over the task functions of pool-tasks.ts.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./pool-tasks.ts');
export default tasks.default;
export const runSweepChunk = tasks.runSweepChunk;
export const runStoredSweepChunk = tasks.runStoredSweepChunk;
