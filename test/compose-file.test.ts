/**
 * docker-compose.yml, the Dockerfile and the README's "Scaling out" commands checked against the
 * code, since Docker cannot run here (test/cluster.test.ts runs the same processes directly).
 * Every process they start is resolved through the real CLI program (command and flags), its
 * environment read by the code's own parsers (DATABASE_URL, REDIS_URL, JOB_LOCK_MS, AUTH), and
 * every variable it names must be read somewhere in src/ and documented in the README's table.
 * The checks are a function returning problems; the last tests break the files on purpose and
 * expect each break to be reported, so the checks can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { authModeFromEnv, isLoopback } from '../src/auth/authenticator.js';
import { createProgram } from '../src/cli/program.js';
import { clusterEnvFrom } from '../src/cluster/cluster-env.js';
import { storageConfigFromEnv } from '../src/data/open-storage.js';
import { parseRedisUrl } from '../src/jobs/redis-url.js';
import { REPO_ROOT } from './support/test-server.js';

interface Files {
  readonly compose: string;
  readonly dockerfile: string;
  readonly dockerignore: string;
  readonly readme: string;
}

/** A `backtest` process the compose file or the README starts: its arguments and environment. */
interface BacktestProcess {
  readonly where: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const API_SERVICES = ['api-a', 'api-b'];
const WORKER_SERVICES = ['worker-1', 'worker-2'];
/** The variables the postgres image reads (its documentation), not ours. */
const POSTGRES_IMAGE_ENV = ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'];
/** What the compose file takes from outside (`.env`); required, so compose refuses to start without it. */
const COMPOSE_INPUTS = ['POSTGRES_PASSWORD'];
/** Stands in for the operator's `.env`. */
const SAMPLE_INPUTS: Record<string, string> = { POSTGRES_PASSWORD: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };

const readRepo = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

function sourceText(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}
const SRC = sourceText(join(REPO_ROOT, 'src'));

/** Variables in the first cells of the README's tables (`PORT` / `HOST`, `REDIS_URL`, ...). */
function documentedVariables(readme: string): Set<string> {
  const names = new Set<string>();
  for (const line of readme.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const firstCell = line.split('|')[1]!;
    for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1]!);
  }
  return names;
}

/**
 * Compose's interpolation of one value: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
 * ${NAME?error}, and $$ for a dollar. Records each name and whether every use of it is required.
 */
function interpolate(value: string, inputs: Record<string, string>, used: Map<string, boolean>, problems: string[]): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$/g, (all, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (all === '$$') return '$';
    if (name === undefined) {
      problems.push(`compose: a bare $ in ${JSON.stringify(value)} (write $$, or \${NAME})`);
      return all;
    }
    const required = op === ':?' || op === '?';
    used.set(name, (used.get(name) ?? true) && required);
    const given = inputs[name];
    if (given !== undefined && !(op?.startsWith(':') && given === '')) return given;
    if (op === ':-' || op === '-') return arg ?? '';
    if (required) problems.push(`compose: ${name} is required (${arg})`);
    return '';
  });
}

function interpolateAll(node: unknown, inputs: Record<string, string>, used: Map<string, boolean>, problems: string[]): unknown {
  if (typeof node === 'string') return interpolate(node, inputs, used, problems);
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, inputs, used, problems));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, inputs, used, problems)]));
  }
  return node;
}

/** A command given as a list or as one string (split on spaces, as compose does without quotes). */
function words(command: unknown): string[] {
  if (Array.isArray(command)) return command.map(String);
  if (typeof command === 'string') return command.trim().split(/\s+/);
  return [];
}

/** A service's environment as a map, from either compose form (map, or list of NAME=value). */
function environmentOf(service: any): Record<string, string> {
  const env = service?.environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));
}

const program = createProgram();

/** The command `args` names (subcommands followed) and the arguments left, or a problem. */
function resolveCommand(args: readonly string[]): { cmd: Command; rest: string[] } | string {
  let cmd: Command = program;
  let i = 0;
  while (i < args.length && cmd.commands.length > 0) {
    const sub = cmd.commands.find((c) => c.name() === args[i]);
    if (!sub) break;
    cmd = sub;
    i++;
  }
  if (cmd === program) return `no backtest command ${JSON.stringify(args[0] ?? '')}`;
  return { cmd, rest: args.slice(i) };
}

function processProblems(p: BacktestProcess, documented: Set<string>): string[] {
  const problems: string[] = [];
  const resolved = resolveCommand(p.args);
  if (typeof resolved === 'string') return [`${p.where}: ${resolved}`];
  const { cmd, rest } = resolved;
  const flags = new Set(cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)));
  for (const arg of rest) {
    const flag = arg.split('=')[0]!;
    if (flag.startsWith('-') && !flags.has(flag)) problems.push(`${p.where}: backtest ${cmd.name()} has no flag ${flag}`);
  }
  for (const name of Object.keys(p.env)) {
    if (!new RegExp(`\\b${name}\\b`).test(SRC)) problems.push(`${p.where}: ${name} is read nowhere in src/`);
    if (!documented.has(name)) problems.push(`${p.where}: ${name} is not in the README's table of variables`);
  }
  const name = cmd.name();
  if (name === 'serve' || name === 'worker') {
    try {
      const storage = storageConfigFromEnv(p.env);
      if (storage.kind !== 'postgres') problems.push(`${p.where}: ${name} needs DATABASE_URL (PostgreSQL) to share work`);
      if (clusterEnvFrom(p.env, storage.kind === 'postgres' ? storage.url : undefined) === null) problems.push(`${p.where}: ${name} without REDIS_URL`);
    } catch (e) {
      problems.push(`${p.where}: ${(e as Error).message}`);
    }
    if (p.env.WORKERS !== undefined && !/^[1-9][0-9]*$/.test(p.env.WORKERS)) problems.push(`${p.where}: WORKERS must be a positive integer`);
  }
  if (name === 'serve') {
    try {
      const mode = authModeFromEnv(p.env.AUTH);
      const host = p.env.HOST ?? '127.0.0.1';
      if (mode === 'auto' && !isLoopback(host)) problems.push(`${p.where}: AUTH=auto refuses to start on ${host} until a key exists: set AUTH=keys (or none, on purpose)`);
    } catch (e) {
      problems.push(`${p.where}: ${(e as Error).message}`);
    }
  }
  return problems;
}

function composeProblems(files: Files): { problems: string[]; services: Record<string, any> } {
  const problems: string[] = [];
  let raw: any;
  try {
    raw = parse(files.compose, { merge: true });
  } catch (e) {
    return { problems: [`compose: not YAML: ${(e as Error).message}`], services: {} };
  }
  const used = new Map<string, boolean>();
  const compose = interpolateAll(raw, SAMPLE_INPUTS, used, problems) as any;
  const services: Record<string, any> = compose?.services ?? {};
  for (const [name, required] of used) {
    if (!COMPOSE_INPUTS.includes(name)) problems.push(`compose: takes ${name} from outside; only ${COMPOSE_INPUTS.join(', ')} is documented`);
    else if (!required) problems.push(`compose: ${name} must be required (\${${name}:?...}) wherever it is used, never defaulted`);
  }

  for (const name of ['postgres', 'redis', ...API_SERVICES, ...WORKER_SERVICES]) {
    if (!services[name]) problems.push(`compose: no service ${name}`);
  }
  const pg = services.postgres ?? {};
  const pgEnv = environmentOf(pg);
  if (!/^postgres:15(\.|-|$)/.test(String(pg.image))) problems.push(`compose: postgres image ${pg.image}, expected postgres:15`);
  if (!words(pg.healthcheck?.test).includes('pg_isready')) problems.push('compose: postgres has no pg_isready healthcheck');
  if (!(pg.volumes ?? []).some((v: unknown) => String(v).endsWith(':/var/lib/postgresql/data'))) problems.push('compose: postgres keeps no volume for its data');
  for (const name of Object.keys(pgEnv)) if (!POSTGRES_IMAGE_ENV.includes(name)) problems.push(`compose: postgres: ${name} is not a variable of the postgres image`);

  const redis = services.redis ?? {};
  if (!/^redis:7(\.|-|$)/.test(String(redis.image))) problems.push(`compose: redis image ${redis.image}, expected redis:7`);
  if (!words(redis.command).join(' ').includes('--appendonly yes')) problems.push('compose: redis without --appendonly yes (queued jobs would not survive a restart)');
  if (!words(redis.healthcheck?.test).join(' ').includes('redis-cli ping')) problems.push('compose: redis has no redis-cli ping healthcheck');
  if (!(redis.volumes ?? []).some((v: unknown) => String(v).endsWith(':/data'))) problems.push('compose: redis keeps no volume for /data');

  const documented = documentedVariables(files.readme);
  const published = new Map<string, string>();
  /** JOB_LOCK_MS as the code reads it, per service: API instances time sweeps with it, worker nodes their jobs. */
  const lockMs = new Map<string, number>();
  for (const name of [...API_SERVICES, ...WORKER_SERVICES]) {
    const s = services[name];
    if (!s) continue;
    const isApi = API_SERVICES.includes(name);
    const args = words(s.command);
    const expected = isApi ? ['serve', '--no-worker'] : ['worker'];
    if (args.join(' ') !== expected.join(' ')) problems.push(`compose: ${name} runs ${JSON.stringify(args)}, expected ${JSON.stringify(expected)}`);
    const context = typeof s.build === 'string' ? s.build : s.build?.context;
    if (context !== '.' || (typeof s.build === 'object' && s.build.dockerfile !== undefined && s.build.dockerfile !== 'Dockerfile')) {
      problems.push(`compose: ${name} is not built from ./Dockerfile`);
    }
    for (const dep of ['postgres', 'redis']) {
      if (s.depends_on?.[dep]?.condition !== 'service_healthy') problems.push(`compose: ${name} does not wait for ${dep} to be healthy`);
    }
    const env = environmentOf(s);
    problems.push(...processProblems({ where: `compose ${name}`, args, env }, documented));
    try {
      const cluster = clusterEnvFrom(env, env.DATABASE_URL);
      if (cluster) lockMs.set(name, cluster.lockMs);
    } catch {
      // reported by processProblems
    }

    try {
      const db = new URL(env.DATABASE_URL ?? '');
      const target = `${db.hostname}:${db.port || '5432'}`;
      if (target !== 'postgres:5432') problems.push(`compose: ${name}: DATABASE_URL points at ${target}, not the postgres service`);
      if (decodeURIComponent(db.username) !== pgEnv.POSTGRES_USER || decodeURIComponent(db.password) !== pgEnv.POSTGRES_PASSWORD || db.pathname !== `/${pgEnv.POSTGRES_DB}`) {
        problems.push(`compose: ${name}: DATABASE_URL's user, password or database differ from the postgres service's`);
      }
    } catch {
      problems.push(`compose: ${name}: DATABASE_URL is not a URL`);
    }
    try {
      const { options } = parseRedisUrl(env.REDIS_URL ?? '');
      const target = `${options.host}:${options.port ?? 6379}`;
      if (target !== 'redis:6379') problems.push(`compose: ${name}: REDIS_URL points at ${target}, not the redis service`);
    } catch (e) {
      problems.push(`compose: ${name}: ${(e as Error).message}`);
    }

    if (isApi) {
      const port = env.PORT ?? '4000';
      const ports: string[] = (s.ports ?? []).map(String);
      if (ports.length !== 1) problems.push(`compose: ${name} publishes ${ports.length} ports, expected 1`);
      for (const mapping of ports) {
        const [host, container] = mapping.split(':').slice(-2);
        if (container !== port) problems.push(`compose: ${name} publishes container port ${container}, but listens on ${port}`);
        if (published.has(host!)) problems.push(`compose: ${name} and ${published.get(host!)} both publish port ${host}`);
        published.set(host!, name);
      }
      if (!words(s.healthcheck?.test).join(' ').includes(`:${port}/health`)) problems.push(`compose: ${name} has no healthcheck on GET /health (port ${port})`);
    }
  }
  if (new Set(lockMs.values()).size > 1) problems.push(`compose: JOB_LOCK_MS differs between services (${[...lockMs].map(([s, ms]) => `${s} ${ms}`).join(', ')})`);
  return { problems, services };
}

function dockerProblems(files: Files): string[] {
  const problems: string[] = [];
  // Instructions with their continuation lines joined, comments left out.
  const lines = files.dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  if (froms.length === 0) problems.push('Dockerfile: no FROM');
  for (const from of froms) if (!/^FROM\s+node:20(-slim)?(\s|$)/i.test(from)) problems.push(`Dockerfile: ${from}: expected node:20-slim`);
  const runs = lines.filter((l) => /^RUN\s/i.test(l)).join('\n');
  for (const step of [/\bnpm ci\b/, /\bnpm run build(\s|$)/]) if (!step.test(runs)) problems.push(`Dockerfile: no RUN of ${step.source}`);
  const entrypoint = lines.find((l) => /^ENTRYPOINT\s/i.test(l));
  let argv: unknown;
  try {
    argv = entrypoint ? JSON.parse(entrypoint.replace(/^ENTRYPOINT\s+/i, '')) : undefined;
  } catch {
    argv = undefined;
  }
  if (JSON.stringify(argv) !== JSON.stringify(['node', 'bin/backtest.js'])) problems.push(`Dockerfile: ENTRYPOINT should be ["node", "bin/backtest.js"], got ${entrypoint}`);
  const ignored = files.dockerignore.split('\n').map((l) => l.trim().replace(/^\/|\/$/g, ''));
  for (const path of ['node_modules', 'dist', '.git']) if (!ignored.includes(path)) problems.push(`.dockerignore: ${path} is sent to the build (it is made inside the image or not needed)`);
  return problems;
}

/** The commands of the README's "Scaling out" section: each must be one this test knows and checks. */
function readmeProblems(files: Files, services: Record<string, any>): string[] {
  const problems: string[] = [];
  const start = files.readme.indexOf('\n## Scaling out\n');
  if (start < 0) return ['README: no "## Scaling out" section'];
  const end = files.readme.indexOf('\n## ', start + 1);
  const section = files.readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)];
  if (blocks.length === 0) problems.push('README Scaling out: no commands');
  const documented = documentedVariables(files.readme);
  const exported: Record<string, string> = {};
  let compose = 0;
  let backtest = 0;
  for (const [, language, body] of blocks) {
    // The README's example tests run ```graphql blocks and the first ```sh block after "## Command line".
    if (language !== 'bash') problems.push(`README Scaling out: a \`\`\`${language} block (use bash: this test checks those)`);
    for (const line of body!.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '')) {
      const where = `README: ${line}`;
      const echo = /^echo "([A-Z_]+)=.*" > \.env$/.exec(line);
      if (echo) {
        if (!COMPOSE_INPUTS.includes(echo[1]!)) problems.push(`${where}: the compose file does not take ${echo[1]}`);
        continue;
      }
      let ws = line.split(/\s+/);
      const assigns: Record<string, string> = {};
      const isExport = ws[0] === 'export';
      if (isExport) ws = ws.slice(1);
      while (ws.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(ws[0]!)) {
        const [name, ...value] = ws.shift()!.split('=');
        assigns[name!] = value.join('=');
      }
      if (isExport) {
        if (ws.length > 0) problems.push(`${where}: export followed by a command`);
        Object.assign(exported, assigns);
        continue;
      }
      if (ws[0] === 'npx' && ws[1] === 'backtest') {
        backtest++;
        problems.push(...processProblems({ where, args: ws.slice(2), env: { ...exported, ...assigns } }, documented));
      } else if (ws[0] === 'docker' && ws[1] === 'compose' && ws[2] === 'up') {
        compose++;
        for (const name of ws.slice(3).filter((w) => !w.startsWith('-'))) if (!services[name]) problems.push(`${where}: no service ${name}`);
      } else if (ws.slice(0, 4).join(' ') === 'docker compose run --rm') {
        compose++;
        const service = services[ws[4]!];
        if (!service) problems.push(`${where}: no service ${ws[4]}`);
        else problems.push(...processProblems({ where, args: ws.slice(5), env: environmentOf(service) }, documented));
      } else {
        problems.push(`${where}: not a command this test knows how to check`);
      }
    }
  }
  if (compose === 0) problems.push('README Scaling out: no docker compose example');
  if (backtest === 0) problems.push('README Scaling out: no npx backtest example');
  return problems;
}

function allProblems(files: Files): string[] {
  const { problems, services } = composeProblems(files);
  return [...problems, ...dockerProblems(files), ...readmeProblems(files, services)];
}

const committed: Files = {
  compose: readRepo('docker-compose.yml'),
  dockerfile: readRepo('Dockerfile'),
  dockerignore: readRepo('.dockerignore'),
  readme: readRepo('README.md'),
};

describe('docker-compose.yml, Dockerfile and the README on scaling out', () => {
  it('the compose file has the production shape: postgres, redis, 2 API instances, 2 worker nodes', () => {
    const compose = parse(committed.compose, { merge: true });
    expect(Object.keys(compose.services).sort()).toEqual(['api-a', 'api-b', 'postgres', 'redis', 'worker-1', 'worker-2']);
  });

  it('everything checks out against the code', () => {
    expect(allProblems(committed)).toEqual([]);
  });

  it('the README names every variable the services set in its table, with REDIS_URL and JOB_LOCK_MS', () => {
    const documented = documentedVariables(committed.readme);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'JOB_LOCK_MS', 'WORKERS', 'AUTH', 'HOST', 'PORT']) expect(documented.has(name), name).toBe(true);
  });

  /** Replaces text that must be there once: a break that changes nothing (or something else) would prove nothing. */
  function broken(file: keyof Files, from: string, to: string): Files {
    const text = committed[file];
    if (text.split(from).length !== 2) throw new Error(`${file} does not hold ${JSON.stringify(from)} exactly once`);
    return { ...committed, [file]: text.replace(from, to) };
  }

  it.each([
    ['a worker that serves', broken('compose', 'command: ["worker"]', 'command: ["serve"]'), /worker-1 runs \["serve"\]/],
    ['an API instance with its own worker', broken('compose', 'command: ["serve", "--no-worker"]', 'command: ["serve"]'), /api-a runs \["serve"\]/],
    ['a flag the CLI does not have', broken('compose', 'command: ["serve", "--no-worker"]', 'command: ["serve", "--no-workers"]'), /serve has no flag --no-workers/],
    ['a variable no code reads', broken('compose', 'JOB_LOCK_MS: "30000"', 'JOB_LOCK: "30000"'), /JOB_LOCK is read nowhere in src/],
    ['an out-of-range JOB_LOCK_MS', broken('compose', 'JOB_LOCK_MS: "30000"', 'JOB_LOCK_MS: "500"'), /JOB_LOCK_MS must be an integer from 1000/],
    ['JOB_LOCK_MS set for one service only', broken('compose', 'WORKERS: "2"', 'WORKERS: "2"\n    JOB_LOCK_MS: "60000"'), /JOB_LOCK_MS differs between services \(api-a 30000, api-b 30000, worker-1 60000/],
    ['REDIS_URL at another host', broken('compose', 'REDIS_URL: redis://redis:6379', 'REDIS_URL: redis://localhost:6379'), /REDIS_URL points at localhost:6379/],
    ['DATABASE_URL at another host', broken('compose', '@postgres:5432/backtest', '@db:5432/backtest'), /DATABASE_URL points at db:5432/],
    ['DATABASE_URL with another database', broken('compose', '@postgres:5432/backtest', '@postgres:5432/other'), /differ from the postgres service's/],
    ['AUTH=auto on 0.0.0.0', broken('compose', 'AUTH: keys', 'AUTH: auto'), /AUTH=auto refuses to start on 0\.0\.0\.0/],
    ['an unknown AUTH mode', broken('compose', 'AUTH: keys', 'AUTH: open'), /AUTH must be one of/],
    ['two instances on one port', broken('compose', '"4001:4000"', '"4000:4000"'), /both publish port 4000/],
    ['no health condition', broken('compose', 'postgres:\n      condition: service_healthy', 'postgres:\n      condition: service_started'), /does not wait for postgres to be healthy/],
    ['redis without its append-only file', broken('compose', '"--appendonly", "yes", ', ''), /without --appendonly yes/],
    ['an optional password', broken('compose', 'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD, e.g. in .env}', 'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-backtest}'), /must be required/],
    ['a Node 18 base', broken('dockerfile', 'FROM node:20-slim AS build', 'FROM node:18-slim AS build'), /FROM node:18-slim AS build: expected node:20-slim/],
    ['no npm run build', broken('dockerfile', ' && npm run build \\', ' \\'), /no RUN of .*npm run build/],
    ['another entrypoint', broken('dockerfile', 'ENTRYPOINT ["node", "bin/backtest.js"]', 'ENTRYPOINT ["node", "dist/cli.js"]'), /ENTRYPOINT should be/],
    ['host node_modules sent to the build', broken('dockerignore', 'node_modules\n', ''), /\.dockerignore: node_modules/],
    ['an undocumented variable in the README', broken('readme', 'WORKERS=8 npx backtest worker', 'WORKERS=8 JOB_LOCK_SECONDS=30 npx backtest worker'), /JOB_LOCK_SECONDS is read nowhere in src/],
    ['a README command that does not exist', broken('readme', 'npx backtest keys create --name ops --role admin\nHOST', 'npx backtest key create --name ops --role admin\nHOST'), /no backtest command "key"/],
    ['a README service that does not exist', broken('readme', 'docker compose run --rm api-a keys', 'docker compose run --rm api keys'), /no service api/],
    ['a README block the example tests would run', broken('readme', '```bash\necho', '```sh\necho'), /a ```sh block/],
    ['REDIS_URL removed from the README table', broken('readme', '| `REDIS_URL` | none |', '| `REDIS` | none |'), /REDIS_URL is not in the README's table/],
  ] as const)('reports %s', (_what, files, problem) => {
    expect(allProblems(files)).toContainEqual(expect.stringMatching(problem));
  });
});
