/**
 * Bars in Postgres: the counterpart of ../bar-store.ts, with the same chunks (bar-chunks.ts), the
 * same results and the same errors. Where Postgres cannot hold what SQLite can, the write is
 * refused with InvalidBarsError rather than failing inside the database:
 * - bar times go into bigint columns (chunk start/end, coverage): each must be a whole number of
 *   ms within ±(2^53 - 1) (SQLite keeps a fractional or huge time as a REAL);
 * - text cannot hold NUL characters, and a lone surrogate is not UTF-8 (node-postgres would store
 *   U+FFFD, SQLite other bytes): a dataset id, symbol or dataset name with either is refused, and
 *   a key with either is simply not stored (reads answer "nothing there");
 * - a dataset id and symbol of more than about 2.7 kB (after compression) do not fit the index.
 * Market-data writes (here, dataset-admin.ts, demo.ts) take one table lock first, so they run one
 * at a time as under SQLite's single writer; reads never wait for them and see one snapshot.
 */
import { groupDatasets } from '../dataset-rows.js';
import { and, asc, eq, gte, lt, sql, type ExtractTablesWithRelations } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase as DrizzlePgDatabase, PgTransactionConfig } from 'drizzle-orm/pg-core';
import { allocateBarSeries, type BarPeriod, type BarSeries } from '../../engine/bars.js';
import { BAR_COLUMNS, checkSeries, newContentId, seriesChunks } from '../bar-chunks.js';
import type { BarsVersion, Coverage, DatasetInfo, InstrumentKey, LoadBarsInput, WriteBarsInput } from '../bar-store.js';
import { BarsExistError, BarsNotFoundError, InvalidBarsError } from '../errors.js';
import { copyFloat64, float64View, lowerBound } from '../float64-bytes.js';
import type { PgDatabase, PgSchema } from '../postgres-db.js';
import { barChunks, coverage, datasets, instruments } from '../schema-pg/index.js';

/** The pool's drizzle database or one of its transactions. */
export type PgTx = DrizzlePgDatabase<NodePgQueryResultHKT, PgSchema, ExtractTablesWithRelations<PgSchema>>;

/** Reads that must see one state of the database (several statements): one snapshot, no writes. */
export const SNAPSHOT: PgTransactionConfig = { isolationLevel: 'repeatable read', accessMode: 'read only' };

/** Largest |time| a bigint column holds here: a JS number is exact up to it. */
const MAX_TIME = Number.MAX_SAFE_INTEGER;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why Postgres cannot store `s` as it is (completing "<field> ..."), or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it has a lone surrogate)';
  return null;
}

/** False when the key holds text Postgres cannot store, so nothing can be stored under it. */
export function storableKey(key: { readonly dataset: string; readonly symbol: string }): boolean {
  return textProblem(key.dataset) === null && textProblem(key.symbol) === null;
}

/**
 * Serialises market-data writers with each other (SHARE ROW EXCLUSIVE conflicts with itself and
 * with row writes to datasets), held until the transaction ends. Readers take no conflicting lock.
 * Every writer takes it first, so two writers never wait for each other's row locks (no deadlock),
 * and each statement after it sees every write committed before (READ COMMITTED).
 */
export async function lockMarketWrites(tx: PgTx): Promise<void> {
  await tx.execute(sql`lock table ${datasets} in share row exclusive mode`);
}

/** Stores a whole series for one instrument+period in one transaction and returns its coverage. */
export async function writeBars(pg: PgDatabase, input: WriteBarsInput): Promise<Coverage> {
  return pg.db.transaction((tx) => writeBarsIn(tx, input));
}

/** writeBars inside the caller's transaction (seedDemoData writes several series in one). */
export async function writeBarsIn(tx: PgTx, input: WriteBarsInput): Promise<Coverage> {
  const { dataset, symbol, period, series } = input;
  checkSeries(series);
  checkStorable(input);
  await lockMarketWrites(tx);
  const instrumentId = await ensureInstrument(tx, dataset, symbol, input.datasetName).catch((e: unknown) => {
    throw keyTooLong(e) ? new InvalidBarsError(`dataset id and symbol are too long for Postgres to index (${Buffer.byteLength(dataset + symbol)} bytes)`) : e;
  });
  const existing = await coverageRow(tx, instrumentId, period);
  if (existing && !input.replace) throw new BarsExistError(dataset, symbol, period, existing.bars);
  if (existing) await tx.delete(barChunks).where(and(eq(barChunks.instrumentId, instrumentId), eq(barChunks.period, period)));
  // One chunk per statement: a few MB of parameters each.
  for (const chunk of seriesChunks(series)) await tx.insert(barChunks).values({ instrumentId, period, ...chunk });
  const cov = { firstMs: series.time[0]!, lastMs: series.time[series.length - 1]!, bars: series.length, contentId: newContentId() };
  await tx
    .insert(coverage)
    .values({ instrumentId, period, ...cov })
    .onConflictDoUpdate({ target: [coverage.instrumentId, coverage.period], set: cov });
  return { dataset, symbol, period, first: cov.firstMs, last: cov.lastMs, bars: cov.bars };
}

/** What Postgres cannot hold and SQLite can (see the header); checkSeries has run. */
function checkStorable(input: WriteBarsInput): void {
  const texts: Array<[string, string | undefined]> = [
    ['dataset id', input.dataset],
    ['symbol', input.symbol],
    ['dataset name', input.datasetName],
  ];
  for (const [field, text] of texts) {
    const problem = text === undefined ? null : textProblem(text);
    if (problem !== null) throw new InvalidBarsError(`${field} ${problem}`);
  }
  const t = input.series.time;
  for (let i = 0; i < input.series.length; i++) {
    if (!Number.isInteger(t[i]!) || Math.abs(t[i]!) > MAX_TIME) {
      throw new InvalidBarsError(`bar ${i}: time ${t[i]} is not a whole number of epoch ms within ±${MAX_TIME} (Postgres stores bar times as bigint)`);
    }
  }
}

/** Postgres's "index row size exceeds maximum" (a key of more than about 2.7 kB; SQLite has no such limit). */
function keyTooLong(e: unknown): boolean {
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === '54000';
}

/** Bars with from <= time < to. Throws BarsNotFoundError if the instrument has no bars of that period. */
export async function loadBars(pg: PgDatabase, input: LoadBarsInput): Promise<BarSeries> {
  if (!storableKey(input)) throw new BarsNotFoundError(input.dataset, input.symbol, input.period);
  // One snapshot, so a concurrent replace cannot mix old and new chunks or drop them after the check.
  return pg.db.transaction(async (tx) => {
    const stored = await storedCoverage(tx, input);
    if (!stored) throw new BarsNotFoundError(input.dataset, input.symbol, input.period);
    return readBars(tx, input.symbol, stored.instrumentId, input.period, input.from, input.to);
  }, SNAPSHOT);
}

/** What a bar cache needs (see ../bar-cache.ts), read in one snapshot. */
export interface BarsSnapshot {
  /** Null when nothing is stored for the key. */
  readonly version: BarsVersion | null;
  /** The instrument's whole series, or null: nothing stored, unchanged since `known`, or more bars than `maxBars`. */
  readonly series: BarSeries | null;
}

export interface SnapshotOptions {
  /** The content id of the caller's copy: the series is not read again when it is still current. */
  readonly known?: number | null;
  /** The series is not read when it holds more bars (default: no limit). */
  readonly maxBars?: number;
}

/**
 * The version of key's bars and, in the same snapshot, the whole series (unless `options` say it is
 * not wanted): the content id and the bars always belong to the same write.
 */
export async function readBarsSnapshot(pg: PgDatabase, key: InstrumentKey, options: SnapshotOptions = {}): Promise<BarsSnapshot> {
  if (!storableKey(key)) return { version: null, series: null };
  const { known = null, maxBars = Infinity } = options;
  return pg.db.transaction(async (tx): Promise<BarsSnapshot> => {
    const stored = await storedCoverage(tx, key);
    if (!stored) return { version: null, series: null };
    const version: BarsVersion = { bars: stored.bars, contentId: stored.contentId };
    const wanted = version.contentId !== known && version.bars <= maxBars;
    return { version, series: wanted ? await readBars(tx, key.symbol, stored.instrumentId, key.period) : null };
  }, SNAPSHOT);
}

/** The version of the stored bars, or null when there are none. */
export async function getBarsVersion(pg: PgDatabase, key: InstrumentKey): Promise<BarsVersion | null> {
  const row = storableKey(key) ? await storedCoverage(pg.db, key) : undefined;
  return row ? { bars: row.bars, contentId: row.contentId } : null;
}

/** Coverage of one instrument+period, or null when nothing is stored. */
export async function getCoverage(pg: PgDatabase, key: InstrumentKey): Promise<Coverage | null> {
  const row = storableKey(key) ? await storedCoverage(pg.db, key) : undefined;
  if (!row) return null;
  return { dataset: key.dataset, symbol: key.symbol, period: key.period, first: row.firstMs, last: row.lastMs, bars: row.bars };
}

/** Every dataset with its instruments (by symbol) and what each holds per period, in SQLite's order. */
export async function listDatasets(pg: PgDatabase): Promise<DatasetInfo[]> {
  const rows = await pg.db
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
    // SQLite compares text byte by byte (BINARY) and puts NULL first; the database's own collation
    // may not (en_US sorts 'a' before 'B'), so say both.
    .orderBy(sql`${datasets.id} collate "C"`, sql`${instruments.symbol} collate "C" nulls first`, sql`${coverage.period} collate "C" nulls first`);
  return groupDatasets(rows);
}

/**
 * A range bound as a bigint parameter. Stored chunk times are whole numbers within ±MAX_TIME
 * (checkStorable), so rounding up keeps `start_ms < to` and `end_ms >= from` as they were for any
 * real bound, and clamping to ±2^53 keeps them for bounds beyond every stored time.
 */
function bigintBound(x: number): number {
  return Math.min(2 ** 53, Math.max(-(2 ** 53), Math.ceil(x)));
}

/** Chunks overlapping [from, to); as on the SQLite side, a bound that is not finite does not filter. */
export function overlapsRange(from: number, to: number) {
  return and(
    Number.isFinite(to) ? lt(barChunks.startMs, bigintBound(to)) : undefined,
    Number.isFinite(from) ? gte(barChunks.endMs, bigintBound(from)) : undefined,
  );
}

/** Bars with from <= time < to of one stored instrument+period (none in range: an empty series). */
async function readBars(tx: PgTx, symbol: string, instrumentId: number, period: BarPeriod, from = -Infinity, to = Infinity): Promise<BarSeries> {
  const chunks = await tx
    .select({
      startMs: barChunks.startMs,
      endMs: barChunks.endMs,
      count: barChunks.count,
      time: barChunks.time,
      open: barChunks.open,
      high: barChunks.high,
      low: barChunks.low,
      close: barChunks.close,
      volume: barChunks.volume,
    })
    .from(barChunks)
    .where(and(eq(barChunks.instrumentId, instrumentId), eq(barChunks.period, period), overlapsRange(from, to)))
    .orderBy(asc(barChunks.startMs));
  // As ../bar-store.ts loadBars: only the first and last chunk can straddle a boundary, and only
  // they are cut, by their stored start and end; everything between is copied whole.
  const spans = chunks.map((c, i) => {
    let lo = 0;
    let hi = c.count;
    const cutLo = i === 0 && c.startMs < from;
    const cutHi = i === chunks.length - 1 && c.endMs >= to;
    if (cutLo || cutHi) {
      const time = float64View(c.time);
      if (cutLo) lo = lowerBound(time, from);
      if (cutHi) hi = lowerBound(time, to, lo);
    }
    return { c, lo, hi };
  });
  const total = spans.reduce((n, s) => n + s.hi - s.lo, 0);
  const out = allocateBarSeries(symbol, total);
  let at = 0;
  for (const { c, lo, hi } of spans) {
    if (hi <= lo) continue;
    for (const column of BAR_COLUMNS) copyFloat64(c[column], lo, out[column], at, hi - lo);
    at += hi - lo;
  }
  return out;
}

/** The instrument and its coverage of key's period, or undefined when nothing is stored. */
async function storedCoverage(tx: PgTx, key: InstrumentKey) {
  const rows = await tx
    .select({ instrumentId: instruments.id, firstMs: coverage.firstMs, lastMs: coverage.lastMs, bars: coverage.bars, contentId: coverage.contentId })
    .from(instruments)
    .innerJoin(coverage, and(eq(coverage.instrumentId, instruments.id), eq(coverage.period, key.period)))
    .where(and(eq(instruments.datasetId, key.dataset), eq(instruments.symbol, key.symbol)));
  return rows[0];
}

async function findInstrument(tx: PgTx, dataset: string, symbol: string): Promise<number | undefined> {
  const rows = await tx
    .select({ id: instruments.id })
    .from(instruments)
    .where(and(eq(instruments.datasetId, dataset), eq(instruments.symbol, symbol)));
  return rows[0]?.id;
}

/** Under lockMarketWrites: nothing else creates or deletes datasets or instruments meanwhile. */
async function ensureInstrument(tx: PgTx, dataset: string, symbol: string, name?: string): Promise<number> {
  const ds = tx.insert(datasets).values({ id: dataset, name: name ?? dataset });
  if (name === undefined) await ds.onConflictDoNothing();
  else await ds.onConflictDoUpdate({ target: datasets.id, set: { name } });
  // Looked up first: an insert that conflicts would still use up an identity value.
  const found = await findInstrument(tx, dataset, symbol);
  if (found !== undefined) return found;
  const [created] = await tx.insert(instruments).values({ datasetId: dataset, symbol }).returning({ id: instruments.id });
  return created!.id;
}

async function coverageRow(tx: PgTx, instrumentId: number, period: BarPeriod) {
  const rows = await tx
    .select()
    .from(coverage)
    .where(and(eq(coverage.instrumentId, instrumentId), eq(coverage.period, period)));
  return rows[0];
}
