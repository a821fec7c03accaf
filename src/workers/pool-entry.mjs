// Piscina loads this plain-JS entry in each pool thread; it enables TypeScript through tsx
// (a no-op when the process already runs under tsx) and hands over the task functions:
// the default task runs one backtest, `runSweepChunk` a chunk of a parameter sweep.
import { register } from 'tsx/esm/api';

register();
const backtest = await import('./backtest.worker.ts');
const sweep = await import('./sweep.worker.ts');
export default backtest.default;
export const runSweepChunk = sweep.runSweepChunk;
