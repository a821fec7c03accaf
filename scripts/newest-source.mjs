// The newest modification time (ms) among files and folders (recursively); missing paths are skipped.
// Both build scripts (scripts/build.mjs, web/build.mjs) compare it with their output's to skip a build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function newestSource(paths) {
  let newest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) newest = Math.max(newest, newestSource(readdirSync(p).map((n) => join(p, n))));
    else newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}
