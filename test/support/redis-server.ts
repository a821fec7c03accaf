/**
 * A real Redis 7 server for the tests (Debian's `redis-server` package; .ci/run installs it):
 * redis-server on a free loopback port, its working directory a temporary one, configured entirely
 * on the command line (no config file, no persistence: a test server is thrown away). Redis runs
 * as root without complaint, so CI needs no other user.
 *
 * A test file starts one server (startRedis, in beforeAll) and stops it in afterAll; restart()
 * stops it and starts a new one on the same port and directory, for tests of what a Redis restart
 * does to its clients (everything held in memory is gone: subscriptions, keys, streams). Without
 * the binary, requireRedis() skips locally and fails under CI=true.
 */
import { freeLoopbackPort, requireServer } from './system-server.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';
/** util-linux (essential in Debian): execs the server with a parent-death signal. */
const SETPRIV = '/usr/bin/setpriv';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 1_000;

export interface RedisServer {
  /** e.g. redis://127.0.0.1:41234 (no password: the server listens on loopback only). */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stops the server (SIGTERM: Redis closes its clients' connections and exits) and starts a new
   * one on the same port; resolves once it answers PING. Clients see their connections drop and
   * must reconnect and resubscribe on their own. Not after stop().
   */
  restart(): Promise<void>;
}

/** Why the Redis tests cannot run, or null when they can. */
export function missingReason(bin: string = REDIS_SERVER): string | null {
  if (!existsSync(bin)) {
    return `Redis is not installed (${bin} missing): .ci/run installs it with apt-get install -y redis-server`;
  }
  return null;
}

/** True when redis-server is installed. */
export function redisAvailable(bin: string = REDIS_SERVER): boolean {
  return missingReason(bin) === null;
}

/** `describe.runIf(requireRedis())(...)`: skipped locally without Redis, failing under CI=true (requireServer). */
export function requireRedis(): boolean {
  return requireServer('Redis', missingReason());
}

/** A running redis-server process and how to wait for its end. */
interface Instance {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly log: () => string;
}

/** Starts a fresh server; call stop() in afterAll (it also runs when the test process exits). */
export async function startRedis(): Promise<RedisServer> {
  const reason = missingReason();
  if (reason !== null) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'backtest-redis-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });

  // The port is free when probed; another process may take it before Redis binds it: retry.
  let current: Instance | null = null;
  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && current === null; attempt++) {
    port = await freeLoopbackPort();
    try {
      current = await launch(dir, port);
    } catch (err) {
      lastError = err;
    }
  }
  if (current === null) {
    removeDir();
    throw lastError;
  }

  // Stopped with the test process if stop() was never reached (a failed hook, an uncaught error).
  const onExit = () => {
    try {
      current?.child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
    removeDir();
  };
  process.once('exit', onExit);

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (current !== null) await stopInstance(current);
      current = null;
      removeDir();
      process.removeListener('exit', onExit);
    })();
    return stopped;
  };
  const restart = async (): Promise<void> => {
    if (stopped !== null || current === null) throw new Error('restart() after stop()');
    await stopInstance(current);
    current = null;
    // The same port: the clients under test know only this URL. Redis binds with SO_REUSEADDR,
    // so the old connections' TIME_WAIT does not block it.
    current = await launch(dir, port);
  };
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart };
}

async function launch(dir: string, port: number): Promise<Instance> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    // No RDB snapshots and no AOF: nothing is written, a restart starts empty.
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    // Logs to stdout, kept for the error message when it does not come up.
    '--logfile', '',
    '--loglevel', 'warning',
  ];
  // SIGKILLed by the kernel when the test process dies, however it dies (a worker killed on a
  // timeout runs no 'exit' handler). setpriv execs, so the child's pid is the server's own.
  const [cmd, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', REDIS_SERVER, ...args]] : [REDIS_SERVER, args];
  const child = spawn(cmd, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: string) => {
    log = (log + chunk).slice(-8192);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  // 'error' without 'exit' when the binary could not be started at all.
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      keep(`\n${err.message}`);
      resolve(null);
    });
  });
  const instance: Instance = { child, exited, log: () => log };
  try {
    await waitReady(port, instance);
  } catch (err) {
    await stopInstance(instance);
    throw err;
  }
  return instance;
}

/** SIGTERM (Redis closes its clients and exits), SIGKILL if that takes too long. */
async function stopInstance({ child, exited }: Instance): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function waitReady(port: number, instance: Instance): Promise<void> {
  let exitCode: number | null | undefined;
  void instance.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`redis-server exited (${exitCode}) before answering PING:\n${instance.log()}`);
    const answer = await ping(port).catch((err: Error) => err.message);
    if (answer === '+PONG') return;
    if (Date.now() > deadline) throw new Error(`redis-server not ready after ${READY_TIMEOUT_MS} ms (${answer}):\n${instance.log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One PING over a plain socket: the first reply line (`+PONG`, or e.g. `-LOADING ...`). */
function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (err: Error | null, line?: string) => {
      socket.destroy();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(line!);
    };
    const timer = setTimeout(() => done(new Error('no answer to PING')), PING_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end >= 0) done(null, reply.slice(0, end));
    });
    socket.once('error', (err) => done(err));
    socket.once('close', () => done(new Error('connection closed before the PING answer')));
  });
}
