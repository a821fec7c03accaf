// From the TypeScript sources only (see thread-entries.ts): the storage thread's plain-JS entry
// enables TypeScript through tsx (as pool-entry.mjs does) and starts the thread's code.
import { register } from 'tsx/esm/api';

register();
await import('./store.worker.ts');
