/** The demo datasets (../demo.ts: the same series, names and order) loaded into an empty Postgres database. */
import { demoWrites } from '../demo.js';
import type { PgDatabase } from '../postgres-db.js';
import { datasets } from '../schema-pg/index.js';
import { lockMarketWrites, writeBarsIn } from './bar-store.js';

/**
 * Seeds only when no dataset exists yet. Check and writes share one transaction under the
 * market-data write lock, so concurrent callers (several API instances starting at once) seed once.
 */
export async function seedDemoData(pg: PgDatabase): Promise<{ seeded: boolean }> {
  return pg.db.transaction(async (tx) => {
    await lockMarketWrites(tx);
    if ((await tx.select({ id: datasets.id }).from(datasets).limit(1)).length > 0) return { seeded: false };
    for (const write of demoWrites()) await writeBarsIn(tx, write);
    return { seeded: true };
  });
}
