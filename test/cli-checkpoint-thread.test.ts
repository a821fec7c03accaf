/**
 * `backtest run` checkpoints the database on another thread (src/cli/checkpoint-thread.ts) while it
 * prints the analytics. Checked on a real database file: a write committed to the WAL is not in the
 * database file until a checkpoint copies it there; after the thread's checkpoint, with the main
 * connection still open (so its close has not checkpointed), a copy of the file alone holds it.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointThread } from '../src/cli/checkpoint-thread.js';
import { openDatabase } from '../src/data/db.js';
import { createRun, getRun } from '../src/data/run-store.js';

const dir = mkdtempSync(join(tmpdir(), 'backtest-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NEW_RUN = { strategy: 'buy-and-hold', params: { quantity: 1 }, symbols: ['SPX'], dataset: 'demo', period: 'DAY' as const, initialCash: 1000, commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0 };

/** Whether a copy of the database file alone (no WAL) holds the run. */
function fileAloneHolds(path: string, runId: number, name: string): boolean {
  const copy = join(dir, name);
  copyFileSync(path, copy);
  const app = openDatabase(copy, { migrate: false });
  try {
    return getRun(app, runId) !== null;
  } finally {
    app.close();
  }
}

describe('CheckpointThread', () => {
  it('copies what the main connection committed into the database file while that connection stays open', async () => {
    const path = join(dir, 'main.db');
    const app = openDatabase(path);
    const thread = CheckpointThread.start(app.path)!;
    try {
      app.sqlite.pragma('wal_checkpoint(TRUNCATE)'); // the migrations are in the file; the WAL is empty
      const run = createRun(app, NEW_RUN);
      expect(fileAloneHolds(path, run.id, 'before.db')).toBe(false);
      await thread.checkpoint();
      expect(fileAloneHolds(path, run.id, 'after.db')).toBe(true);
    } finally {
      await thread.stop();
      app.close();
    }
  });

  it('ends without checkpointing when not asked to, and is not started for an in-memory database', async () => {
    const app = openDatabase(join(dir, 'unused.db'));
    try {
      app.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const run = createRun(app, NEW_RUN);
      await CheckpointThread.start(app.path)!.stop();
      expect(fileAloneHolds(app.path, run.id, 'unused-copy.db')).toBe(false);
    } finally {
      app.close();
    }
    expect(CheckpointThread.start(':memory:')).toBeNull();
  });
});
