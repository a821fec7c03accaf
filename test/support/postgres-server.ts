/**
 * A real PostgreSQL 15 server for the tests (Debian's `postgresql` package; .ci/run installs it):
 * initdb in a temporary directory, the postmaster on a free loopback port, trust authentication on
 * 127.0.0.1 only, the Unix socket inside the directory, fsync off (a test database is thrown away).
 * initdb and postgres refuse to run as root, and CI runs as root: as root they run as the
 * `postgres` system user (setpriv, which execs, so the child's pid is the postmaster's own) in a
 * directory chowned to it.
 *
 * A test file starts one server (startPostgres, in beforeAll) and takes a fresh database from it
 * per file or per test (createDatabase); several files each start their own and run in parallel.
 * To share one server between files instead, start it once (a vitest globalSetup) and pass its
 * url to createDatabase. Without the binaries, requirePostgres() skips locally and fails under CI=true.
 */
import { freeLoopbackPort, requireServer } from './system-server.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const INITDB = join(POSTGRES_BIN, 'initdb');
const POSTMASTER = join(POSTGRES_BIN, 'postgres');
/** The system user the Debian package creates; the server runs as it when the tests run as root. */
const SYSTEM_USER = 'postgres';
/** The database superuser initdb creates (trust auth: no password). */
const SUPERUSER = 'postgres';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface PostgresServer {
  /** Superuser URL of the server's `postgres` database, e.g. postgres://postgres@127.0.0.1:41234/postgres. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface TestDatabase {
  /** URL of the new, empty database (no tables: openPostgres migrates it). */
  readonly url: string;
  readonly name: string;
  /** Drops it, closing whatever connections are left (only needed on a shared server). */
  drop(): Promise<void>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** True when the PostgreSQL 15 binaries are installed (and, as root, the user to run them as exists). */
export function postgresAvailable(): boolean {
  if (!existsSync(INITDB) || !existsSync(POSTMASTER)) return false;
  return !isRoot() || systemUserIds() !== null;
}

/** Why the Postgres tests cannot run, or null when they can. */
export function missingReason(): string | null {
  if (!existsSync(INITDB) || !existsSync(POSTMASTER)) {
    return `PostgreSQL 15 is not installed (${INITDB} missing): .ci/run installs it with apt-get install -y postgresql`;
  }
  if (isRoot() && systemUserIds() === null) {
    return `the tests run as root and there is no '${SYSTEM_USER}' system user to run PostgreSQL as (the postgresql package creates it)`;
  }
  return null;
}

/** `describe.runIf(requirePostgres())(...)`: skipped locally without PostgreSQL, failing under CI=true (requireServer). */
export function requirePostgres(): boolean {
  return requireServer('PostgreSQL', missingReason());
}

let cachedIds: { uid: number; gid: number } | null | undefined;
function systemUserIds(): { uid: number; gid: number } | null {
  if (cachedIds !== undefined) return cachedIds;
  const uid = spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' });
  cachedIds = uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : null;
  return cachedIds;
}

/** The command line for a PostgreSQL binary: as the system user when root, directly otherwise. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [bin, args];
  return ['setpriv', [`--reuid=${SYSTEM_USER}`, `--regid=${SYSTEM_USER}`, '--init-groups', '--', bin, ...args]];
}

/** Without PG* variables of the caller's own (PGDATA, PGPORT, ...) that would steer the binaries elsewhere. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  return env;
}

/** Starts a fresh server; call stop() in afterAll (it also runs when the test process exits). */
export async function startPostgres(): Promise<PostgresServer> {
  const reason = missingReason();
  if (reason !== null) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'backtest-pg-'));
  // Retried: killed backends may still be removing their files for a moment.
  const removeDir = () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  try {
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    const ids = isRoot() ? systemUserIds() : null;
    if (ids !== null) {
      chownSync(dir, ids.uid, ids.gid);
      chownSync(data, ids.uid, ids.gid);
    }
    // C locale: text sorts by bytes, as in SQLite, and no installed locale is needed.
    const [cmd, args] = asServerUser(INITDB, ['-D', data, '-U', SUPERUSER, '--auth=trust', '--no-locale', '--encoding=UTF8', '--no-sync']);
    const init = spawnSync(cmd, args, { cwd: dir, env: serverEnv(), encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${init.stderr || init.stdout || init.error?.message}`);
  } catch (err) {
    removeDir();
    throw err;
  }

  // The port is free when probed; another process may take it before the postmaster binds it: retry.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    try {
      return await launch(dir, port, removeDir);
    } catch (err) {
      lastError = err;
    }
  }
  removeDir();
  throw lastError;
}

async function launch(dir: string, port: number, removeDir: () => void): Promise<PostgresServer> {
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    shared_buffers: '64MB',
  };
  const [cmd, args] = asServerUser(POSTMASTER, [
    '-D',
    join(dir, 'data'),
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ]);
  // Its own process group, so a test process that dies can kill the postmaster and its backends at once.
  const child = spawn(cmd, args, { cwd: dir, env: serverEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    log = (log + chunk).slice(-8192);
  });
  // 'error' without 'exit' when the binary could not be started at all.
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      log += `\n${err.message}`;
      resolve(null);
    });
  });

  // Stopped with the test process if stop() was never reached (a failed hook, an uncaught error).
  const onExit = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    removeDir();
  };
  process.once('exit', onExit);

  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await stopChild(child, exited);
      removeDir();
      process.removeListener('exit', onExit);
    })();
    return stopped;
  };

  try {
    await waitReady(url, exited, () => log);
  } catch (err) {
    process.removeListener('exit', onExit);
    await stopChild(child, exited);
    throw err;
  }
  return { url, port, stop };
}

/** Fast shutdown (SIGINT: open sessions are closed), SIGKILL if that takes too long. */
async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function waitReady(url: string, exited: Promise<number | null>, log: () => string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`postgres exited (${exitCode}) before accepting connections:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`postgres not ready after ${READY_TIMEOUT_MS} ms (${String(err)}):\n${log()}`);
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A new, empty database on the server at `serverUrl` (a superuser URL), with a unique name. */
export async function createDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
