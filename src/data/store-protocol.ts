/** Requests to the storage thread and its replies (see store.worker.ts and data/store-thread.ts). */
import type { RunOutcome } from './run-outcome-store.js';

export type StoreRequest =
  | { readonly op: 'storeOutcome'; readonly runId: number; readonly outcome: RunOutcome }
  | { readonly op: 'storeFailure'; readonly runId: number; readonly error: string; readonly progress?: number }
  | { readonly op: 'deleteRuns'; readonly ids: readonly number[] };

export interface StoreCall {
  readonly id: number;
  readonly request: StoreRequest;
}

export type StoreReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code: string | null };

export interface StoreThreadData {
  readonly databasePath: string;
  readonly retryMs: number;
  /** The WriteGate's SharedArrayBuffer. */
  readonly gate: SharedArrayBuffer;
}
