#!/usr/bin/env node
/**
 * Compiles src/ into dist/ (tsconfig.build.json) for the `backtest` bin and `npm start`. Run by
 * `npm ci` (prepare), `npm start` and `npm test` (with --if-outdated), and by the tests that spawn
 * the bin.
 *   node scripts/build.mjs               build
 *   node scripts/build.mjs --if-outdated build only when dist/ is missing or older than a source file
 * It only transpiles (noCheck); `npm run typecheck` and `npm test` check the types. The output is
 * written next to dist/ and swapped in, under a lock, so concurrent callers (test files running in
 * parallel) never see a half-written dist/ and build it once.
 * Without the dev dependencies (npm ci --omit=dev) it says so: the bin then runs the TypeScript
 * sources through tsx.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
/** Written last: its time is when the build finished. */
const stamp = join(dist, '.built');
const lock = join(root, '.tmp', 'build-dist.lock');
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 5 * 60_000;
const LOCK_WAIT_MS = 10 * 60_000;

function upToDate() {
  if (!existsSync(stamp) || !existsSync(join(dist, 'cli.js'))) return false;
  const sources = [join(root, 'src'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];
  return newestSource(sources) <= statSync(stamp).mtimeMs;
}

function newestSource(paths) {
  let newest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) newest = Math.max(newest, newestSource(readdirSync(p).map((n) => join(p, n))));
    else newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
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

const ifOutdated = process.argv.includes('--if-outdated');
if (ifOutdated && upToDate()) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.warn('backtest not compiled: TypeScript (a dev dependency) is not installed; the bin runs the sources through tsx. Run `npm ci` without --omit=dev, then `npm run build`.');
  process.exit(0);
}

acquireLock();
try {
  // Another process may have built it while this one waited for the lock.
  if (ifOutdated && upToDate()) process.exit(0);
  // Same folder depth as dist/, so nothing inside depends on where it was built.
  const next = join(root, `dist.new-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    rmSync(next, { recursive: true, force: true });
    console.error(`build failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  writeFileSync(join(next, '.built'), `${new Date().toISOString()}\n`);
  const old = join(root, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
  rmSync(old, { recursive: true, force: true });
} finally {
  rmSync(lock, { recursive: true, force: true });
}
