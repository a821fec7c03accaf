/**
 * Bars on disk as columnar chunks (see schema/market.ts). Writes replace an
 * instrument+period as a whole; loads copy the overlapping chunks straight into
 * one typed array per column.
 */
import { groupDatasets } from './dataset-rows.js';
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { allocateBarSeries, type BarPeriod, type BarSeries } from '../engine/bars.js';
import { BAR_COLUMNS as COLUMNS, checkSeries, newContentId, seriesChunks } from './bar-chunks.js';
import type { AppDatabase } from './db.js';
import { BarsExistError, BarsNotFoundError } from './errors.js';
import { copyFloat64, float64View, lowerBound } from './float64-bytes.js';
import { barChunks, coverage, datasets, instruments } from './schema/index.js';

export { CHUNK_BARS } from './bar-chunks.js';

export interface InstrumentKey {
  readonly dataset: string;
  readonly symbol: string;
  readonly period: BarPeriod;
}

export interface Coverage extends InstrumentKey {
  /** Time of the first and last bar, epoch ms. */
  readonly first: number;
  readonly last: number;
  readonly bars: number;
}

export interface WriteBarsInput extends InstrumentKey {
  readonly series: BarSeries;
  /** Overwrite existing bars of this instrument and period instead of refusing. */
  readonly replace?: boolean;
  /** Display name when the dataset is created (or renamed); defaults to the dataset id. */
  readonly datasetName?: string;
}

export interface LoadBarsInput extends InstrumentKey {
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
}

/** Stores a whole series for one instrument+period in one transaction and returns its coverage. */
export function writeBars(app: AppDatabase, input: WriteBarsInput): Coverage {
  const { dataset, symbol, period, series } = input;
  checkSeries(series);
  const write = app.sqlite.transaction((): Coverage => {
    const instrumentId = ensureInstrument(app, dataset, symbol, input.datasetName);
    const existing = coverageRow(app, instrumentId, period);
    if (existing && !input.replace) throw new BarsExistError(dataset, symbol, period, existing.bars);
    const key = and(eq(barChunks.instrumentId, instrumentId), eq(barChunks.period, period));
    if (existing) app.db.delete(barChunks).where(key).run();
    for (const chunk of seriesChunks(series)) app.db.insert(barChunks).values({ instrumentId, period, ...chunk }).run();
    const cov = { firstMs: series.time[0]!, lastMs: series.time[series.length - 1]!, bars: series.length, contentId: newContentId() };
    app.db
      .insert(coverage)
      .values({ instrumentId, period, ...cov })
      .onConflictDoUpdate({ target: [coverage.instrumentId, coverage.period], set: cov })
      .run();
    return { dataset, symbol, period, first: cov.firstMs, last: cov.lastMs, bars: cov.bars };
  });
  return write.immediate();
}

/** Bars with from <= time < to. Throws BarsNotFoundError if the instrument has no bars of that period. */
export function loadBars(app: AppDatabase, input: LoadBarsInput): BarSeries {
  const { from = -Infinity, to = Infinity } = input;
  // One read transaction = one snapshot, so a concurrent replace cannot mix old and new chunks.
  return app.sqlite.transaction((): BarSeries => {
    const instrumentId = findInstrument(app, input.dataset, input.symbol);
    if (instrumentId === undefined || !coverageRow(app, instrumentId, input.period)) {
      throw new BarsNotFoundError(input.dataset, input.symbol, input.period);
    }
    const key = and(eq(barChunks.instrumentId, instrumentId), eq(barChunks.period, input.period));
    const startsBeforeTo = Number.isFinite(to) ? lt(barChunks.startMs, to) : undefined;
    const endsAfterFrom = Number.isFinite(from) ? gte(barChunks.endMs, from) : undefined;
    const chunks = app.db
      .select({ startMs: barChunks.startMs, endMs: barChunks.endMs, count: barChunks.count })
      .from(barChunks)
      .where(and(key, startsBeforeTo, endsAfterFrom))
      .orderBy(asc(barChunks.startMs))
      .all();
    const chunkBlobs = (startMs: number) =>
      app.db.select().from(barChunks).where(and(key, eq(barChunks.startMs, startMs))).get()!;

    // Only the first and last chunk can straddle a boundary; everything between is copied whole.
    const spans = chunks.map((c, i) => {
      let lo = 0;
      let hi = c.count;
      let row: ReturnType<typeof chunkBlobs> | undefined;
      const cutLo = i === 0 && c.startMs < from;
      const cutHi = i === chunks.length - 1 && c.endMs >= to;
      if (cutLo || cutHi) {
        row = chunkBlobs(c.startMs);
        const time = float64View(row.time);
        if (cutLo) lo = lowerBound(time, from);
        if (cutHi) hi = lowerBound(time, to, lo);
      }
      return { startMs: c.startMs, lo, hi, row };
    });
    const total = spans.reduce((n, s) => n + s.hi - s.lo, 0);
    const out = allocateBarSeries(input.symbol, total);
    let at = 0;
    for (const s of spans) {
      if (s.hi <= s.lo) continue;
      const row = s.row ?? chunkBlobs(s.startMs);
      for (const c of COLUMNS) copyFloat64(row[c], s.lo, out[c], at, s.hi - s.lo);
      at += s.hi - s.lo;
    }
    return out;
  })();
}

/** What identifies the stored bars of one instrument+period, for a cache (see bar-cache.ts). */
export interface BarsVersion {
  readonly bars: number;
  /** Changes on every write of these bars. */
  readonly contentId: number;
}

/** The version of the stored bars, or null when there are none; read it in the same transaction as the bars. */
export function getBarsVersion(app: AppDatabase, key: InstrumentKey): BarsVersion | null {
  const instrumentId = findInstrument(app, key.dataset, key.symbol);
  const row = instrumentId === undefined ? undefined : coverageRow(app, instrumentId, key.period);
  return row ? { bars: row.bars, contentId: row.contentId } : null;
}

/** Coverage of one instrument+period, or null when nothing is stored. */
export function getCoverage(app: AppDatabase, key: InstrumentKey): Coverage | null {
  const instrumentId = findInstrument(app, key.dataset, key.symbol);
  const row = instrumentId === undefined ? undefined : coverageRow(app, instrumentId, key.period);
  if (!row) return null;
  return { dataset: key.dataset, symbol: key.symbol, period: key.period, first: row.firstMs, last: row.lastMs, bars: row.bars };
}

export interface PeriodCoverage {
  readonly period: BarPeriod;
  readonly first: number;
  readonly last: number;
  readonly bars: number;
}

export interface DatasetInfo {
  readonly id: string;
  readonly name: string;
  readonly instruments: Array<{ readonly symbol: string; readonly coverage: PeriodCoverage[] }>;
}

/** Every dataset with its instruments (by symbol) and what each holds per period. */
export function listDatasets(app: AppDatabase): DatasetInfo[] {
  const rows = app.db
    .select({
      id: datasets.id,
      name: datasets.name,
      symbol: instruments.symbol,
      period: coverage.period,
      first: coverage.firstMs,
      last: coverage.lastMs,
      bars: coverage.bars,
    })
    .from(datasets)
    .leftJoin(instruments, eq(instruments.datasetId, datasets.id))
    .leftJoin(coverage, eq(coverage.instrumentId, instruments.id))
    .orderBy(asc(datasets.id), asc(instruments.symbol), asc(coverage.period))
    .all();
  return groupDatasets(rows);
}

/** The coverage of one instrument+period as listed in `datasets` (listDatasets), or null. */
export function coverageIn(datasets: readonly DatasetInfo[], key: InstrumentKey): Coverage | null {
  const c = datasets
    .find((d) => d.id === key.dataset)
    ?.instruments.find((i) => i.symbol === key.symbol)
    ?.coverage.find((p) => p.period === key.period);
  return c ? { dataset: key.dataset, symbol: key.symbol, period: key.period, first: c.first, last: c.last, bars: c.bars } : null;
}

function findInstrument(app: AppDatabase, dataset: string, symbol: string): number | undefined {
  return app.db
    .select({ id: instruments.id })
    .from(instruments)
    .where(and(eq(instruments.datasetId, dataset), eq(instruments.symbol, symbol)))
    .get()?.id;
}

function ensureInstrument(app: AppDatabase, dataset: string, symbol: string, name?: string): number {
  const ds = app.db.insert(datasets).values({ id: dataset, name: name ?? dataset });
  if (name === undefined) ds.onConflictDoNothing().run();
  else ds.onConflictDoUpdate({ target: datasets.id, set: { name } }).run();
  app.db.insert(instruments).values({ datasetId: dataset, symbol }).onConflictDoNothing().run();
  return findInstrument(app, dataset, symbol)!;
}

function coverageRow(app: AppDatabase, instrumentId: number, period: BarPeriod) {
  return app.db
    .select()
    .from(coverage)
    .where(and(eq(coverage.instrumentId, instrumentId), eq(coverage.period, period)))
    .get();
}
