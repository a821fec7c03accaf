import type { BarPeriod } from '../engine/bars.js';
import type { DatasetInfo } from './bar-store.js';

/** One row of datasets left-joined with instruments and their coverage, as both databases list them. */
export interface DatasetRow {
  readonly id: string;
  readonly name: string;
  readonly symbol: string | null;
  readonly period: BarPeriod | null;
  readonly first: number | null;
  readonly last: number | null;
  readonly bars: number | null;
}

/** Rows ordered by dataset, symbol, period (nulls first) -> datasets with their instruments and coverage. */
export function groupDatasets(rows: readonly DatasetRow[]): DatasetInfo[] {
  const out: DatasetInfo[] = [];
  for (const r of rows) {
    let ds = out[out.length - 1];
    if (ds?.id !== r.id) out.push((ds = { id: r.id, name: r.name, instruments: [] }));
    if (r.symbol === null) continue;
    let inst = ds.instruments[ds.instruments.length - 1];
    if (inst?.symbol !== r.symbol) ds.instruments.push((inst = { symbol: r.symbol, coverage: [] }));
    if (r.period !== null) inst.coverage.push({ period: r.period, first: r.first!, last: r.last!, bars: r.bars! });
  }
  return out;
}
