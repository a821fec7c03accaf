#!/usr/bin/env node
/**
 * Bundles src/ into dist/ with esbuild for the `backtest` bin and `npm start`. Run by `npm ci`
 * (prepare), `npm start` and `npm test` (with --if-outdated), and by the tests that spawn the bin.
 *   node scripts/build.mjs               build
 *   node scripts/build.mjs --if-outdated build only when dist/ is missing or older than a source file
 *
 * Why a bundle: start-up read ~240 modules one by one (drizzle-orm alone 113), ~0.17 s before any
 * work; bundled, a command reads a handful of files. The entries:
 *   dist/cli/main.js             the CLI (dist/cli.js imports it: what the bin and `npm start` run)
 *   dist/workers/pool-tasks.js   Piscina's task module (src/workers/thread-entries.ts)
 *   dist/workers/store.worker.js the storage thread
 * and the chunks they share, split at every dynamic import() (each command's action, the server) so
 * a command loads only what it uses, in dist/chunks/. Every file sits two folders deep, as its
 * source does (src/<folder>/<file>.ts), so a path made from import.meta.url with '../../' (drizzle/,
 * web/dist, package.json, schema.graphql) resolves alike from the sources and from any output file;
 * a path to a sibling module would not (thread-entries.ts names '../workers/...').
 * Bundled: our sources, drizzle-orm and commander. Every other dependency stays an import of
 * node_modules: better-sqlite3 (native), piscina (starts its own worker file), tsx (loaded only for
 * a TypeScript strategy file), graphql and its plugins (one graphql instance, the one they share).
 *
 * It only transpiles: `npm run typecheck` and `npm test` check the types. The output is written
 * next to dist/ and swapped in, under a lock, so concurrent callers (test files running in
 * parallel) never see a half-written dist/ and build it once.
 * Without esbuild (installed with tsx) it says so: the bin then runs the sources through tsx.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestSource } from './newest-source.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
/** Written last: its time is when the build finished. */
const stamp = join(dist, '.built');
const lock = join(root, '.tmp', 'build-dist.lock');
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 5 * 60_000;
const LOCK_WAIT_MS = 10 * 60_000;

/** Output path (under dist/, without .js) -> source. */
const ENTRIES = {
  'cli/main': 'src/cli.ts',
  'workers/pool-tasks': 'src/workers/pool-tasks.ts',
  'workers/store.worker': 'src/workers/store.worker.ts',
};

/** In dist/chunks/: the chunks this build made (the others are the previous build's). */
const OWN_CHUNKS = '.own';

/** Dependencies bundled into dist/ (plain JavaScript, used only through our code). */
const BUNDLED = new Set(['drizzle-orm', 'commander']);

/** What `node dist/cli.js` runs: the entry is one folder deeper (see above). */
const CLI_SHIM = `// The compiled CLI (scripts/build.mjs): the bundle's entry sits in dist/cli/ like every other output file.
import './cli/main.js';
`;

/**
 * commander is CommonJS: esbuild turns its require() calls of Node built-ins into calls of a
 * `require` it expects in scope, which an ES module does not have; this gives every file one.
 */
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

function upToDate() {
  if (!existsSync(stamp) || !existsSync(join(dist, 'cli.js'))) return false;
  const sources = [join(root, 'src'), join(root, 'tsconfig.json'), join(root, 'package.json'), fileURLToPath(import.meta.url)];
  return newestSource(sources) <= statSync(stamp).mtimeMs;
}

function acquireLock() {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`build: ${lock} held for over ${LOCK_WAIT_MS / 1000} s`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

async function bundle(esbuild, outdir) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // A package and its subpaths (drizzle-orm/better-sqlite3, tsx/esm/api) alike.
    external: external.flatMap((d) => [d, `${d}/*`]),
    banner: { js: REQUIRE_BANNER },
    sourcemap: false,
    logLevel: 'warning',
  });
  writeFileSync(join(outdir, 'cli.js'), CLI_SHIM);
}

/**
 * Chunk names carry a hash of their content, so a rebuild renames the chunks whose code changed. A
 * process started from the previous build (a server, a test's command) may still import one of its
 * chunks lazily; the previous build's own chunks (listed in chunks/.own) are linked into the new
 * one, two builds at most.
 */
function keepPreviousChunks(next) {
  const chunks = join(next, 'chunks');
  const own = existsSync(chunks) ? readdirSync(chunks).filter((f) => f.endsWith('.js')) : [];
  mkdirSync(chunks, { recursive: true });
  const previous = join(dist, 'chunks');
  const listed = join(previous, OWN_CHUNKS);
  const theirs = existsSync(listed) ? readFileSync(listed, 'utf8').split('\n').filter(Boolean) : [];
  for (const f of theirs) {
    if (own.includes(f) || !existsSync(join(previous, f))) continue;
    try {
      linkSync(join(previous, f), join(chunks, f));
    } catch {
      copyFileSync(join(previous, f), join(chunks, f));
    }
  }
  writeFileSync(join(chunks, OWN_CHUNKS), own.join('\n') + '\n');
}

const ifOutdated = process.argv.includes('--if-outdated');
if (ifOutdated && upToDate()) process.exit(0);

let esbuild;
try {
  esbuild = await import(pathToFileURL(createRequire(import.meta.url).resolve('esbuild')).href);
} catch {
  console.warn('backtest not compiled: esbuild (installed with tsx) is missing; the bin runs the sources through tsx. Run `npm ci`, then `npm run build`.');
  process.exit(0);
}

acquireLock();
let failed = false;
try {
  // Another process may have built it while this one waited for the lock.
  if (!(ifOutdated && upToDate())) failed = !(await buildInto());
} finally {
  rmSync(lock, { recursive: true, force: true });
}
if (failed) process.exit(1);

/** Builds next to dist/ and swaps it in; false (said on stderr) when esbuild failed. */
async function buildInto() {
  // Same folder depth as dist/, so nothing inside depends on where it was built.
  const next = join(root, `dist.new-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  try {
    await bundle(esbuild, next);
  } catch (e) {
    rmSync(next, { recursive: true, force: true });
    console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  keepPreviousChunks(next);
  writeFileSync(join(next, '.built'), `${new Date().toISOString()}\n`);
  const old = join(root, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
  rmSync(old, { recursive: true, force: true });
  return true;
}
