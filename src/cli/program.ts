/**
 * The `backtest` command line on commander: one program, one module per command. A command module
 * exports `register(program)`; adding a command is one entry in COMMANDS.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerDatasets } from './datasets-command.js';
import { register as registerExport } from './export-command.js';
import { register as registerGenerate } from './generate-command.js';
import { register as registerImport } from './import-command.js';
import { register as registerKeys } from './keys-command.js';
import { register as registerRun } from './run-command.js';
import { register as registerServe } from './serve-command.js';
import { register as registerStrategies } from './strategies-command.js';
import { register as registerSweep } from './sweep-command.js';
import { register as registerWorker } from './worker-command.js';

/** In the order `backtest --help` lists them. */
const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerServe,
  registerWorker,
  registerStrategies,
  registerDatasets,
  registerImport,
  registerGenerate,
  registerRun,
  registerSweep,
  registerKeys,
  registerExport,
];

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Commander's own errors (unknown option, missing argument, ...) come out as one line,
 * `backtest: <message>`, like ours; a suggestion it adds on a second line joins the first.
 */
export function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export function createProgram(): Command {
  const program = new Command('backtest')
    .description('Backtest trading strategies: run the GraphQL service, import or generate bars, run backtests and sweeps.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    // Settings below are inherited by every command added afterwards.
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`backtest: ${oneLine(message)}\n`) })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Run \`backtest <command> --help\` for a command's flags and examples.
The database: DATABASE_URL (postgres://...) when set, else the SQLite file DATABASE_PATH (default ./data/backtest.db).
Timestamps and dates are UTC; enum values (--period day, --param entry=limit, --on-invalid SKIP) match in any case.
A bad argument prints one line naming it and exits with code 2; other failures exit with code 1.`,
    );
  for (const register of COMMANDS) register(program);
  return program;
}
