/** Datasets, their instruments and what each covers per bar period. */
import { BAR_PERIODS, type BarPeriod } from '../engine/bars.js';
import type { DatasetInfo } from '../data/bar-store.js';
import { builder } from './builder.js';

export const BarPeriodEnum = builder.enumType('BarPeriod', { values: BAR_PERIODS });

interface CoverageShape {
  readonly period: BarPeriod;
  readonly first: number;
  readonly last: number;
  readonly bars: number;
}
export interface InstrumentShape {
  readonly symbol: string;
  readonly dataset: DatasetInfo;
  readonly coverage: readonly CoverageShape[];
}

const CoverageRef = builder.objectRef<CoverageShape>('Coverage').implement({
  fields: (t) => ({
    period: t.field({ type: BarPeriodEnum, resolve: (c) => c.period }),
    first: t.field({ type: 'DateTime', resolve: (c) => c.first }),
    last: t.field({ type: 'DateTime', resolve: (c) => c.last }),
    bars: t.exposeInt('bars'),
  }),
});

export const DatasetRef = builder.objectRef<DatasetInfo>('Dataset');
export const InstrumentRef = builder.objectRef<InstrumentShape>('Instrument').implement({
  fields: (t) => ({
    symbol: t.exposeString('symbol'),
    dataset: t.field({ type: DatasetRef, resolve: (i) => i.dataset }),
    coverage: t.field({ type: [CoverageRef], resolve: (i) => [...i.coverage] }),
  }),
});

DatasetRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    instruments: t.field({
      type: [InstrumentRef],
      resolve: (d) => d.instruments.map((i) => ({ symbol: i.symbol, dataset: d, coverage: i.coverage })),
    }),
  }),
});

builder.queryField('datasets', (t) => t.field({ type: [DatasetRef], resolve: (_root, _args, ctx) => ctx.storage.listDatasets() }));
