/** A throwaway database file for the data-layer bench sections (load, import, equity); removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type AppDatabase } from '../src/data/db.js';

export async function withTempDb<T>(fn: (app: AppDatabase, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'backtest-bench-'));
  const app = openDatabase(join(dir, 'bench.db'));
  try {
    return await fn(app, dir);
  } finally {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
