/** Opens the configured database (DATABASE_URL, else DATABASE_PATH), runs `f` on it, and closes it whatever happens. */
import { openStorage, storageConfigFromEnv } from '../data/open-storage.js';
import type { Storage } from '../data/storage.js';

export async function withStorage<T>(f: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(storageConfigFromEnv());
  try {
    return await f(storage);
  } finally {
    await storage.close();
  }
}
