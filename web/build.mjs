#!/usr/bin/env node
/**
 * Builds the dashboard (typecheck, then Vite) into web/dist. Run by `npm ci` (prepare) and, when
 * the build is missing, by `npm start` (prestart), so the README's two commands do all the set-up.
 *   node web/build.mjs               build
 *   node web/build.mjs --if-outdated build only when web/dist lacks the page or a bundle it names,
 *                                    or is older than a source file
 * Without the dev dependencies (npm ci --omit=dev) it says so and leaves the service to run without
 * the dashboard (GET / then explains how to build it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from '../scripts/newest-source.mjs';

const web = dirname(fileURLToPath(import.meta.url));
const dist = join(web, 'dist');

function built() {
  const page = join(dist, 'index.html');
  if (!existsSync(page)) return false;
  const assets = [...readFileSync(page, 'utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  if (assets.length === 0 || !assets.every((a) => existsSync(join(dist, a)))) return false;
  const builtAt = statSync(page).mtimeMs;
  return newestSource([join(web, 'src'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(web, 'tsconfig.json')]) <= builtAt;
}

if (process.argv.includes('--if-outdated') && built()) process.exit(0);

const require = createRequire(import.meta.url);
let tsc;
let vite;
try {
  tsc = require.resolve('typescript/bin/tsc');
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.warn('dashboard not built: its build tools (dev dependencies) are not installed; run `npm ci` without --omit=dev, then `npm run build:web`');
  process.exit(0);
}

for (const [what, args] of [
  ['typecheck', [tsc, '-p', join(web, 'tsconfig.json')]],
  ['build', [vite, 'build', '--config', join(web, 'vite.config.ts')]],
]) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: dirname(web) });
  if (r.status !== 0) {
    console.error(`dashboard ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}
console.log(`dashboard built into ${dist}`);
