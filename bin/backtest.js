#!/usr/bin/env node
// The `backtest` command. It starts the TypeScript CLI in a child Node process with tsx's loader on
// the command line (--import), so the pool's worker threads inherit the loader and can import
// TypeScript strategy files from any folder, as under `npm start`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const loader = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', loader, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
