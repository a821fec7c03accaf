/**
 * Names the API instances and worker nodes share in Redis (REDIS_URL): the BullMQ queues, each
 * run's event log, the control channel and the cancel marks. One place, so both sides agree.
 */
import type { RedisOptions } from 'ioredis';
import { parseRedisUrl } from '../jobs/redis-url.js';

/** BullMQ's key prefix for our queues. */
export const QUEUE_PREFIX = 'backtest:bull';
/** Backtests: one job per run, id `run-<runId>`. */
export const RUNS_QUEUE = 'runs';
/** Sweep chunks: one job per chunk of combinations. */
export const SWEEP_CHUNKS_QUEUE = 'sweep-chunks';
/** Cancels, published to every API instance and worker node. */
export const CONTROL_CHANNEL = 'backtest:control';

export const runJobId = (runId: number) => `run-${runId}`;
/** A run's event log (a Redis stream), written by the worker node that runs it. */
export const runEventsKey = (runId: number) => `backtest:run-events:${runId}`;
export const runIdOfEventsKey = (key: string) => Number(key.slice(key.lastIndexOf(':') + 1));
/** Set when a cancel was asked for, so a node that picks the job up later skips it. */
export const cancelKey = (kind: 'run' | 'sweep', id: number) => `backtest:cancel:${kind}:${id}`;

/** How long a run's event log and a cancel mark stay after the run ended: for late followers. */
export const ENDED_LOG_TTL_S = 3_600;

/** ioredis settings for REDIS_URL as BullMQ and our followers need them: commands wait for a reconnect rather than fail. */
export function redisOptions(url: string, connectionName: string): RedisOptions {
  const { options } = parseRedisUrl(url);
  return {
    ...options,
    connectionName,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 2_000),
  };
}

/**
 * A node's name in BullMQ ends with its thread count (`host:pid/4`): the API instances read the
 * connected nodes' names to size a sweep's chunks by the threads that will share them.
 */
export function nodeNameOf(base: string, threads: number): string {
  return `${base}/${threads}`;
}

/** The thread count at the end of a node's name; 1 for a name without one. */
export function threadsOfNodeName(name: string): number {
  const m = /\/(\d{1,4})$/.exec(name);
  return m ? Number(m[1]) : 1;
}
