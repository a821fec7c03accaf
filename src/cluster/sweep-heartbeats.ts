/**
 * Sweeps are orchestrated by the API instance that started them (it cuts the chunks and gathers
 * their results). So that an instance that dies does not leave its sweeps RUNNING forever, each
 * instance records a heartbeat for the sweeps it runs (a Redis sorted set: sweep id -> last beat);
 * every instance looks for sweeps whose beats stopped and ends them FAILED. Removing the entry
 * (ZREM answers 1 once) decides which instance does it.
 */
import { Redis } from 'ioredis';
import { redisOptions } from './cluster-keys.js';

const KEY = 'backtest:sweep-heartbeats';

export class SweepHeartbeats {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(redisOptions(url, 'backtest-api-sweep-heartbeats'));
    this.redis.on('error', () => {});
  }

  async beat(sweepIds: readonly number[]): Promise<void> {
    if (sweepIds.length === 0) return;
    const now = Date.now();
    await this.redis.zadd(KEY, ...sweepIds.flatMap((id) => [now, String(id)]));
  }

  /** Sweeps whose last beat is older than `staleMs`, each claimed by this instance alone. */
  async claimStale(staleMs: number): Promise<number[]> {
    const ids = await this.redis.zrangebyscore(KEY, 0, Date.now() - staleMs);
    const claimed: number[] = [];
    for (const id of ids) if ((await this.redis.zrem(KEY, id)) === 1) claimed.push(Number(id));
    return claimed;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
  }
}
