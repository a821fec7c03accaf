/** `backtest export`: a finished run's results from the database to a file or stdout, streamed (export-writer.ts). */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { openStorage, storageConfigFromEnv } from '../data/open-storage.js';
import type { ExportFormat, ExportKind } from '../http/export-paths.js';
import { ClientGone, exportableRun, writeRunExport } from '../http/export-writer.js';
import { quote, UsageError } from './usage-error.js';

export async function exportRun(runIdText: string, flags: { what: ExportKind; format: ExportFormat; out?: string }): Promise<void> {
  if (!/^[1-9]\d{0,14}$/.test(runIdText)) throw new UsageError(`<run-id>: not a run id: ${quote(runIdText)} (a positive integer)`);
  const storage = await openStorage(storageConfigFromEnv());
  try {
    const run = await exportableRun(storage, Number(runIdText));
    if ('problem' in run) {
      if (run.problem === 'not-found') throw new UsageError(`<run-id>: ${run.message}`);
      throw new Error(run.message);
    }
    const target = flags.out === undefined ? process.stdout : createWriteStream(flags.out);
    if (flags.out !== undefined) await Promise.race([once(target, 'open'), once(target, 'error').then(([e]) => Promise.reject(e as Error))]);
    try {
      await writeRunExport(storage, run, flags.what, flags.format, target);
    } catch (e) {
      if (e instanceof ClientGone && target === process.stdout) return; // e.g. piped into `head`
      throw e;
    }
    if (target !== process.stdout) {
      target.end();
      await once(target, 'finish');
      process.stderr.write(`wrote run ${run.id} ${flags.what} as ${flags.format.toUpperCase()} to ${flags.out}\n`);
    }
  } finally {
    await storage.close();
  }
}
