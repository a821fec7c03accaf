// From the TypeScript sources only (see tearsheet-thread.ts): the tearsheet thread's plain-JS entry
// enables TypeScript through tsx (as src/workers/pool-entry.mjs does) and starts the thread's code.
import { register } from 'tsx/esm/api';

register();
await import('./tearsheet.worker.ts');
