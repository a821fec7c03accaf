/**
 * A scaled-out service on loopback, every part a real process: one PostgreSQL server with a fresh
 * database (postgres-server.ts), one Redis (redis-server.ts), N API instances (`backtest serve
 * --no-worker`) and M worker nodes (`backtest worker`, WORKERS=1 and a short JOB_LOCK_MS), each a
 * child process running the compiled bin (bin/backtest.js; built first when a source is newer),
 * with its output kept for failure messages. The first API instance starts alone: it migrates the
 * empty database and seeds the demo data; the others start after it, in parallel.
 *
 * Node processes run through `setpriv --pdeathsig KILL` (as redis-server.ts does; setpriv execs, so
 * the child's pid is node's own, the pid in a worker node's name `host:pid`): a test process that
 * dies however it dies takes them with it. kill9() is `kill -9`; stop() in afterAll ends everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Client } from 'graphql-ws';
import { QUEUE_PREFIX, redisOptions } from '../../src/cluster/cluster-keys.js';
import { ensureBuilt } from './built-cli.js';
import { createDatabase, startPostgres, type PostgresServer, type TestDatabase } from './postgres-server.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { freeLoopbackPort } from './system-server.js';
import {
  postGql,
  postGqlOk,
  REPO_ROOT,
  subscribeSse,
  subscribeWith,
  wsClient,
  type GraphQLEndpoint,
} from './test-server.js';

const BIN = join(REPO_ROOT, 'bin', 'backtest.js');
const SETPRIV = '/usr/bin/setpriv';
/** The first API instance migrates and seeds 1M minute bars on a shared 2-core machine: generous. */
const READY_TIMEOUT_MS = 180_000;
/** After SIGTERM: an API instance leaves runs to the nodes; a node lets its running job finish. */
const STOP_GRACE_MS = 10_000;
/** Output kept per process (the tail). */
const OUTPUT_CHARS = 256 * 1024;

export interface ClusterOptions {
  readonly apis?: number;
  readonly workers?: number;
  /** JOB_LOCK_MS of the worker nodes: a dead node's jobs are handed out again after about 1..2x this. */
  readonly jobLockMs?: number;
  /** More environment for every process, e.g. STRATEGIES_DIR (default: an empty directory). */
  readonly env?: Record<string, string>;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One child process of the cluster. */
export interface ClusterProcess {
  readonly kind: 'api' | 'worker';
  /** api-1, worker-2, ...: in failure messages. */
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it printed (stdout and stderr, the last 256 KB). */
  output(): string;
  readonly exited: Promise<Exit>;
  alive(): boolean;
  /** `kill -9`; resolves once it is gone. */
  kill9(): Promise<Exit>;
  /** SIGTERM, SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<Exit>;
}

export interface ApiProcess extends ClusterProcess, GraphQLEndpoint {
  readonly kind: 'api';
  /** A new graphql-ws client of its own (disposed by the cluster's stop()). */
  wsClient(): Client;
}

export interface WorkerProcess extends ClusterProcess {
  readonly kind: 'worker';
  /** Its name in BullMQ, `host:pid`: what jobs record as processedBy. */
  readonly nodeName: string;
}

export interface Cluster {
  readonly postgres: PostgresServer;
  readonly database: TestDatabase;
  readonly redis: RedisServer;
  /** Every process started, in order, killed ones included. */
  readonly processes: readonly ClusterProcess[];
  /** API instances still running, in start order. */
  apis(): ApiProcess[];
  /** Worker nodes still running, in start order. */
  workers(): WorkerProcess[];
  startApi(): Promise<ApiProcess>;
  startWorker(): Promise<WorkerProcess>;
  /** A BullMQ queue of the cluster (RUNS_QUEUE, SWEEP_CHUNKS_QUEUE), for reading its jobs; closed by stop(). */
  queue(name: string): Queue;
  /** The outputs of every process, labelled: for a failing test's message. */
  outputs(): string;
  /** Stops every process, then Redis and PostgreSQL; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts PostgreSQL, Redis, the API instances and the worker nodes; on failure stops what started. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'backtest-cluster-'));
  // No user strategies: the directory exists and is empty (the processes' cwd is `dir`, not the repo).
  mkdirSync(join(dir, 'strategies'));
  const processes: ClusterProcess[] = [];
  const clients: Client[] = [];
  const queues = new Map<string, Queue>();
  let postgres: PostgresServer | undefined;
  let database: TestDatabase | undefined;
  let redis: RedisServer | undefined;
  let counts = { api: 0, worker: 0 };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled(clients.map((c) => c.dispose()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled(processes.map((p) => p.stop()));
      await redis?.stop();
      await database?.drop().catch(() => {});
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    database = await createDatabase(postgres.url);
    const env: NodeJS.ProcessEnv = {
      ...withoutStorageEnv(process.env),
      STRATEGIES_DIR: join(dir, 'strategies'),
      SHUTDOWN_GRACE_MS: '2000',
      ...options.env,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      JOB_LOCK_MS: String(options.jobLockMs ?? 3_000),
      WORKERS: '1',
      HOST: '127.0.0.1',
    };

    const startApi = async (): Promise<ApiProcess> => {
      const label = `api-${++counts.api}`;
      // The port is free when probed; another process may take it first: retried on EADDRINUSE.
      for (let attempt = 1; ; attempt++) {
        const port = await freeLoopbackPort();
        const p = launch(label, 'api', ['serve', '--no-worker'], { ...env, PORT: String(port) }, dir);
        processes.push(p);
        try {
          const m = await waitForLine(p, /listening on (http:\/\/\S+\/graphql)/);
          return replace(p, apiProcess(p, m[1]!, clients));
        } catch (e) {
          await p.kill9();
          if (attempt < 3 && p.output().includes('EADDRINUSE')) continue;
          throw e;
        }
      }
    };
    const startWorker = async (): Promise<WorkerProcess> => {
      const label = `worker-${++counts.worker}`;
      const p = launch(label, 'worker', ['worker'], env, dir);
      processes.push(p);
      try {
        const m = await waitForLine(p, /backtest worker node (\S+) ready/);
        return replace(p, { ...p, kind: 'worker', nodeName: m[1]! });
      } catch (e) {
        await p.kill9();
        throw e;
      }
    };

    const apiCount = options.apis ?? 2;
    const workerCount = options.workers ?? 2;
    const apis: ApiProcess[] = [];
    const workers: WorkerProcess[] = [];
    // The first instance alone: it migrates the empty database and seeds the demo data.
    if (apiCount > 0) apis.push(await startApi());
    const rest = await Promise.all([
      ...Array.from({ length: apiCount - apis.length }, () => startApi()),
      ...Array.from({ length: workerCount }, () => startWorker()),
    ]);
    for (const p of rest) (p.kind === 'api' ? apis : workers).push(p as never);

    return {
      postgres,
      database,
      redis,
      processes,
      apis: () => processes.filter((p): p is ApiProcess => p.kind === 'api' && 'url' in p && p.alive()),
      workers: () => processes.filter((p): p is WorkerProcess => p.kind === 'worker' && 'nodeName' in p && p.alive()),
      startApi,
      startWorker,
      queue(name) {
        let q = queues.get(name);
        if (!q) {
          q = new Queue(name, { connection: redisOptions(redis!.url, 'backtest-test-harness'), prefix: QUEUE_PREFIX });
          q.on('error', () => {}); // reconnects on its own (a Redis restart)
          queues.set(name, q);
        }
        return q;
      },
      outputs: () => processes.map((p) => `----- ${p.label} (pid ${p.pid}${p.alive() ? '' : ', ended'}) -----\n${p.output()}`).join('\n'),
      stop,
    };
  } catch (e) {
    const outputs = processes.map((p) => `----- ${p.label} -----\n${p.output()}`).join('\n');
    await stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${outputs}`);
  }

  /** A started process's entry becomes its api/worker view. */
  function replace<P extends ClusterProcess>(started: ClusterProcess, view: P): P {
    processes[processes.indexOf(started)] = view;
    return view;
  }
}

/** The caller's environment without storage or cluster settings of its own. */
function withoutStorageEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (['DATABASE_PATH', 'DATABASE_URL', 'REDIS_URL', 'JOB_LOCK_MS', 'PORT', 'NODE_ENV', 'AUTH', 'TEST_DATABASE'].includes(k)) continue;
    out[k] = v;
  }
  return out;
}

function launch(label: string, kind: 'api' | 'worker', args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ClusterProcess {
  const argv = [process.execPath, BIN, ...args];
  // Killed by the kernel when the test process dies (setpriv execs: the pid stays node's).
  const [cmd, cmdArgs] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', ...argv]] : [argv[0]!, argv.slice(1)];
  const child = spawn(cmd, cmdArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (s: string) => {
    out = (out + s).slice(-OUTPUT_CHARS);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve((exit = { code, signal })));
    child.once('error', (err) => {
      keep(`\n${err.message}`);
      resolve((exit = { code: null, signal: null }));
    });
  });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  void exited.then(() => process.removeListener('exit', onExit));
  const alive = () => exit === null;
  return {
    kind,
    label,
    child,
    pid: child.pid ?? -1,
    output: () => out,
    exited,
    alive,
    kill9: () => {
      if (alive()) child.kill('SIGKILL');
      return exited;
    },
    stop: async () => {
      if (!alive()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}

/** Waits for a line of the process's output matching `pattern`; fails when it exits first or after READY_TIMEOUT_MS. */
function waitForLine(p: ClusterProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(p.output());
      if (!m) return false;
      done();
      resolve(m);
      return true;
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${p.label} printed no ${pattern} within ${READY_TIMEOUT_MS} ms; output:\n${p.output()}`));
    }, READY_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      p.child.stdout!.off('data', check);
    };
    p.child.stdout!.on('data', check);
    void p.exited.then(({ code, signal }) => {
      if (check()) return;
      done();
      reject(new Error(`${p.label} exited (code ${code}, signal ${signal}) before printing ${pattern}; output:\n${p.output()}`));
    });
    check();
  });
}

function apiProcess(p: ClusterProcess, url: string, clients: Client[]): ApiProcess {
  const port = Number(new URL(url).port);
  const wsUrl = `ws://127.0.0.1:${port}/graphql`;
  let shared: Client | undefined;
  const newClient = () => {
    const c = wsClient(wsUrl);
    clients.push(c);
    return c;
  };
  return {
    ...p,
    kind: 'api',
    url,
    wsUrl,
    port,
    gql: (query, variables) => postGql(url, query, variables),
    gqlOk: (query, variables) => postGqlOk(url, query, variables),
    subscribe: (query, variables, opts) => subscribeWith((shared ??= newClient()), query, variables, opts),
    subscribeSse: (query, variables, opts) => subscribeSse(url, query, variables, opts),
    wsClient: newClient,
  };
}
