/** `backtest datasets` list, delete and rename against the database. */
import { listDatasets } from '../data/bar-store.js';
import { DatasetAdminError, deleteDataset, renameDataset } from '../data/dataset-admin.js';
import { openDatabase, type AppDatabase } from '../data/db.js';
import { formatBarTime, formatTable } from './table.js';
import { UsageError } from './usage-error.js';

export function listDatasetsCommand(json: boolean): void {
  withDatabase((app) => list(app, json));
}

export function deleteDatasetCommand(id: string): void {
  withDatabase((app) => {
    const d = admin(() => deleteDataset(app, id));
    console.log(`deleted dataset ${d.id} (${d.name}): ${d.instruments} symbol${d.instruments === 1 ? '' : 's'}, ${d.bars.toLocaleString('en-US')} bars`);
  });
}

export function renameDatasetCommand(id: string, name: string): void {
  withDatabase((app) => {
    const r = admin(() => renameDataset(app, id, name));
    console.log(`renamed dataset ${r.id}: ${JSON.stringify(r.previousName)} -> ${JSON.stringify(r.name)}`);
  });
}

function withDatabase(f: (app: AppDatabase) => void): void {
  const app = openDatabase();
  try {
    f(app);
  } finally {
    app.close();
  }
}

/** A wrong id or name is a bad argument (exit 2); a dataset in use is a refusal (exit 1). */
function admin<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DatasetAdminError && e.problem.kind !== 'in-use') throw new UsageError(e.problem.kind === 'bad-name' ? e.message : `${e.message} (see \`backtest datasets\`)`);
    throw e;
  }
}

function list(app: AppDatabase, json: boolean): void {
  const all = listDatasets(app);
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
