/**
 * The bin runs the compiled CLI (dist/): tests that spawn it build first when a source is newer
 * than the build (scripts/build.mjs --if-outdated, which locks, so test files running in parallel
 * build once). `npm test` has built already; a single test file run by hand may not have.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './test-server.js';

export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--if-outdated'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`the build failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
}
