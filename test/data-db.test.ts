import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/data/db.js';
import { tempDb, type TempDb } from './data-fixtures.js';

const TABLES = ['api_keys', 'bar_chunks', 'coverage', 'datasets', 'equity_curves', 'fills', 'instruments', 'orders', 'result_blocks', 'round_trips', 'runs', 'sweep_results', 'sweeps'];

describe('openDatabase', () => {
  let t: TempDb;
  afterEach(() => t?.dispose());

  it('migrates a fresh file: all tables, pragmas set', () => {
    t = tempDb();
    const names = t.app.sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name")
      .pluck()
      .all();
    expect(names).toEqual(TABLES);
    expect(t.app.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.app.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(t.app.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(t.app.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
  });

  it('reopening an existing file applies nothing twice', () => {
    t = tempDb();
    const again = openDatabase(t.app.path);
    const applied = again.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get();
    again.close();
    expect(applied).toBe(t.app.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get());
  });

  it('creates the parent folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backtest-data-'));
    const app = openDatabase(join(dir, 'nested', 'deeper', 'x.db'));
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('several processes can open and migrate the same fresh file at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backtest-data-'));
    const path = join(dir, 'shared.db');
    const script = `import { openDatabase } from ${JSON.stringify(new URL('../src/data/db.ts', import.meta.url).href)};
      const app = openDatabase(${JSON.stringify(path)}); app.close();`;
    const exits = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<number | null>((resolve) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit' });
          p.on('exit', resolve);
        }),
      ),
    );
    expect(exits).toEqual([0, 0, 0, 0]);
    const app = openDatabase(path);
    expect(app.sqlite.prepare("select count(*) from sqlite_master where name = 'runs'").pluck().get()).toBe(1);
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
