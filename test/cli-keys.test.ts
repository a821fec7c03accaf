/**
 * `backtest keys create|list|revoke` as a user runs them (a child process on a fresh DATABASE_PATH),
 * and the created secret used against a real server on the same database file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postGql, REPO_ROOT, startServer } from './support/test-server.js';

const dir = mkdtempSync(join(tmpdir(), 'backtest-keys-'));
const databasePath = join(dir, 'keys.db');
const env = { ...process.env, DATABASE_PATH: databasePath, STRATEGIES_DIR: join(dir, 'none') };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backtest keys', () => {
  it('create prints the secret once; list shows the key without it; the key works against the server; revoke ends it', async () => {
    expect(cli('keys', 'list').stdout).toContain('no API keys');
    const created = cli('keys', 'create', '--name', 'dash', '--role', 'READ', '--json');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { name: string; role: string; secret: string };
    expect(key).toMatchObject({ name: 'dash', role: 'read', secret: expect.stringMatching(/^bt_[A-Za-z0-9_-]{43}$/) });

    const listed = JSON.parse(cli('keys', 'list', '--json').stdout) as { name: string; role: string; revokedAt: string | null }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'dash', role: 'read', revokedAt: null })]);
    expect(cli('keys', 'list').stdout).not.toContain(key.secret);

    const server = await startServer({ databasePath, seedDemo: false });
    try {
      expect((await server.gql('{ strategies { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await postGql(server.url, '{ strategies { id } }', undefined, { authorization: `Bearer ${key.secret}` })).errors).toBeUndefined();
      const revoked = cli('keys', 'revoke', 'dash');
      expect(revoked.stdout).toContain('revoked key dash');
      expect((await postGql(server.url, '{ strategies { id } }', undefined, { authorization: `Bearer ${key.secret}` })).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    } finally {
      await server.stop();
    }
  });

  it('bad arguments exit 2 with one line naming the flag', () => {
    const badRole = cli('keys', 'create', '--name', 'x', '--role', 'root');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr.trim()).toMatch(/^backtest: --role: expected one of read, run, admin/);
    const badName = cli('keys', 'create', '--name', 'has space');
    expect(badName.code).toBe(2);
    expect(badName.stderr.trim()).toMatch(/^backtest: --name: expected 1-64 characters/);
    expect(cli('keys', 'create', '--name', 'twice').code).toBe(0);
    const duplicate = cli('keys', 'create', '--name', 'twice');
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('exists already');
    const unknown = cli('keys', 'revoke', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no API key named');
    const help = cli('keys', 'create', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--role <role>');
    expect(help.stdout).toContain('Example');
  });
});
