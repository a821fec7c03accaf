// Piscina loads this plain-JS entry in each pool thread; it enables TypeScript through tsx
// (a no-op when the process already runs under tsx) and hands over the task module.
import { register } from 'tsx/esm/api';

register();
const task = await import('./backtest.worker.ts');
export default task.default;
