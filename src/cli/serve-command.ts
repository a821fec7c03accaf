/** `backtest serve`: the GraphQL service (what `npm start` runs). */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('serve')
    .summary('start the GraphQL service')
    .description('Start the GraphQL service: HTTP, SSE and WebSocket on one port, GraphiQL at /graphql, demo data loaded into an empty database.')
    .addHelpText(
      'after',
      `
Environment:
  PORT / HOST          where to listen (default 4000 / 127.0.0.1)
  DATABASE_PATH        the SQLite file (default ./data/backtest.db)
  DATABASE_URL         a PostgreSQL database (postgres://user:password@host:5432/backtest) instead of the SQLite file
  REDIS_URL            redis://host:6379: runs and sweep chunks go to worker nodes through BullMQ (needs DATABASE_URL)
  JOB_LOCK_MS          with REDIS_URL: a dead worker node's jobs are handed out again after this long (default 30000)
  WORKERS              threads in the backtest pool (default: number of cores)
  STRATEGIES_DIR       your own strategy files, .ts or .js (default ./strategies)
  SHUTDOWN_GRACE_MS    on SIGINT/SIGTERM, how long running backtests may finish (default 10000)
  (the README lists every variable)

Examples:
  $ backtest serve
  $ PORT=8080 WORKERS=2 DATABASE_PATH=/tmp/bt.db npx backtest serve
  $ DATABASE_URL=postgres://bt:secret@localhost:5432/backtest npx backtest serve
  $ DATABASE_URL=postgres://bt:secret@db/backtest REDIS_URL=redis://cache:6379 npx backtest serve --no-worker`,
    )
    .option('--no-worker', 'with REDIS_URL: serve the API only, leaving the backtests to `backtest worker` nodes')
    .action(async (opts: { worker: boolean }) => {
      const { serve } = await import('../server.js');
      await serve({ localWorker: opts.worker });
    });
}
