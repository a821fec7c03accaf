/**
 * `backtest <command>` (the `backtest` bin, `npx backtest ...`, or `npm run cli -- ...`).
 * A bad argument prints one line naming it and exits with code 2; other failures exit with code 1.
 */
import { CommanderError } from 'commander';
import { stopQuietlyWhenStdoutCloses } from './cli/closed-pipe.js';
import { createProgram, oneLine } from './cli/program.js';
import { UsageError } from './cli/usage-error.js';

/** Longest error line printed. */
const MAX_MESSAGE_CHARS = 400;

function report(message: string): void {
  const line = oneLine(message);
  process.stderr.write(`backtest: ${line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}…` : line}\n`);
}

async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      const done = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' && e.exitCode === 0;
      process.exitCode = done ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      report(e.message);
      process.exitCode = 2;
      return;
    }
    report(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}

stopQuietlyWhenStdoutCloses();
void main(process.argv.slice(2));
