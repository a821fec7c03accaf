/**
 * The service: graphql-yoga on a Node HTTP server, graphql-ws on the same port and path, GraphiQL
 * (subscriptions over the WebSocket), GET /health, and a graceful shutdown that lets runs finish
 * for a while, cancels the rest, and closes the pool and the database.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { WebSocketServer } from 'ws';
import type { ExecutionArgs } from 'graphql';
import { openStorage, storageConfigFromEnv, DEFAULT_DATABASE_PATH } from './data/open-storage.js';
import type { Storage, StorageConfig } from './data/storage.js';
import { JobManager } from './jobs/job-manager.js';
import type { RunJobs } from './jobs/run-jobs.js';
import { clusterEnvFrom, type ClusterEnv } from './cluster/cluster-env.js';
import { startClusterJobs } from './cluster/cluster-jobs.js';
import { QueuedJobManager } from './cluster/queued-job-manager.js';
import { SweepManager } from './jobs/sweep-manager.js';
import { loadStrategies, strategiesDir } from './jobs/strategy-loader.js';
import type { GraphQLContext } from './schema/builder.js';
import { useBadVariablesAsUserInput } from './schema/bad-variables-plugin.js';
import { useCompiledSubscriptions } from './schema/compiled-subscriptions-plugin.js';
import { schema } from './schema/index.js';
import { AuthError, Authenticator, authModeFromEnv, type AuthMode } from './auth/authenticator.js';
import { canSee, subscriptionOwner, type Principal } from './auth/principal.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { authErrorToGraphQL, credentialOf } from './schema/access.js';
import { GRAPHIQL_DEFAULT_DOCUMENT } from './graphiql-document.js';
import { browserOptionsFromEnv, browserPolicy, verifyWebSocketClient, withBrowserGuard, type BrowserOptions } from './http/browser-guard.js';
import { yogaCors } from './http/cors-policy.js';
import { useCsrfProtection } from './http/csrf.js';
import { graphiqlWithCsp } from './http/security-headers.js';
import { thrownGraphQLErrorsAsResult } from './http/ws-subscribe-errors.js';
import { useClippedErrorMessages } from './schema/clipped-errors.js';
import { exposureFromEnv, maskedErrorsFor, useExposure, type Exposure } from './schema/production-mode.js';
import { boundedParseCache, useQueryLimits } from './schema/query-limits.js';
import { SubscriptionAdmission } from './jobs/subscription-limits.js';
import { eventStreamGuard } from './http/event-stream-limits.js';
import { useSubscriptionAdmission } from './http/subscription-admission.js';
import { transportLimitsFromEnv } from './http/transport-limits.js';
import { serveGraphQLOverWebSocket } from './http/websocket-limits.js';
import { handleDashboardRequest } from './http/dashboard.js';
import { handleExportRequest, type ExportAuthorizer } from './http/exports.js';

export interface AppOptions {
  readonly port: number;
  readonly host: string;
  /** The SQLite file (DATABASE_PATH), unless `databaseUrl` names a Postgres database (DATABASE_URL). */
  readonly databasePath: string;
  readonly databaseUrl?: string;
  /** REDIS_URL and JOB_LOCK_MS: runs and sweep chunks go to worker nodes through BullMQ (needs databaseUrl). */
  readonly cluster?: ClusterEnv | null;
  /** With `cluster`: whether this process is a worker node too (`serve --no-worker`: false). */
  readonly localWorker?: boolean;
  readonly strategiesDir: string;
  /** Pool threads; default WORKERS or the number of cores. */
  readonly workers?: number;
  /** Load the demo datasets into an empty database at start-up. */
  readonly seedDemo: boolean;
  /** How long running jobs may go on after a shutdown request before they are cancelled. */
  readonly shutdownGraceMs: number;
  readonly progressIntervalMs?: number;
  /** Who may call: AUTH=auto (default; open without keys, on loopback only), keys or none. */
  readonly auth: AuthMode;
  /** Requests per minute per API key (RATE_LIMIT_PER_MINUTE). */
  readonly rateLimitPerMinute: number;
  /** Cross origins and host names served to browsers (CORS_ORIGINS, ALLOWED_HOSTS). */
  readonly browser: BrowserOptions;
  /** GraphiQL, introspection, suggestions, error details (NODE_ENV=production, GRAPHIQL, INTROSPECTION). */
  readonly exposure: Exposure;
  readonly log: (line: string) => void;
}

export interface App {
  readonly storage: Storage;
  readonly jobs: RunJobs;
  readonly sweeps: SweepManager;
  /** Strategy files that could not be loaded, one line each. */
  readonly strategyProblems: readonly string[];
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): AppOptions {
  const port = env.PORT === undefined ? 4000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer from 0 to 65535, got ${env.PORT}`);
  const grace = env.SHUTDOWN_GRACE_MS === undefined ? 10_000 : Number(env.SHUTDOWN_GRACE_MS);
  if (!Number.isInteger(grace) || grace < 0) throw new Error(`SHUTDOWN_GRACE_MS must be a non-negative integer, got ${env.SHUTDOWN_GRACE_MS}`);
  const database = databaseOptions(storageConfigFromEnv(env));
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    ...database,
    cluster: clusterEnvFrom(env, database.databaseUrl),
    strategiesDir: strategiesDir(),
    seedDemo: true,
    shutdownGraceMs: grace,
    auth: authModeFromEnv(env.AUTH),
    rateLimitPerMinute: positiveIntegerEnv(env, 'RATE_LIMIT_PER_MINUTE', 600),
    browser: browserOptionsFromEnv(env),
    exposure: exposureFromEnv(env),
    log: (line) => console.log(line),
  };
}

function localJobs(storage: Storage, o: AppOptions): { jobs: RunJobs; sweeps: SweepManager; workerNode?: undefined } {
  const jobs = new JobManager({ storage, strategiesDir: o.strategiesDir, workers: o.workers, progressIntervalMs: o.progressIntervalMs });
  return { jobs, sweeps: new SweepManager({ storage, jobs }) };
}

function databaseOptions(c: StorageConfig): Pick<AppOptions, 'databasePath' | 'databaseUrl'> {
  return c.kind === 'sqlite' ? { databasePath: c.path } : { databasePath: DEFAULT_DATABASE_PATH, databaseUrl: c.url };
}

function positiveIntegerEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw.slice(0, 40))}`);
  return n;
}

export async function buildApp(options: Partial<AppOptions> = {}): Promise<App> {
  const o: AppOptions = { ...optionsFromEnv(), ...options };
  const storage = await openStorage(o.databaseUrl ? { kind: 'postgres', url: o.databaseUrl } : { kind: 'sqlite', path: o.databasePath });
  const auth = new Authenticator(storage, o.auth, o.host, new RateLimiter(o.rateLimitPerMinute));
  try {
    await auth.assertStartable();
  } catch (e) {
    await storage.close();
    throw e;
  }
  storage.warmUp();
  // With worker nodes, runs left RUNNING may be running elsewhere: the nodes' failure rule ends them.
  if (!o.cluster) {
    const interrupted = (await storage.markInterruptedRuns()) + (await storage.markInterruptedSweeps());
    if (interrupted > 0) o.log(`marked ${interrupted} run(s)/sweep(s) left unfinished by a previous process as FAILED (interrupted)`);
  }
  if (o.seedDemo && (await storage.seedDemoData()).seeded) o.log('loaded the demo datasets (demo: SPX daily; synthetic: 4 symbols of minute bars)');
  const { registry: strategies, problems } = await loadStrategies(o.strategiesDir);
  for (const p of problems) o.log(`strategy file skipped: ${p}`);
  const { jobs, sweeps, workerNode } = o.cluster
    ? await startClusterJobs({ storage, cluster: o.cluster, strategiesDir: o.strategiesDir, workers: o.workers, localWorker: o.localWorker ?? true, progressIntervalMs: o.progressIntervalMs, log: o.log })
    : localJobs(storage, o);
  const principalOf = async (initial: Parameters<typeof credentialOf>[0]): Promise<Principal> => {
    try {
      return await auth.authenticate(credentialOf(initial));
    } catch (e) {
      throw e instanceof AuthError ? authErrorToGraphQL(e) : e;
    }
  };

  // Downloads follow the GraphQL rules: the same key, and a run another key owns does not exist.
  const authorizeExport: ExportAuthorizer = async (req, runId) => {
    let principal: Principal;
    try {
      principal = await auth.authenticate(credentialOf({ req }));
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const f = e.failure;
      const headers: Record<string, string> =
        f.kind === 'rate-limited' ? { 'retry-after': String(Math.ceil(f.retryAfterMs / 1000)) } : { 'www-authenticate': 'Bearer' };
      return { status: f.kind === 'rate-limited' ? 429 : 401, message: f.message, headers };
    }
    const run = await storage.getRun(runId);
    return run && canSee(principal, run.ownerKeyId) ? null : { status: 404, message: `no run with id ${runId}` };
  };

  const browser = browserPolicy(o.browser, o.host);
  const graphiqlPage = graphiqlWithCsp(renderGraphiQL);
  // Request sizes and subscription limits (MAX_REQUEST_BYTES, MAX_SUBSCRIPTIONS, ...: see the README).
  const limits = transportLimitsFromEnv();
  const admission = new SubscriptionAdmission({
    maxTotal: limits.maxSubscriptions,
    maxPerConnection: limits.maxSubscriptionsPerConnection,
    maxPerOwner: () => limits.maxSubscriptionsPerKey,
  });
  const eventStreams = eventStreamGuard(limits);
  const yoga = createYoga({
    schema,
    maxRequestBodySize: limits.maxRequestBytes,
    graphqlEndpoint: '/graphql',
    graphiql: o.exposure.graphiql && { title: 'backtest-gql', subscriptionsProtocol: 'WS', defaultQuery: GRAPHIQL_DEFAULT_DOCUMENT },
    // GraphiQL's page and assets served from the package, not a CDN: works on offline machines too.
    renderGraphiQL: graphiqlPage.render,
    cors: yogaCors(browser.cors),
    maskedErrors: maskedErrorsFor(o.exposure),
    parserAndValidationCache: boundedParseCache(),
    // Every operation (HTTP, SSE, each WebSocket subscribe) is authenticated here.
    context: async (initial): Promise<GraphQLContext> => ({ storage, jobs, sweeps, strategies, principal: await principalOf(initial) }),
    logging: false,
    // Subscription events execute compiled (graphql-jit): every event is executed once per
    // subscriber, so the per-event cost bounds how many live fills the main thread can deliver.
    // Queries and mutations keep graphql-js, whose input-coercion errors name the offending field.
    plugins: [useCompiledSubscriptions(), useBadVariablesAsUserInput(),
      useCsrfProtection(), graphiqlPage.plugin, useQueryLimits(), useExposure(o.exposure), useClippedErrorMessages(), useSubscriptionAdmission(admission, { ownerOf: (c) => subscriptionOwner((c as GraphQLContext).principal) })],
  });

  const server: Server = createServer(withBrowserGuard(browser, (req, res) => {
    if (req.url === '/health' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'ok',
          activeRuns: jobs.activeCount(),
          workers: jobs.threads,
          subscriptions: admission.open,
          slowSubscribersClosed: ws.slowClosed() + eventStreams.slowClosed(),
        }),
      );
      return;
    }
    // The web dashboard (web/dist): the page at `/`, its bundles under /assets/.
    if (handleDashboardRequest(req, res)) return;
    if (handleExportRequest(storage, req, res, authorizeExport)) return; // GET /runs/:id/{fills,orders,round-trips,equity}.{csv,json}
    eventStreams.guard(req, res);
    void yoga.requestListener(req, res);
  }));
  // Idle keep-alive connections stay open well past a client's own idle timeout, so a client never
  // reuses a socket the server is closing at that moment (ECONNRESET on a busy machine).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: limits.maxRequestBytes, verifyClient: verifyWebSocketClient(browser) });
  // graphql-ws through Yoga's envelope, so WebSocket operations share the plugins and context of HTTP ones.
  const ws = serveGraphQLOverWebSocket(
    {
      execute: (args) => (args.rootValue as Envelope).execute(args),
      subscribe: (args) => (args.rootValue as Envelope).subscribe(args),
      // A WebSocket with a bad key is closed at once (4403); each subscribe is checked again.
      onConnect: async (ctx) => {
        try {
          await auth.authenticate(credentialOf({ connectionParams: ctx.connectionParams, req: ctx.extra.request }));
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: thrownGraphQLErrorsAsResult(async (ctx, _id, params) => {
        const env = yoga.getEnveloped({ ...ctx, req: ctx.extra.request as IncomingMessage, socket: ctx.extra.socket, params });
        const args = {
          schema: env.schema,
          operationName: params.operationName,
          document: env.parse(params.query),
          variableValues: params.variables,
          contextValue: await env.contextFactory(),
          rootValue: { execute: env.execute, subscribe: env.subscribe },
        };
        const errors = env.validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      }),
    },
    wss,
    limits,
  );

  let stopping: Promise<void> | undefined;
  return {
    storage,
    jobs,
    sweeps,
    strategyProblems: problems,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(o.port, o.host, () => {
          const { port } = server.address() as AddressInfo;
          const url = `http://${o.host}:${port}/graphql`;
          resolve({ url, port });
        });
      }),
    stop: () =>
      (stopping ??= (async () => {
        // Stop accepting connections; let runs finish (then cancel them); then close everything else.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await sweeps.shutdown();
        await jobs.shutdown(o.shutdownGraceMs);
        await workerNode?.close();
        await ws.dispose();
        server.closeAllConnections();
        await closed;
        await storage.close();
      })()),
  };
}

interface Envelope {
  execute: (args: ExecutionArgs) => ReturnType<typeof import('graphql').execute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof import('graphql').subscribe>;
}

/** `backtest serve` / `npm start`: starts on PORT/HOST and shuts down gracefully on SIGINT/SIGTERM. */
export async function serve(options: Partial<AppOptions> = {}): Promise<void> {
  const built = await buildApp(options);
  const { url } = await built.start();
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(1); // a second Ctrl-C does not wait
    console.log(`${signal}: shutting down (running jobs get a few seconds to finish)`);
    built.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // Only now: whoever waits for this line may signal at once.
  console.log(`backtest-gql listening on ${url} (GraphiQL in a browser; WebSocket subscriptions on the same URL)`);
  console.log(`${built.storage.description}, ${built.jobs.threads} worker thread(s)${clusterNote(built)}`);
}

function clusterNote(app: App): string {
  if (!(app.jobs instanceof QueuedJobManager)) return '';
  return app.jobs.threads > 0 ? '; runs through Redis (REDIS_URL), this process is a worker node too' : '; runs through Redis (REDIS_URL) on the worker nodes (--no-worker)';
}
