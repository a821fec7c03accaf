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
  WORKERS              threads in the backtest pool (default: number of cores)
  STRATEGIES_DIR       your own strategy files, .ts or .js (default ./strategies)
  SHUTDOWN_GRACE_MS    on SIGINT/SIGTERM, how long running backtests may finish (default 10000)
  (the README lists every variable)

Examples:
  $ backtest serve
  $ PORT=8080 WORKERS=2 DATABASE_PATH=/tmp/bt.db npx backtest serve
  $ DATABASE_URL=postgres://bt:secret@localhost:5432/backtest npx backtest serve`,
    )
    .action(async () => {
      const { serve } = await import('../server.js');
      await serve();
    });
}
