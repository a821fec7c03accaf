/**
 * Section `postgres`: the e2e run (runBacktest over 1,000,000 minute bars, mutation to COMPLETED with
 * results stored) through a service on PostgreSQL (a local server the section starts, as the tests
 * do) against the same on SQLite, rounds interleaved. postgres.ratio = Postgres time / SQLite time.
 */
import type { BenchSection } from '../figure.js';
import { E2E_BARS, runToEnd, startService, type ServiceFixture } from '../service-fixture.js';
import { createDatabase, missingReason, startPostgres } from '../../test/support/postgres-server.js';

async function timeRun(s: ServiceFixture): Promise<number> {
  const t0 = performance.now();
  const { id, finished } = await runToEnd(s);
  const ms = (await finished) - t0;
  const { run } = await s.gql<{ run: { status: string; barsProcessed: number } }>(`query($id: ID!) { run(id: $id) { status barsProcessed } }`, { id });
  if (run.status !== 'COMPLETED' || run.barsProcessed !== E2E_BARS) throw new Error(`run ${id} ended ${run.status} after ${run.barsProcessed} bars`);
  return ms;
}

export const run: BenchSection = async () => {
  const missing = missingReason();
  if (missing !== null) throw new Error(`section postgres: ${missing}`);
  const server = await startPostgres();
  try {
    const database = await createDatabase(server.url);
    const onPostgres = await startService({ databaseUrl: database.url });
    const onSqlite = await startService();
    try {
      let pgMs = Infinity;
      let sqliteMs = Infinity;
      for (let round = 0; round < 3; round++) {
        pgMs = Math.min(pgMs, await timeRun(onPostgres));
        sqliteMs = Math.min(sqliteMs, await timeRun(onSqlite));
      }
      return [
        { name: 'postgres.e2eRunMs', value: pgMs, unit: 'ms' },
        { name: 'postgres.sqliteRunMs', value: sqliteMs, unit: 'ms' },
        { name: 'postgres.ratio', value: pgMs / sqliteMs, unit: 'ratio' },
      ];
    } finally {
      await onPostgres.close();
      await onSqlite.close();
    }
  } finally {
    await server.stop();
  }
};
