/**
 * Price bars for charts: `Instrument.bars` downsampled to at most `maxPoints` OHLCV buckets, and
 * `Query.instrument` to reach one instrument without listing every dataset (a chart asks for one).
 */
import type { BarPeriod } from '../engine/bars.js';
import { downsampleOhlc, type OhlcBar } from '../data/ohlc-downsample.js';
import { builder } from './builder.js';
import { BarPeriodEnum, InstrumentRef } from './dataset.js';
import { badField } from './errors.js';

/** Buckets a chart may ask for. */
export const BARS_MAX_POINTS = { min: 2, max: 5_000, default: 1_000 } as const;
/** Stored bars one request may read (they are loaded whole, then merged): about 240 MB at most. */
export const BARS_MAX_READ = 5_000_000;

const PriceBarRef = builder.objectRef<OhlcBar>('PriceBar').implement({
  description: 'A bar, or a bucket of consecutive bars merged: first open, highest high, lowest low, last close, summed volume.',
  fields: (t) => ({
    time: t.field({ type: 'DateTime', description: "Open time of the bucket's first bar.", resolve: (b) => b.time }),
    open: t.exposeFloat('open'),
    high: t.exposeFloat('high'),
    low: t.exposeFloat('low'),
    close: t.exposeFloat('close'),
    volume: t.exposeFloat('volume'),
  }),
});

builder.objectField(InstrumentRef, 'bars', (t) =>
  t.field({
    type: [PriceBarRef],
    description: `Bars of one period from start to end (both inclusive; default: all), merged into at most maxPoints buckets of equal bar counts (${BARS_MAX_POINTS.min}..${BARS_MAX_POINTS.max}, default ${BARS_MAX_POINTS.default}). At most ${BARS_MAX_READ.toLocaleString('en-US')} stored bars per request.`,
    args: {
      period: t.arg({ type: BarPeriodEnum, required: true }),
      start: t.arg({ type: 'DateTime' }),
      end: t.arg({ type: 'DateTime' }),
      maxPoints: t.arg.int({ defaultValue: BARS_MAX_POINTS.default }),
    },
    resolve: async (instrument, args, ctx) => {
      const maxPoints = args.maxPoints ?? BARS_MAX_POINTS.default;
      if (!Number.isInteger(maxPoints) || maxPoints < BARS_MAX_POINTS.min || maxPoints > BARS_MAX_POINTS.max) {
        throw badField('maxPoints', `must be from ${BARS_MAX_POINTS.min} to ${BARS_MAX_POINTS.max}, got ${maxPoints}`);
      }
      const from = args.start?.getTime();
      const through = args.end?.getTime();
      if (from !== undefined && through !== undefined && through < from) throw badField('end', `must not be before start (${args.start!.toISOString()}), got ${args.end!.toISOString()}`);
      const period = args.period as BarPeriod;
      const key = { dataset: instrument.dataset.id, symbol: instrument.symbol, period };
      const coverage = await ctx.storage.getCoverage(key);
      if (!coverage) return [];
      const lo = Math.max(coverage.first, from ?? -Infinity);
      const hi = Math.min(coverage.last, through ?? Infinity);
      if (hi < lo) return [];
      // Bars spread evenly over the covered time: a ceiling check before anything is loaded.
      const estimate = coverage.last > coverage.first ? Math.ceil((coverage.bars * (hi - lo)) / (coverage.last - coverage.first)) : coverage.bars;
      if (estimate > BARS_MAX_READ) {
        throw badField('start', `start..end covers about ${estimate.toLocaleString('en-US')} ${period} bars, more than ${BARS_MAX_READ.toLocaleString('en-US')} per request: narrow the range`);
      }
      const series = await ctx.storage.loadBars({ ...key, from, to: through === undefined ? undefined : through + 1 });
      return downsampleOhlc(series, maxPoints);
    },
  }),
);

builder.queryField('instrument', (t) =>
  t.field({
    type: InstrumentRef,
    nullable: true,
    description: 'One instrument of a dataset, or null when the dataset has no such symbol.',
    args: { dataset: t.arg.id({ required: true }), symbol: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const dataset = (await ctx.storage.listDatasets()).find((d) => d.id === String(args.dataset));
      const instrument = dataset?.instruments.find((i) => i.symbol === args.symbol);
      return dataset && instrument ? { symbol: instrument.symbol, dataset, coverage: instrument.coverage } : null;
    },
  }),
);
