/**
 * The Postgres market-data store (src/data/pg/: bar-store, bar-columns, dataset-admin, demo)
 * against a real PostgreSQL 15 (test/support/postgres-server.ts), differentially: every operation
 * runs on Postgres and on the SQLite store (a real temp file, the reference implementation), and
 * the results, errors included, must be equal; bars bit for bit (SHA-256 of every column's bytes,
 * NaN payloads and -0 included). Loads are also checked against slices of the written series. The
 * documented differences (times Postgres's bigint cannot hold, NUL characters) are pinned as such.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateBarSeries, sliceBarSeries, type BarPeriod, type BarSeries } from '../src/engine/bars.js';
import { loadBarColumns } from '../src/data/bar-columns.js';
import { CHUNK_BARS, getBarsVersion, getCoverage, listDatasets, loadBars, writeBars, type InstrumentKey, type LoadBarsInput, type WriteBarsInput } from '../src/data/bar-store.js';
import { DatasetAdminError, deleteDataset, renameDataset } from '../src/data/dataset-admin.js';
import { openDatabase, type AppDatabase } from '../src/data/db.js';
import { seedDemoData, SYNTHETIC_BARS } from '../src/data/demo.js';
import { BarsExistError, BarsNotFoundError, InvalidBarsError } from '../src/data/errors.js';
import * as pgColumns from '../src/data/pg/bar-columns.js';
import * as pgBars from '../src/data/pg/bar-store.js';
import * as pgAdmin from '../src/data/pg/dataset-admin.js';
import * as pgDemo from '../src/data/pg/demo.js';
import { openPostgres, type PgDatabase } from '../src/data/postgres-db.js';
import * as liteSchema from '../src/data/schema/index.js';
import * as pgSchema from '../src/data/schema-pg/index.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { createDatabase, requirePostgres, startPostgres, type PostgresServer } from './support/postgres-server.js';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
const MINUTE = 60_000;

const bytesOf = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const digest = (a: Float64Array) => createHash('sha256').update(bytesOf(a)).digest('hex');

/** A series as its exact bits: equal iff every column holds the same bytes. */
function bits(s: BarSeries) {
  return { symbol: s.symbol, length: s.length, ...Object.fromEntries(COLUMNS.map((c) => [c, `${s[c].length}:${digest(s[c])}`])) };
}

interface ErrorShape {
  readonly type: string;
  readonly message: string;
  readonly problem?: unknown;
  readonly field?: unknown;
}
type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorShape };

/** The class (the known ones by identity), message and, for DatasetAdminError, problem and field. */
function errorShape(e: unknown): ErrorShape {
  const known = [BarsExistError, BarsNotFoundError, InvalidBarsError, DatasetAdminError];
  const cls = known.find((k) => e instanceof k);
  const type = cls ? cls.name : `unexpected ${(e as Error)?.constructor?.name}`;
  const base = { type, message: (e as Error).message };
  return e instanceof DatasetAdminError ? { ...base, problem: e.problem, field: e.field } : base;
}

const invalid = (message: string) => ({ ok: false, error: { type: 'InvalidBarsError', message } });

async function outcome<T>(f: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: errorShape(e) };
  }
}

/** Runs the SQLite reference, then Postgres; their outcomes (through `view`) must be equal. */
async function same<T>(lite: () => T, post: () => Promise<T>, view: (v: T) => unknown = (v) => v): Promise<Outcome<T>> {
  const a = await outcome(lite);
  const b = await outcome(post);
  const shown = (o: Outcome<T>) => (o.ok ? { ok: true, value: view(o.value) } : o);
  expect(shown(b)).toEqual(shown(a));
  return b;
}

/** Bars one minute apart; OHLCV from a seeded walk, with special values planted in `special` rows. */
function minuteSeries(symbol: string, n: number, start = Date.UTC(2021, 0, 4), seed = 5): BarSeries {
  const s = generateSyntheticBars({ symbol, bars: n, period: 'MINUTE', seed, start });
  for (let i = 0; i < n; i++) s.time[i] = start + i * MINUTE;
  return s;
}

/** Writes raw bit patterns SQLite's blobs keep as they are: NaN payloads, -0, infinities. */
function plantSpecials(s: BarSeries): void {
  const patterns = [0x7ff8000000000123n, 0x7ff0000000000001n, 0xfff8000000000000n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n];
  const at = [0, 1, CHUNK_BARS - 1, CHUNK_BARS, s.length - 1].filter((i) => i < s.length);
  for (const i of at) {
    for (const [k, c] of (['open', 'high', 'low', 'close', 'volume'] as const).entries()) {
      new DataView(s[c].buffer, s[c].byteOffset + i * 8, 8).setBigUint64(0, patterns[(i + k) % patterns.length]!, true);
    }
  }
}

describe.runIf(requirePostgres())('Postgres market data store, differential against SQLite', () => {
  let server: PostgresServer;
  let db: PgDatabase;
  let app: AppDatabase;
  let dir: string;

  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres((await createDatabase(server.url)).url);
    dir = mkdtempSync(join(tmpdir(), 'backtest-pg-bars-'));
    app = openDatabase(join(dir, 'reference.db'));
  });

  afterAll(async () => {
    app?.close();
    await db?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const write = (input: WriteBarsInput) => same(() => writeBars(app, input), () => pgBars.writeBars(db, input));
  const load = (input: LoadBarsInput) => same(() => loadBars(app, input), () => pgBars.loadBars(db, input), bits);
  const loadColumns = (input: LoadBarsInput) => same(() => loadBarColumns(app, input), () => pgColumns.loadBarColumns(db, input), bits);
  const coverageOf = (key: InstrumentKey) => same(() => getCoverage(app, key), () => pgBars.getCoverage(db, key));
  /** Rows of every market table: nothing left behind on one side only. */
  const sameRowCounts = async () => {
    for (const name of ['datasets', 'instruments', 'bar_chunks', 'coverage']) {
      const lite = app.sqlite.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number };
      const post = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
      expect(post.rows[0]!.n, name).toBe(lite.n);
    }
  };
  const datasetsListed = () => same(() => listDatasets(app), () => pgBars.listDatasets(db));
  /** Content ids are random per database: only that both have a version, and its bar count. */
  const versionOf = async (key: InstrumentKey) => {
    const lite = getBarsVersion(app, key);
    const post = await pgBars.getBarsVersion(db, key);
    expect(post?.bars).toEqual(lite?.bars);
    expect(post === null).toBe(lite === null);
    if (post !== null) expect(Number.isSafeInteger(post.contentId) && post.contentId >= 1 && post.contentId < 2 ** 52).toBe(true);
    return post;
  };

  describe('writing', () => {
    const key = { dataset: 'w', symbol: 'MULTI', period: 'MINUTE' as const };
    const first = minuteSeries('MULTI', 2 * CHUNK_BARS + 500);
    plantSpecials(first);

    it('writes a multi-chunk series with the same coverage, and loads back its exact bits', async () => {
      const written = await write({ ...key, series: first, datasetName: 'Writes' });
      expect(written).toEqual({ ok: true, value: { ...key, first: first.time[0], last: first.time[first.length - 1], bars: first.length } });
      await coverageOf(key);
      await versionOf(key);
      const loaded = await load(key);
      // And against the written series itself, not only the reference.
      expect(loaded.ok && bits(loaded.value)).toEqual(bits(first));
      const rows = await db.db.select({ count: pgSchema.barChunks.count }).from(pgSchema.barChunks).orderBy(pgSchema.barChunks.startMs);
      expect(rows.map((r) => r.count)).toEqual([CHUNK_BARS, CHUNK_BARS, 500]);
    });

    it('refuses an overlapping write without replace, keeping the bars and the dataset name', async () => {
      const before = await versionOf(key);
      const refused = await write({ ...key, series: minuteSeries('MULTI', 10), datasetName: 'Renamed by a refused write' });
      expect(refused).toEqual({ ok: false, error: { type: 'BarsExistError', message: `w/MULTI already has ${first.length} MINUTE bars; use replace to overwrite them` } });
      expect(await versionOf(key)).toEqual(before);
      const listed = await datasetsListed();
      expect(listed.ok && listed.value.find((d) => d.id === 'w')?.name).toBe('Writes');
    });

    it('replaces: new coverage, a new content id, no chunk of the old series left', async () => {
      const before = await versionOf(key);
      const second = minuteSeries('MULTI', CHUNK_BARS + 3, Date.UTC(2021, 5, 1), 9);
      await write({ ...key, series: second, replace: true });
      const after = await versionOf(key);
      expect(after!.contentId).not.toBe(before!.contentId);
      expect(after!.bars).toBe(CHUNK_BARS + 3);
      expect(await coverageOf(key)).toEqual({ ok: true, value: { ...key, first: second.time[0], last: second.time[second.length - 1], bars: second.length } });
      const loaded = await load(key);
      expect(loaded.ok && bits(loaded.value)).toEqual(bits(second));
      // Replacing the same bars again still gives a new id: a cache must never keep the old copy.
      await write({ ...key, series: second, replace: true });
      expect((await versionOf(key))!.contentId).not.toBe(after!.contentId);
    });

    it('sets the dataset name when given, keeps it when not', async () => {
      await write({ dataset: 'named', symbol: 'A', period: 'DAY', series: minuteSeries('A', 3) });
      await write({ dataset: 'named', symbol: 'B', period: 'DAY', series: minuteSeries('B', 3), datasetName: 'Named set' });
      await write({ dataset: 'named', symbol: 'C', period: 'DAY', series: minuteSeries('C', 3) });
      const listed = await datasetsListed();
      expect(listed.ok && listed.value.find((d) => d.id === 'named')?.name).toBe('Named set');
    });

    it('refuses bad series with the same errors', async () => {
      const k = { dataset: 'bad', symbol: 'X', period: 'MINUTE' as const };
      const unordered = minuteSeries('X', 5);
      unordered.time[3] = unordered.time[2]!;
      const nan = minuteSeries('X', 5);
      nan.time[4] = NaN;
      for (const series of [allocateBarSeries('X', 0), unordered, nan]) {
        const o = await write({ ...k, series });
        expect(o.ok ? null : o.error.type).toBe('InvalidBarsError');
      }
      expect(await coverageOf(k)).toEqual({ ok: true, value: null });
    });

    it('two concurrent writes of the same instrument: one stores, the other is refused', async () => {
      const k = { dataset: 'race', symbol: 'R', period: 'MINUTE' as const };
      const results = await Promise.allSettled([pgBars.writeBars(db, { ...k, series: minuteSeries('R', 1000) }), pgBars.writeBars(db, { ...k, series: minuteSeries('R', 2000) })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(BarsExistError);
      const stored = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ bars: number }>).value.bars;
      expect((await pgBars.loadBars(db, k)).length).toBe(stored);
      await pgAdmin.deleteDataset(db, 'race'); // written on the Postgres side only
    });
  });

  describe('what Postgres cannot hold (documented differences)', () => {
    it('refuses times that are not whole ms within ±(2^53 - 1), which SQLite stores as REAL', async () => {
      for (const [i, t] of [
        [1, 1.5],
        [2, 2 ** 60],
      ] as const) {
        const s = minuteSeries('F', 3, 0);
        s.time[i] = t;
        if (i === 1) s.time[2] = 2 * MINUTE;
        const input = { dataset: `frac${i}`, symbol: 'F', period: 'MINUTE' as const, series: s };
        expect(writeBars(app, input).bars).toBe(3);
        expect(await outcome(() => pgBars.writeBars(db, input))).toEqual(invalid(`bar ${i}: time ${t} is not a whole number of epoch ms within ±${Number.MAX_SAFE_INTEGER} (Postgres stores bar times as bigint)`));
        expect(await pgBars.getCoverage(db, input)).toBeNull();
        deleteDataset(app, input.dataset);
      }
    });

    it('refuses NUL characters in the dataset id, symbol or name; reads of such keys find nothing', async () => {
      const series = minuteSeries('N', 3);
      const inputs: Array<[WriteBarsInput, string]> = [
        [{ dataset: 'nul\u0000', symbol: 'N', period: 'DAY', series }, 'dataset id must not contain NUL characters'],
        [{ dataset: 'nul', symbol: 'N\u0000', period: 'DAY', series }, 'symbol must not contain NUL characters'],
        [{ dataset: 'nul', symbol: 'N', period: 'DAY', series, datasetName: 'a\u0000b' }, 'dataset name must not contain NUL characters'],
      ];
      for (const [input, message] of inputs) expect(await outcome(() => pgBars.writeBars(db, input))).toEqual(invalid(message));
      const key = { dataset: 'nul\u0000', symbol: 'N', period: 'DAY' as const };
      // Nothing is stored under such keys on either side, so both answer alike.
      await same(() => loadBars(app, key), () => pgBars.loadBars(db, key), bits);
      await loadColumns(key);
      await coverageOf(key);
      await versionOf(key);
      await same(() => deleteDataset(app, 'x\u0000'), () => pgAdmin.deleteDataset(db, 'x\u0000'));
      await same(() => renameDataset(app, 'x\u0000', 'fine'), () => pgAdmin.renameDataset(db, 'x\u0000', 'fine'));
      expect(await pgBars.readBarsSnapshot(db, key)).toEqual({ version: null, series: null });
    });

    it('refuses a key too long for a Postgres index with InvalidBarsError', async () => {
      // Random, so that Postgres cannot compress the index entry below its limit.
      const symbol = randomBytes(3000).toString('base64');
      const input = { dataset: 'long', symbol, period: 'DAY' as const, series: minuteSeries('S', 2) };
      expect(await outcome(() => pgBars.writeBars(db, input))).toEqual(invalid(`dataset id and symbol are too long for Postgres to index (${4 + symbol.length} bytes)`));
      expect(await pgBars.getCoverage(db, input)).toBeNull();
      await sameRowCounts();
    });

    it('refuses lone surrogates, which SQLite stores as bytes that read back as three U+FFFD', async () => {
      const cases: Array<[WriteBarsInput, string]> = [
        [{ dataset: 'sur\ud800', symbol: 'X', period: 'DAY', series: minuteSeries('X', 2) }, 'dataset id'],
        [{ dataset: 'sur', symbol: 'X\udc00', period: 'DAY', series: minuteSeries('X', 2) }, 'symbol'],
        [{ dataset: 'sur', symbol: 'X', period: 'DAY', series: minuteSeries('X', 2), datasetName: 'n\ud800x' }, 'dataset name'],
      ];
      for (const [input, field] of cases) {
        expect(await outcome(() => pgBars.writeBars(db, input))).toEqual(invalid(`${field} must be well-formed Unicode (it has a lone surrogate)`));
      }
      // What SQLite does with it: not the text it was given.
      writeBars(app, cases[1]![0]);
      expect(listDatasets(app).find((d) => d.id === 'sur')?.instruments.map((i) => i.symbol)).toEqual(['X\ufffd\ufffd\ufffd']);
      deleteDataset(app, 'sur');
      // A well-formed surrogate pair is stored and listed as it is, on both sides.
      await write({ dataset: 'sur', symbol: 'X\ud83d\ude00', period: 'DAY', series: minuteSeries('X', 2) });
      const listed = await datasetsListed();
      expect(listed.ok && listed.value.find((d) => d.id === 'sur')?.instruments.map((i) => i.symbol)).toEqual(['X😀']);
      expect((await pgAdmin.renameDataset(db, 'sur', 'a\ud800').catch((e: DatasetAdminError) => e.problem))).toEqual({ kind: 'bad-name', reason: 'must be well-formed Unicode (it has a lone surrogate)' });
      // Keys that cannot be stored find nothing.
      const key = { dataset: 'sur', symbol: 'X\ud83d', period: 'DAY' as const };
      await load(key);
      await coverageOf(key);
      await same(() => deleteDataset(app, 'sur\ud800'), () => pgAdmin.deleteDataset(db, 'sur\ud800'));
    });
  });

  describe('ranged loads', () => {
    const key = { dataset: 'ranges', symbol: 'RNG', period: 'MINUTE' as const };
    const N = 2 * CHUNK_BARS + 100;
    const series = minuteSeries('RNG', N, Date.UTC(2022, 0, 3), 21);
    plantSpecials(series);
    const t = (i: number) => series.time[0]! + i * MINUTE;
    const C = CHUNK_BARS;

    beforeAll(async () => {
      await write({ ...key, series });
    });

    // [from, to) as bar positions, with the bars expected by hand: the slice [a, b) of the written series.
    const finite: Array<[string, number | undefined, number | undefined, number, number]> = [
      ['everything', undefined, undefined, 0, N],
      ['from a chunk start', t(C), undefined, C, N],
      ['to a chunk start', undefined, t(C), 0, C],
      ['exactly the middle chunk', t(C), t(2 * C), C, 2 * C],
      ['one bar each side of a boundary', t(C - 1), t(C + 1), C - 1, C + 1],
      ['a chunk end, inclusive', t(C - 1), t(C), C - 1, C],
      ['across all three chunks', t(5), t(2 * C + 5), 5, 2 * C + 5],
      ['the last bar', t(N - 1), t(N), N - 1, N],
      ['between bars (fractional ms)', t(C) - 0.5, t(C + 2) + 0.5, C, C + 3],
      ['between bars', t(C) + 1, t(C + 2) - 1, C + 1, C + 2],
      ['before the data', t(-100), t(0), 0, 0],
      ['after the data', t(N), t(N + 100), N, N],
      ['empty: from = to', t(10), t(10), 10, 10],
      ['empty: from > to', t(C + 10), t(C - 10), 0, 0],
      ['wide finite bounds', -1e300, 1e300, 0, N],
      ['bounds beyond 2^53', 2 ** 60, 2 ** 61, N, N],
    ];

    it.each(finite)('loadBars %s: same bits as SQLite and as the slice', async (_name, from, to, a, b) => {
      const o = await load({ ...key, from, to });
      expect(o.ok && bits(o.value)).toEqual(bits(sliceBarSeries(series, a, Math.max(a, b))));
    });

    it.each(finite)('loadBarColumns %s: same bits as SQLite and as the slice, no open or volume', async (_name, from, to, a, b) => {
      const o = await loadColumns({ ...key, from, to });
      const slice = sliceBarSeries(series, a, Math.max(a, b));
      expect(o.ok && bits(o.value)).toEqual(bits({ ...slice, open: new Float64Array(0), volume: new Float64Array(0) }));
    });

    // Bounds that are not finite do not filter the chunks, and SQLite's cuts then answer oddly
    // (from = Infinity drops only the first chunk): Postgres answers the same.
    const odd: Array<[string, number | undefined, number | undefined]> = [
      ['from -Infinity', -Infinity, undefined],
      ['to Infinity', undefined, Infinity],
      ['from Infinity', Infinity, undefined],
      ['to -Infinity', undefined, -Infinity],
      ['from NaN', NaN, t(C)],
      ['to NaN', t(C), NaN],
    ];
    it.each(odd)('non-finite bound %s: same as SQLite', async (_name, from, to) => {
      await load({ ...key, from, to });
      await loadColumns({ ...key, from, to });
    });

    it('unknown dataset, symbol or period: BarsNotFoundError from loadBars, an empty series from loadBarColumns', async () => {
      for (const k of [{ ...key, dataset: 'nope' }, { ...key, symbol: 'NOPE' }, { ...key, period: 'DAY' as const }]) {
        const o = await load(k);
        expect(o.ok ? null : o.error).toEqual({ type: 'BarsNotFoundError', message: `no ${k.period} bars for ${k.dataset}/${k.symbol}` });
        const c = await loadColumns(k);
        expect(c.ok && c.value.length).toBe(0);
      }
    });
  });

  describe('listing', () => {
    it('lists datasets, instruments and periods in SQLite (byte) order, mixed case and non-ASCII included', async () => {
      const ids = ['Zeta', 'alpha', 'Alpha', 'beta', '_u'];
      const symbols = ['b', 'B', 'a', 'A', '_x', 'Z', 'é', 'E', '😀', 'ｚ', 'a1', 'a-'];
      for (const dataset of ids) {
        for (const symbol of symbols) {
          await write({ dataset, symbol, period: 'MINUTE', series: minuteSeries(symbol, 2) });
          if (symbol === 'a') await write({ dataset, symbol, period: 'DAY', series: minuteSeries(symbol, 4) });
        }
      }
      const listed = await datasetsListed();
      const alpha = listed.ok ? listed.value.find((d) => d.id === 'alpha')! : null;
      // Byte order of UTF-8, written out by hand: upper case before '_', before lower case, before non-ASCII.
      expect(alpha?.instruments.map((i) => i.symbol)).toEqual(['A', 'B', 'E', 'Z', '_x', 'a', 'a-', 'a1', 'b', 'é', 'ｚ', '😀']);
      expect(alpha?.instruments.find((i) => i.symbol === 'a')?.coverage.map((c) => c.period)).toEqual(['DAY', 'MINUTE']);
    });

    it('keeps that order on a database whose default collation is not C (ICU en-US)', async () => {
      const name = `icu_${process.pid}`;
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`);
      } finally {
        await admin.end();
      }
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      const icu = await openPostgres(url.toString(), { max: 2 });
      try {
        const symbols = ['b', 'B', 'a', 'A'];
        for (const symbol of symbols) await pgBars.writeBars(icu, { dataset: 'd', symbol, period: 'DAY', series: minuteSeries(symbol, 2) });
        // The database's own order differs, so the test can tell a missing COLLATE "C".
        const plain = await icu.pool.query<{ symbol: string }>('SELECT symbol FROM instruments ORDER BY symbol');
        expect(plain.rows.map((r) => r.symbol)).toEqual(['a', 'A', 'b', 'B']);
        const listed = await pgBars.listDatasets(icu);
        expect(listed[0]!.instruments.map((i) => i.symbol)).toEqual(['A', 'B', 'a', 'b']);
      } finally {
        await icu.close();
      }
    });
  });

  describe('deleting and renaming datasets', () => {
    const runRow = (dataset: string, status: liteSchema.RunStatus) => ({
      strategy: 'sma-cross',
      params: '{}',
      symbols: '["A"]',
      dataset,
      period: 'DAY' as const,
      initialCash: 10_000,
      commission: '{}',
      slippageBps: 0,
      status,
      createdAt: 1,
    });
    const sweepRow = (dataset: string, status: liteSchema.RunStatus) => ({
      strategy: 'sma-cross',
      baseParams: '{}',
      grid: '{}',
      symbols: '["A"]',
      dataset,
      period: 'DAY' as const,
      initialCash: 10_000,
      commission: '{}',
      slippageBps: 0,
      periodsPerYear: 252,
      objective: 'sharpe',
      maximize: true,
      keepTop: 1,
      total: 1,
      skipped: 0,
      status,
      createdAt: 1,
    });
    /** The same rows in both databases: ids are given out in the same order on both sides. */
    const addRun = async (dataset: string, status: liteSchema.RunStatus) => {
      const a = app.db.insert(liteSchema.runs).values(runRow(dataset, status)).returning({ id: liteSchema.runs.id }).get();
      const [b] = await db.db.insert(pgSchema.runs).values(runRow(dataset, status)).returning({ id: pgSchema.runs.id });
      expect(b!.id).toBe(a.id);
      return a.id;
    };
    const addSweep = async (dataset: string, status: liteSchema.RunStatus) => {
      const a = app.db.insert(liteSchema.sweeps).values(sweepRow(dataset, status)).returning({ id: liteSchema.sweeps.id }).get();
      const [b] = await db.db.insert(pgSchema.sweeps).values(sweepRow(dataset, status)).returning({ id: pgSchema.sweeps.id });
      expect(b!.id).toBe(a.id);
      return a.id;
    };
    const setRunStatus = async (id: number, status: liteSchema.RunStatus) => {
      app.db.update(liteSchema.runs).set({ status }).where(eq(liteSchema.runs.id, id)).run();
      await db.db.update(pgSchema.runs).set({ status }).where(eq(pgSchema.runs.id, id));
    };
    const setSweepStatus = async (id: number, status: liteSchema.RunStatus) => {
      app.db.update(liteSchema.sweeps).set({ status }).where(eq(liteSchema.sweeps.id, id)).run();
      await db.db.update(pgSchema.sweeps).set({ status }).where(eq(pgSchema.sweeps.id, id));
    };
    const del = (id: string) => same(() => deleteDataset(app, id), () => pgAdmin.deleteDataset(db, id));
    const rename = (id: string, name: string) => same(() => renameDataset(app, id, name), () => pgAdmin.renameDataset(db, id, name));

    it('refuses to delete a dataset in use by queued or running runs and sweeps, listing them alike', async () => {
      await write({ dataset: 'busy', symbol: 'A', period: 'DAY', series: minuteSeries('A', CHUNK_BARS + 7) });
      await write({ dataset: 'busy', symbol: 'B', period: 'MINUTE', series: minuteSeries('B', 30) });
      await write({ dataset: 'busy', symbol: 'B', period: 'DAY', series: minuteSeries('B', 20) });
      // A RUNNING run with a lower id than the QUEUED ones: SQLite lists QUEUED first.
      const r1 = await addRun('busy', 'QUEUED');
      await setRunStatus(r1, 'RUNNING');
      const done = await addRun('busy', 'COMPLETED');
      const r2 = await addRun('busy', 'QUEUED');
      const r3 = await addRun('busy', 'QUEUED');
      await addRun('other', 'QUEUED');
      const s1 = await addSweep('busy', 'RUNNING');
      const refused = await del('busy');
      expect(refused.ok ? null : refused.error.problem).toEqual({ kind: 'in-use', id: 'busy', runs: [r2, r3, r1], sweeps: [s1] });
      expect(refused.ok ? null : refused.error.field).toBe('id');

      for (const id of [r1, r2, r3]) await setRunStatus(id, 'CANCELLED');
      const onlySweep = await del('busy');
      expect(onlySweep.ok ? null : onlySweep.error.problem).toEqual({ kind: 'in-use', id: 'busy', runs: [], sweeps: [s1] });
      await setSweepStatus(s1, 'FAILED');

      const deleted = await del('busy');
      expect(deleted).toEqual({ ok: true, value: { id: 'busy', name: 'busy', instruments: 2, bars: CHUNK_BARS + 7 + 30 + 20 } });
      await datasetsListed();
      await sameRowCounts();
      // Finished runs keep their rows.
      expect((await db.db.select().from(pgSchema.runs).where(eq(pgSchema.runs.id, done))).length).toBe(1);
      expect(await del('busy')).toEqual({ ok: false, error: { type: 'DatasetAdminError', message: 'no dataset with id "busy"', problem: { kind: 'not-found', id: 'busy' }, field: 'id' } });
      await del('x'.repeat(100));
    });

    it('waits for a run being queued in another transaction, then refuses', async () => {
      await write({ dataset: 'queued-meanwhile', symbol: 'A', period: 'DAY', series: minuteSeries('A', 5) });
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        const { rows } = await other.query<{ id: number }>(
          `INSERT INTO runs (strategy, params, symbols, dataset, period, initial_cash, commission, slippage_bps, status, created_at)
           VALUES ('sma-cross', '{}', '["A"]', 'queued-meanwhile', 'DAY', 1000, '{}', 0, 'QUEUED', 1) RETURNING id`,
        );
        let settled = false;
        const deleting = pgAdmin.deleteDataset(db, 'queued-meanwhile').then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        void deleting.finally(() => (settled = true));
        // Until the delete waits for the uncommitted insert's lock on runs (without that lock it
        // would not wait, but finish and delete: the test then fails below).
        while (!settled) {
          const waiting = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'lock table%'`);
          if (waiting.rows[0].n > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        await other.query('COMMIT');
        const result = await deleting;
        expect(result.ok).toBe(false);
        expect(!result.ok && (result.e as DatasetAdminError).problem).toEqual({ kind: 'in-use', id: 'queued-meanwhile', runs: [rows[0]!.id], sweeps: [] });
        await other.query(`UPDATE runs SET status = 'FAILED' WHERE id = $1`, [rows[0]!.id]);
        expect((await pgAdmin.deleteDataset(db, 'queued-meanwhile')).instruments).toBe(1);
      } finally {
        await other.end();
      }
      deleteDataset(app, 'queued-meanwhile');
    });

    it('renames with the same rules: trimmed, checked, unique ignoring case (Unicode too)', async () => {
      await write({ dataset: 'ren-a', symbol: 'A', period: 'DAY', series: minuteSeries('A', 2), datasetName: 'Ärger' });
      await write({ dataset: 'ren-b', symbol: 'A', period: 'DAY', series: minuteSeries('A', 2) });
      expect(await rename('ren-b', '  New name  ')).toEqual({ ok: true, value: { id: 'ren-b', name: 'New name', previousName: 'ren-b' } });
      for (const bad of ['   ', 'x'.repeat(101), 'tab\there', 'nul\u0000', 42 as unknown as string]) {
        const r = await rename('ren-b', bad);
        expect(r.ok ? null : r.error.field).toBe('name');
      }
      const clash = await rename('ren-b', 'äRGER');
      expect(clash.ok ? null : clash.error.message).toBe('name "äRGER" is already the name of dataset ren-a');
      expect(await rename('ren-a', 'ärger')).toEqual({ ok: true, value: { id: 'ren-a', name: 'ärger', previousName: 'Ärger' } });
      const missing = await rename('ren-missing', 'Fine');
      expect(missing.ok ? null : missing.error.problem).toEqual({ kind: 'not-found', id: 'ren-missing' });
      await datasetsListed();
    });
  });

  describe('snapshot reads for the bar cache', () => {
    const key = { dataset: 'snap', symbol: 'S', period: 'MINUTE' as const };
    /** Generation g: 1000 + g bars, every close = g; a snapshot that mixes two writes shows it. */
    const generation = (g: number) => {
      const s = minuteSeries('S', 1000 + g);
      s.close.fill(g);
      return s;
    };

    it('answers nothing for nothing stored, then the version with the whole series', async () => {
      expect(await pgBars.readBarsSnapshot(db, key)).toEqual({ version: null, series: null });
      await write({ ...key, series: generation(0) });
      const snap = await pgBars.readBarsSnapshot(db, { ...key, from: 5, to: 6 } as InstrumentKey);
      expect(snap.version).toEqual(await pgBars.getBarsVersion(db, key));
      expect(bits(snap.series!)).toEqual(bits(loadBars(app, key)));
      expect(await pgBars.readBarsSnapshot(db, key, { known: snap.version!.contentId })).toEqual({ version: snap.version, series: null });
      expect(await pgBars.readBarsSnapshot(db, key, { maxBars: 999 })).toEqual({ version: snap.version, series: null });
      expect((await pgBars.readBarsSnapshot(db, key, { known: 1, maxBars: 1000 })).series?.length).toBe(1000);
    });

    it('never mixes the version of one write with the bars of another', async () => {
      let writing = true;
      const writer = (async () => {
        for (let g = 1; g <= 25; g++) await pgBars.writeBars(db, { ...key, series: generation(g), replace: true });
        writing = false;
      })();
      const seen = new Set<number>();
      const readers = [0, 1].map(async () => {
        while (writing) {
          const { version, series } = await pgBars.readBarsSnapshot(db, key);
          expect(series!.length).toBe(version!.bars);
          const g = version!.bars - 1000;
          expect(series!.close.every((c) => c === g)).toBe(true);
          seen.add(g);
        }
      });
      await Promise.all([writer, ...readers]);
      const last = await pgBars.readBarsSnapshot(db, key);
      expect(last.series!.length).toBe(1025);
      expect(seen.size).toBeGreaterThan(0);
      writeBars(app, { ...key, series: generation(25), replace: true }); // the reference catches up
      await load(key);
      await sameRowCounts();
    });
  });

  describe('demo data', () => {
    let lite: AppDatabase;
    let fresh: PgDatabase;
    let fresh2: PgDatabase;

    beforeAll(async () => {
      lite = openDatabase(join(dir, 'demo.db'));
      const url = (await createDatabase(server.url)).url;
      fresh = await openPostgres(url);
      fresh2 = await openPostgres(url);
    });
    afterAll(async () => {
      lite?.close();
      await fresh?.close();
      await fresh2?.close();
    });

    it('seeds an empty database once, from two pools at once, with the same datasets and bars as SQLite', async () => {
      expect(seedDemoData(lite)).toEqual({ seeded: true });
      const results = await Promise.all([pgDemo.seedDemoData(fresh), pgDemo.seedDemoData(fresh2)]);
      expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
      const listed = await pgBars.listDatasets(fresh);
      expect(listed).toEqual(listDatasets(lite));
      expect(listed.map((d) => d.id)).toEqual(['demo', 'synthetic', 'synthetic-daily']);
      for (const d of listed) {
        for (const i of d.instruments) {
          for (const c of i.coverage) {
            const k = { dataset: d.id, symbol: i.symbol, period: c.period as BarPeriod };
            expect(bits(await pgBars.loadBars(fresh, k)), `${d.id}/${i.symbol}`).toEqual(bits(loadBars(lite, k)));
          }
        }
      }
      expect(listed.find((d) => d.id === 'synthetic')!.instruments[0]!.coverage[0]!.bars).toBe(SYNTHETIC_BARS);
    });

    it('is a no-op the second time: nothing rewritten', async () => {
      const key = { dataset: 'synthetic', symbol: 'AAA', period: 'MINUTE' as const };
      const before = await pgBars.getBarsVersion(fresh, key);
      expect(await pgDemo.seedDemoData(fresh)).toEqual({ seeded: false });
      expect(seedDemoData(lite)).toEqual({ seeded: false });
      expect(await pgBars.getBarsVersion(fresh, key)).toEqual(before);
    });

    it('does not seed a database that holds any dataset', async () => {
      expect(await pgDemo.seedDemoData(db)).toEqual({ seeded: false });
      expect(seedDemoData(app)).toEqual({ seeded: false });
      await datasetsListed();
      await sameRowCounts();
    });
  });
});
