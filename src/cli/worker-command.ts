/** `backtest worker`: a worker node that runs backtests and sweep chunks taken from BullMQ. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('worker')
    .summary('run a worker node (with REDIS_URL and DATABASE_URL)')
    .description(
      'Run a worker node: Piscina threads taking backtests and sweep chunks from the BullMQ queues in REDIS_URL, reading bars from and storing results in the PostgreSQL database DATABASE_URL. Start as many as you like, on any machine that reaches both; API instances started with `backtest serve --no-worker` hand them the work.',
    )
    .addHelpText(
      'after',
      `
Environment:
  REDIS_URL            redis://host:6379 (required): the queues, run events and cancels
  DATABASE_URL         postgres://user:password@host:5432/backtest (required): bars and results
  WORKERS              threads of this node (default: number of cores)
  JOB_LOCK_MS          how long a dead node's jobs wait before they are handed out again (default 30000)
  STRATEGIES_DIR       your own strategy files (the same files as the API instances')

On SIGINT/SIGTERM the node stops taking jobs and lets the running ones finish.

Examples:
  $ DATABASE_URL=postgres://bt:secret@db:5432/backtest REDIS_URL=redis://cache:6379 WORKERS=4 npx backtest worker`,
    )
    .action(async () => {
      const { runWorkerNode } = await import('./worker-action.js');
      await runWorkerNode();
    });
}
