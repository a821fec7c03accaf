/**
 * What a pool thread keeps between its tasks: one bar reader per database, the bars of recent
 * runs (BAR_CACHE_MB) and the loaded strategy files. Shared by the run and sweep-chunk tasks.
 */
import { BarCache } from '../data/bar-cache.js';
import { openBarReader, type BarReader } from '../data/bar-reader.js';
import type { StorageConfig } from '../data/storage.js';
import { loadStrategies, type LoadedStrategies } from '../jobs/strategy-loader.js';

/** This thread's readers, one per database (a thread serves one service, so usually one). */
const readers = new Map<string, Promise<BarReader>>();
/** This thread's bars kept between its tasks (sized by the first task that asks: BAR_CACHE_MB). */
let barCache: BarCache | undefined;
const registries = new Map<string, Promise<LoadedStrategies>>();

export function threadBarReader(storage: StorageConfig): Promise<BarReader> {
  const key = storage.kind === 'sqlite' ? `sqlite:${storage.path}` : storage.url;
  let r = readers.get(key);
  if (!r) {
    readers.set(key, (r = openBarReader(storage)));
    r.catch(() => readers.delete(key)); // the next task tries again
  }
  return r;
}

/** The thread's bar cache, or undefined when `bytes` is 0 (no caching). */
export function threadBarCache(bytes: number): BarCache | undefined {
  return bytes > 0 ? (barCache ??= new BarCache(bytes)) : undefined;
}

export function threadStrategies(dir: string): Promise<LoadedStrategies> {
  let loaded = registries.get(dir);
  if (!loaded) registries.set(dir, (loaded = loadStrategies(dir)));
  return loaded;
}
