/**
 * For differential tests of the Postgres stores: a temporary SQLite file (the reference
 * implementation) and a fresh Postgres database (one per test file, on the file's own server), and
 * records compared without the clock times each side took on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openDatabase, type AppDatabase } from '../../src/data/db.js';
import { openPostgres, type PgDatabase } from '../../src/data/postgres-db.js';
import { createDatabase, startPostgres } from './postgres-server.js';

export interface StorePair {
  /** The SQLite side, a file in a temporary directory. */
  readonly app: AppDatabase;
  /** The Postgres side, migrated. */
  readonly pg: PgDatabase;
  dispose(): Promise<void>;
}

export async function openStorePair(): Promise<StorePair> {
  const server = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'backtest-pair-'));
  try {
    const database = await createDatabase(server.url);
    const pg = await openPostgres(database.url);
    const app = openDatabase(join(dir, 'reference.db'));
    return {
      app,
      pg,
      async dispose() {
        app.close();
        await pg.close();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Record fields set from each side's own clock. */
const TIME_KEYS = new Set(['createdAt', 'startedAt', 'finishedAt', 'revokedAt']);

/** A deep copy of plain records with every clock time replaced by 'time' (null stays null), for toEqual across sides. */
export function withoutTimes<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutTimes) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = TIME_KEYS.has(k) && typeof v === 'number' ? 'time' : withoutTimes(v);
  return out as T;
}

/** The clock times of a record (and records inside it) that fall outside [from, to]. */
export function timesOutside(value: unknown, from: number, to: number): string[] {
  const bad: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v)) {
        if (TIME_KEYS.has(k) && typeof x === 'number' && (x < from || x > to)) bad.push(`${path}.${k}=${x}`);
        else walk(x, `${path}.${k}`);
      }
    }
  };
  walk(value, '');
  return bad;
}

/**
 * Runs `onLite` and `onPg` in turn and expects equal answers, clock times aside (those of the
 * Postgres answer must lie between `since` and now); returns the Postgres one.
 */
export async function expectSame<T>(what: string, since: number, onLite: () => T | Promise<T>, onPg: () => Promise<T>): Promise<T> {
  const expected = await onLite();
  const actual = await onPg();
  expect(withoutTimes(actual), what).toEqual(withoutTimes(expected));
  expect(timesOutside(actual, since, Date.now()), what).toEqual([]);
  return actual;
}
