/** `backtest datasets` list, delete and rename against the database. */
import { DatasetAdminError } from '../data/dataset-admin.js';
import type { Storage } from '../data/storage.js';
import { formatBarTime, formatTable } from './table.js';
import { UsageError } from './usage-error.js';
import { withStorage } from './with-storage.js';

export function listDatasetsCommand(json: boolean): Promise<void> {
  return withStorage((storage) => list(storage, json));
}

export function deleteDatasetCommand(id: string): Promise<void> {
  return withStorage(async (storage) => {
    const d = await admin(() => storage.deleteDataset(id));
    console.log(`deleted dataset ${d.id} (${d.name}): ${d.instruments} symbol${d.instruments === 1 ? '' : 's'}, ${d.bars.toLocaleString('en-US')} bars`);
  });
}

export function renameDatasetCommand(id: string, name: string): Promise<void> {
  return withStorage(async (storage) => {
    const r = await admin(() => storage.renameDataset(id, name));
    console.log(`renamed dataset ${r.id}: ${JSON.stringify(r.previousName)} -> ${JSON.stringify(r.name)}`);
  });
}

/** A wrong id or name is a bad argument (exit 2); a dataset in use is a refusal (exit 1). */
async function admin<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof DatasetAdminError && e.problem.kind !== 'in-use') throw new UsageError(e.problem.kind === 'bad-name' ? e.message : `${e.message} (see \`backtest datasets\`)`);
    throw e;
  }
}

async function list(storage: Storage, json: boolean): Promise<void> {
  const all = await storage.listDatasets();
  if (json) {
    const doc = all.map((d) => ({
      id: d.id,
      name: d.name,
      instruments: d.instruments.map((i) => ({ symbol: i.symbol, coverage: i.coverage.map((c) => ({ ...c, first: new Date(c.first).toISOString(), last: new Date(c.last).toISOString() })) })),
    }));
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const rows: string[][] = [];
  for (const d of all) {
    if (d.instruments.length === 0) rows.push([d.id, d.name, '-', '-', '-', '-', '0']);
    for (const inst of d.instruments) {
      for (const c of inst.coverage) rows.push([d.id, d.name, inst.symbol, c.period, formatBarTime(c.first, c.period), formatBarTime(c.last, c.period), c.bars.toLocaleString('en-US')]);
    }
  }
  console.log(rows.length === 0 ? 'no datasets (run `backtest serve` once to load the demo data, or `backtest import`)' : formatTable(['dataset', 'name', 'symbol', 'period', 'first', 'last', 'bars'], rows));
}
