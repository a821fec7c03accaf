/**
 * `backtest <command>` (also `npm run cli -- <command>`). A bad argument prints one line naming it
 * and exits with code 2.
 */
import { datasetsCommand, generateCommand, importCommand } from './cli/data-commands.js';
import { runCommand } from './cli/run-command.js';
import { strategiesCommand } from './cli/strategies-command.js';
import { sweepCommand } from './cli/sweep-command.js';
import { UsageError } from './cli/usage-error.js';

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  serve: async () => {
    const { serve } = await import('./server.js');
    await serve();
    return 0;
  },
  import: importCommand,
  generate: generateCommand,
  datasets: datasetsCommand,
  strategies: strategiesCommand,
  run: runCommand,
  sweep: sweepCommand,
};

const USAGE = `usage: backtest <command> [options]
  serve                       start the GraphQL service (PORT, HOST, DATABASE_PATH, WORKERS, STRATEGIES_DIR)
  import <file.csv> --dataset D --symbol S --period P [--format yahoo|generic --columns time=..,open=.. --time-format iso-date|iso-datetime|epoch-s|epoch-ms] [--replace]
  generate --dataset D --symbols A,B --period P --bars N [--seed N] [--start YYYY-MM-DD] [--replace]
  datasets                    list datasets, symbols and coverage
  strategies [--json]         list strategies with their parameter specs
  run --strategy ID --symbols A,B --period P [--dataset D] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--param name=value ...]
      [--cash N] [--commission-per-unit N] [--commission-min N] [--commission-pct N] [--slippage-bps N] [--json]
  sweep (the run options) --grid name=min:max:step|name=a,b,c ... [--objective sharpe] [--minimize] [--keep-top N]
      [--max-combinations N] [--top N] [--json]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  if (!handler) throw new UsageError(`unknown command ${JSON.stringify(command)}; try \`backtest help\``);
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error & { code?: string };
    // parseArgs reports unknown or malformed flags with ERR_PARSE_ARGS_* codes: those are usage errors too.
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`backtest: ${err.message.split('\n')[0]}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`backtest: ${err.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
