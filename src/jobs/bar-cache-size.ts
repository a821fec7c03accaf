/**
 * BAR_CACHE_MB: megabytes of bars each pool thread keeps between runs (data/bar-cache.ts), so runs
 * on the same instruments skip reading them again. 0 turns it off. Default 256 per thread: a
 * 1,000,000-bar instrument takes 48 MB.
 */
export const DEFAULT_BAR_CACHE_MB = 256;
const MAX_BAR_CACHE_MB = 1_048_576;

/** Bytes per pool thread; a value that is not an integer from 0 to 1048576 stops the start-up. */
export function barCacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BAR_CACHE_MB;
  if (raw === undefined || raw === '') return DEFAULT_BAR_CACHE_MB * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || mb > MAX_BAR_CACHE_MB) {
    throw new Error(`BAR_CACHE_MB must be an integer from 0 to ${MAX_BAR_CACHE_MB}, got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return mb * 1024 * 1024;
}
