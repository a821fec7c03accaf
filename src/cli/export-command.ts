/** `backtest export RUN_ID --what fills --format csv [--out FILE]`: flags and help; the work is in export-action.ts. */
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, EXPORT_KINDS } from '../http/export-paths.js';

export function register(program: Command): void {
  program
    .command('export')
    .summary("write a run's fills, orders, round trips or equity as CSV or JSON")
    .description(
      "Write a finished run's stored fills, orders, round trips or equity curve as CSV (RFC 4180, a header row) or a JSON array shaped like the GraphQL types: the same files as GET /runs/RUN_ID/<what>.<format> on the service. Streamed, so a million-point equity curve is fine.",
    )
    .argument('<run-id>', 'id of the run, as printed by `backtest run` or listed by the service')
    .addOption(new Option('--what <what>', 'which results').choices(EXPORT_KINDS).makeOptionMandatory())
    .addOption(new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).default('csv'))
    .addOption(new Option('--out <file>', 'write to this file (replaced if it exists) instead of stdout'))
    .addHelpText(
      'after',
      `
Examples:
  $ backtest export 12 --what fills
  $ backtest export 12 --what round-trips --format json --out trips.json
  $ DATABASE_PATH=/tmp/bt.db npx backtest export 3 --what equity --out equity.csv
  $ DATABASE_URL=postgres://bt:secret@localhost:5432/backtest npx backtest export 3 --what fills --format json`,
    )
    .action(async (runId: string, flags: { what: (typeof EXPORT_KINDS)[number]; format: (typeof EXPORT_FORMATS)[number]; out?: string }) => {
      const { exportRun } = await import('./export-action.js');
      await exportRun(runId, flags);
    });
}
