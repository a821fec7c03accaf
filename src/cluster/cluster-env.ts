/** REDIS_URL and JOB_LOCK_MS read and checked, with errors naming the variable. */
import { parseRedisUrl } from '../jobs/redis-url.js';

export interface ClusterEnv {
  readonly redisUrl: string;
  /** A worker node's job lock (JOB_LOCK_MS): how long a dead node's jobs wait before they are handed out again. */
  readonly lockMs: number;
}

const LOCK_MS = { min: 1_000, max: 600_000, fallback: 30_000 };

/** Null without REDIS_URL (everything in this process); throws naming the variable when a value is wrong. */
export function clusterEnvFrom(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): ClusterEnv | null {
  const url = env.REDIS_URL?.trim();
  if (!url) return null;
  parseRedisUrl(url); // throws RedisUrlError naming REDIS_URL, never its password
  if (!databaseUrl) {
    throw new Error('REDIS_URL needs DATABASE_URL too: API instances and worker nodes share one PostgreSQL database (the SQLite file is for a single process)');
  }
  const raw = env.JOB_LOCK_MS;
  const lockMs = raw === undefined || raw === '' ? LOCK_MS.fallback : Number(raw);
  if (!Number.isInteger(lockMs) || lockMs < LOCK_MS.min || lockMs > LOCK_MS.max) {
    throw new Error(`JOB_LOCK_MS must be an integer from ${LOCK_MS.min} to ${LOCK_MS.max} (milliseconds), got ${JSON.stringify(String(raw).slice(0, 40))}`);
  }
  return { redisUrl: url, lockMs };
}
