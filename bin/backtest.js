#!/usr/bin/env node
// The `backtest` command: the compiled CLI (dist/, built by `npm ci` or `npm run build`), run in
// this process. TypeScript strategy files get tsx's loader when they are loaded (strategy-loader.ts).
// Without a build (installed without dev dependencies), it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('backtest: dist/ is not built (npm run build); running the TypeScript sources through tsx\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
