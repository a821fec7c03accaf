/** `backtest worker`: starts a worker node from the environment and runs it until SIGINT/SIGTERM. */
import { clusterEnvFrom, type ClusterEnv } from '../cluster/cluster-env.js';
import { startWorkerNode } from '../cluster/worker-node.js';
import { openStorage, storageConfigFromEnv } from '../data/open-storage.js';
import { barCacheBytesFromEnv } from '../jobs/bar-cache-size.js';
import { strategiesDir } from '../jobs/strategy-loader.js';
import { UsageError } from './usage-error.js';

export async function runWorkerNode(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = storageConfigFromEnv(env);
  if (!env.REDIS_URL?.trim()) throw new UsageError('a worker node needs REDIS_URL (the queues) and DATABASE_URL (the shared PostgreSQL database)');
  let cluster: ClusterEnv;
  try {
    cluster = clusterEnvFrom(env, config.kind === 'postgres' ? config.url : undefined)!;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e)); // a setting to fix, named in the message
  }
  const storage = await openStorage(config);
  const node = await startWorkerNode({ storage, redisUrl: cluster.redisUrl, strategiesDir: strategiesDir(), lockMs: cluster.lockMs, barCacheBytes: barCacheBytesFromEnv(env) });
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(1);
    console.log(`${signal}: the worker node stops taking jobs and lets the running ones finish`);
    node.close().then(
      () => storage.close().then(() => process.exit(0)),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  console.log(`backtest worker node ${node.name} ready: ${node.threads} thread(s), ${storage.description}`);
}
