/**
 * `backtest worker` and `backtest serve` refuse cluster settings they cannot use, through the real
 * bin, before connecting anywhere: one line naming the variable and why (worker: exit code 2, a
 * usage error), never a password. Nothing listens on the URLs used here; none is contacted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/built-cli.js';
import { REPO_ROOT } from './support/test-server.js';

const BIN = join(REPO_ROOT, 'bin', 'backtest.js');
beforeAll(ensureBuilt, 600_000);

const PG = 'postgres://bt:pg-secret@127.0.0.1:1/backtest';

function bin(args: string[], env: Record<string, string>) {
  const base = { ...process.env };
  for (const name of ['REDIS_URL', 'DATABASE_URL', 'DATABASE_PATH', 'JOB_LOCK_MS', 'WORKERS']) delete base[name];
  const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-worker-'));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...base, DATABASE_PATH: join(dir, 'bt.db'), PORT: '0', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('backtest worker: settings', () => {
  it.each([
    ['without REDIS_URL', {}, /^backtest: a worker node needs REDIS_URL \(the queues\) and DATABASE_URL/],
    ['with REDIS_URL but the SQLite file', { REDIS_URL: 'redis://127.0.0.1:1' }, /^backtest: REDIS_URL needs DATABASE_URL too: API instances and worker nodes share one PostgreSQL database/],
    ['with a REDIS_URL that is not redis://', { REDIS_URL: 'http://user:redis-secret@127.0.0.1:1', DATABASE_URL: PG }, /^backtest: REDIS_URL: unsupported scheme 'http:'/],
    ['with JOB_LOCK_MS below 1000', { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: PG, JOB_LOCK_MS: '5' }, /^backtest: JOB_LOCK_MS must be an integer from 1000 to 600000 \(milliseconds\), got "5"/],
    ['with JOB_LOCK_MS not a number', { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: PG, JOB_LOCK_MS: '30s' }, /^backtest: JOB_LOCK_MS must be an integer/],
  ])('%s: exit 2, one line naming the setting', (_name, env, expected) => {
    const r = bin(['worker'], env as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr + r.stdout).not.toMatch(/secret/);
  });
});

describe('backtest serve: cluster settings', () => {
  it('REDIS_URL with the SQLite file is refused at start, naming DATABASE_URL', () => {
    const r = bin(['serve'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/REDIS_URL needs DATABASE_URL too/);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('a bad JOB_LOCK_MS is refused at start, naming it', () => {
    const r = bin(['serve'], { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: PG, JOB_LOCK_MS: '0' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/JOB_LOCK_MS must be an integer from 1000 to 600000/);
    expect(r.stderr + r.stdout).not.toMatch(/secret/);
  });
});
