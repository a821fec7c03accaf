/** Shared helpers for the data-layer tests: real SQLite files in a fresh temp dir. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type AppDatabase } from '../src/data/db.js';

export interface TempDb {
  readonly app: AppDatabase;
  readonly dir: string;
  /** Writes a file into the temp dir and returns its path. */
  file(name: string, text: string): string;
  dispose(): void;
}

export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'backtest-data-'));
  const app = openDatabase(join(dir, 'test.db'));
  return {
    app,
    dir,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    dispose() {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Index of the first differing element (Object.is), or -1; vitest's deep equality is slow on 100k-element arrays. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
