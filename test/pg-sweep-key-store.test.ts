/**
 * The Postgres sweep and API key stores (src/data/pg/sweep-store.ts, api-key-store.ts) against a
 * real PostgreSQL 15, differentially: the same operations through the SQLite stores (the reference
 * implementation) and the Postgres ones, answers equal (clock times apart), errors of the same class
 * with the same field and message. The objective order is also checked against a plain sort.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as liteKeys from '../src/data/api-key-store.js';
import { ApiKeyError } from '../src/data/api-key-store.js';
import * as pgKeys from '../src/data/pg/api-key-store.js';
import * as pgRuns from '../src/data/pg/run-store.js';
import * as pgSweeps from '../src/data/pg/sweep-store.js';
import * as liteRuns from '../src/data/run-store.js';
import type { NewRun, PageOptions } from '../src/data/run-types.js';
import * as liteSweeps from '../src/data/sweep-store.js';
import type { CombinationOutcome, NewSweep, SweepRecord, SweepResultOrder } from '../src/data/sweep-store.js';
import type { RunMetrics } from '../src/engine/results.js';
import { requirePostgres } from './support/postgres-server.js';
import { expectSame, openStorePair, withoutTimes, type StorePair } from './support/store-pair.js';

const BASE_SWEEP: NewSweep = {
  strategy: 'sma-crossover',
  baseParams: { quantity: 2 },
  grid: { fastPeriod: [5, 10, 20], slowPeriod: [50, 100] },
  symbols: ['AAA'],
  dataset: 'synthetic',
  period: 'MINUTE',
  start: null,
  end: '2020-06-30',
  initialCash: 100_000,
  commission: { perUnit: 0.005, minimumPerOrder: 1, percentOfNotional: 0 },
  slippageBps: 1,
  periodsPerYear: 98_280,
  objective: 'sharpe',
  maximize: true,
  keepTop: 3,
  total: 40,
  skipped: 2,
};

const RUN: NewRun = {
  strategy: 'sma-crossover',
  params: { fastPeriod: 5, slowPeriod: 50 },
  symbols: ['AAA'],
  dataset: 'synthetic',
  period: 'MINUTE',
  initialCash: 100_000,
  commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 },
  slippageBps: 0,
};

function metrics(sharpe: number | null, maxDrawdown: number): RunMetrics {
  return {
    finalEquity: 100_000 + (sharpe ?? 0) * 1000, totalReturn: 0.01, cagr: null, volatility: 0.2, sharpe, sortino: null,
    maxDrawdown, maxDrawdownDuration: 12, trades: 4, winRate: 0.5, profitFactor: null, totalCommission: 3.5, exposure: 0.25,
  };
}

/**
 * 40 combinations: ties, nulls, non-finite values (stored as null objective), negative values,
 * values whose order differs by the last bit, and failed combinations (no metrics).
 */
const SHARPES: (number | null)[] = [
  1.5, null, -0.25, 1.5, NaN, 0.1 + 0.2, 0.3, Infinity, -Infinity, 2, 0, -0, 1e-300, -1e300, 7.25, 1.5, null, 3, 0.30000000000000004, -2,
];
const outcomesOf = (from: number, to: number): CombinationOutcome[] =>
  Array.from({ length: to - from }, (_, k) => {
    const seq = from + k;
    const failed = seq % 7 === 6;
    return {
      seq,
      params: { quantity: 2, fastPeriod: [5, 10, 20][seq % 3], slowPeriod: 50 + seq },
      metrics: failed ? null : metrics(SHARPES[seq % SHARPES.length]!, ((seq * 37) % 11) / 100),
    };
  });

/** A second ordering, written differently: objective best first, null objective last, grid order on ties. */
function sortedByObjective(rows: { seq: number; objectiveValue: number | null }[], maximize: boolean): number[] {
  return [...rows]
    .sort((a, b) => {
      if (a.objectiveValue === null || b.objectiveValue === null) return (a.objectiveValue === null ? 1 : 0) - (b.objectiveValue === null ? 1 : 0) || a.seq - b.seq;
      const d = maximize ? b.objectiveValue - a.objectiveValue : a.objectiveValue - b.objectiveValue;
      return d !== 0 ? d : a.seq - b.seq;
    })
    .map((r) => r.seq);
}

/** What a call threw: class, field and message, to compare across sides. */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return 'no error';
  } catch (e) {
    return e instanceof ApiKeyError ? { ApiKeyError: true, field: e.field, message: e.message } : { other: String(e) };
  }
}

describe.runIf(requirePostgres())('Postgres sweep and API key stores, differentially against the SQLite ones', () => {
  let pair: StorePair;
  let t0: number;
  beforeAll(async () => {
    t0 = Date.now();
    pair = await openStorePair();
  });
  afterAll(async () => {
    await pair?.dispose();
  });

  const same = <T>(what: string, onLite: () => T | Promise<T>, onPg: () => Promise<T>): Promise<T> => expectSame(what, t0, onLite, onPg);

  describe('sweeps', () => {
    const sweeps: SweepRecord[] = [];
    const createSweep = (s: NewSweep) => same('createSweep', () => liteSweeps.createSweep(pair.app, s), () => pgSweeps.createSweep(pair.pg, s));
    const getSweep = (id: number) => same(`getSweep(${id})`, () => liteSweeps.getSweep(pair.app, id), () => pgSweeps.getSweep(pair.pg, id));
    const record = (s: SweepRecord, o: CombinationOutcome[]) =>
      same('recordSweepResults', () => liteSweeps.recordSweepResults(pair.app, s.id, s.objective, o), () => pgSweeps.recordSweepResults(pair.pg, s.id, s.objective, o));
    const results = (s: SweepRecord, order: SweepResultOrder, page?: PageOptions) =>
      same(`getSweepResults(${s.id}, ${order}, ${JSON.stringify(page)})`, () => liteSweeps.getSweepResults(pair.app, s, order, page), () => pgSweeps.getSweepResults(pair.pg, s, order, page));

    it('creates, reads, starts and lists sweeps alike', async () => {
      sweeps.push(await createSweep(BASE_SWEEP));
      sweeps.push(await createSweep({ ...BASE_SWEEP, objective: 'maxDrawdown', maximize: false, ownerKeyId: 1 }));
      sweeps.push(await createSweep({ ...BASE_SWEEP, ownerKeyId: 2, grid: { 'ключ': [0.5, 1e-9, -3] }, baseParams: {} }));
      sweeps.push(await createSweep({ ...BASE_SWEEP, ownerKeyId: 1, keepTop: 0, start: '2020-01-01' }));
      sweeps.push(await createSweep({ ...BASE_SWEEP, ownerKeyId: null }));
      expect(sweeps.map((s) => s.id)).toEqual([1, 2, 3, 4, 5]);
      expect(sweeps[1]).toMatchObject({ maximize: false, objective: 'maxDrawdown', status: 'QUEUED', completed: 0, failed: 0 });

      for (const id of [1, 3, 99, 2 ** 40, 2 ** 31, 0, -1, 2.5]) await getSweep(id);
      const started = (id: number) => same(`markSweepStarted(${id})`, () => liteSweeps.markSweepStarted(pair.app, id), () => pgSweeps.markSweepStarted(pair.pg, id));
      expect(await started(1)).toBe(true);
      expect(await started(1)).toBe(false);
      expect(await started(2)).toBe(true);
      expect(await started(2 ** 40)).toBe(false);
      await getSweep(1);

      const options = [{}, { first: 0 }, { first: 2 }, { first: 2, after: 4 }, { after: 2 }, { after: 2 ** 40 }, { after: 1 }, { ownerKeyId: 1 }, { ownerKeyId: 1, first: 1 }, { ownerKeyId: 2 ** 40 }, { after: null }];
      for (const o of options) await same(`listSweeps(${JSON.stringify(o)})`, () => liteSweeps.listSweeps(pair.app, o), () => pgSweeps.listSweeps(pair.pg, o));
    });

    it('records results in chunks and pages them by objective and by grid alike, nulls last, best-N', async () => {
      const [max, min] = [sweeps[0]!, sweeps[1]!];
      for (const s of [max, min]) {
        await record(s, outcomesOf(0, 13));
        await record(s, outcomesOf(13, 14));
        await record(s, []);
        await record(s, outcomesOf(14, 40));
      }
      expect(await getSweep(max.id)).toMatchObject({ completed: 35, failed: 5, status: 'RUNNING' });
      for (const s of [max, min]) {
        for (const order of ['OBJECTIVE', 'GRID'] as const) {
          const all = await results(s, order);
          expect(all.totalCount).toBe(35);
          const seqs = all.items.map((r) => r.seq);
          if (order === 'GRID') expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          else expect(seqs).toEqual(sortedByObjective(all.items, s.maximize));
          for (const page of [{ offset: 0, limit: 5 }, { offset: 5, limit: 5 }, { offset: 33 }, { offset: 35 }, { offset: 2 ** 40, limit: 3 }, { limit: 0 }, { offset: -4, limit: -1 }, { offset: 30, limit: 2 ** 40 }]) {
            await results(s, order, page);
          }
        }
        for (const n of [0, 1, 3, 35, 1000]) await same(`best ${n}`, () => liteSweeps.getBestSweepResults(pair.app, s, n), () => pgSweeps.getBestSweepResults(pair.pg, s, n));
      }
      // Non-finite objectives count as none; the metrics themselves read back as JSON gives them (NaN -> null).
      const best = await pgSweeps.getBestSweepResults(pair.pg, max, 1);
      expect(best[0]).toMatchObject({ seq: 14, objectiveValue: 7.25 });
      const grid = (await pgSweeps.getSweepResults(pair.pg, max, 'GRID', { offset: 4, limit: 4 })).items;
      expect(grid.map((r) => [r.seq, r.objectiveValue])).toEqual([[4, null], [5, 0.1 + 0.2], [7, null], [8, null]]);

      // A chunk with a combination already stored fails whole: nothing of it, no counter moved, on either side.
      const dup = [...outcomesOf(40, 42), ...outcomesOf(3, 4)];
      expect(await thrown(() => liteSweeps.recordSweepResults(pair.app, max.id, 'sharpe', dup))).toHaveProperty('other');
      expect(await thrown(() => pgSweeps.recordSweepResults(pair.pg, max.id, 'sharpe', dup))).toHaveProperty('other');
      await getSweep(max.id);
      await results(max, 'GRID');
    });

    it('links runs to results (unlinked when the run is deleted), finishes sweeps once, fails interrupted ones', async () => {
      const [max] = sweeps;
      const runIds = [];
      for (let i = 0; i < 3; i++) runIds.push((await same('createRun', () => liteRuns.createRun(pair.app, RUN), () => pgRuns.createRun(pair.pg, RUN))).id);
      const link = (seq: number, runId: number) =>
        same(`linkSweepRun(${seq}, ${runId})`, () => liteSweeps.linkSweepRun(pair.app, max!.id, seq, runId), () => pgSweeps.linkSweepRun(pair.pg, max!.id, seq, runId));
      await link(14, runIds[0]!);
      await link(17, runIds[1]!);
      await link(0, runIds[2]!);
      await link(6, runIds[2]!); // a failed combination: no result row to link
      await link(2 ** 40, runIds[2]!);
      const best = await same('best 3 linked', () => liteSweeps.getBestSweepResults(pair.app, max!, 3), () => pgSweeps.getBestSweepResults(pair.pg, max!, 3));
      expect(best.map((r) => r.runId)).toEqual([runIds[0], runIds[1], null]);
      liteRuns.deleteRuns(pair.app, [runIds[1]!]);
      await pgRuns.deleteRuns(pair.pg, [runIds[1]!]);
      const after = await results(max!, 'OBJECTIVE', { limit: 2 });
      expect(after.items.map((r) => r.runId)).toEqual([runIds[0], null]);

      const finish = (id: number, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', error?: string | null) =>
        same(`finishSweep(${id}, ${status})`, () => liteSweeps.finishSweep(pair.app, id, status, error), () => pgSweeps.finishSweep(pair.pg, id, status, error));
      expect(await finish(max!.id, 'COMPLETED')).toMatchObject({ status: 'COMPLETED', error: null });
      expect(await finish(max!.id, 'FAILED', 'too late')).toMatchObject({ status: 'COMPLETED', error: null });
      expect(await finish(3, 'CANCELLED', 'cancelled by user')).toMatchObject({ status: 'CANCELLED', error: 'cancelled by user' });
      expect(await finish(99, 'FAILED')).toBeNull();
      expect(await finish(2 ** 40, 'FAILED')).toBeNull();

      const n = await same('markInterruptedSweeps', () => liteSweeps.markInterruptedSweeps(pair.app), () => pgSweeps.markInterruptedSweeps(pair.pg));
      expect(n).toBe(3); // 2 (RUNNING), 4 and 5 (QUEUED)
      expect(await same('again', () => liteSweeps.markInterruptedSweeps(pair.app), () => pgSweeps.markInterruptedSweeps(pair.pg))).toBe(0);
      await same('every sweep', () => liteSweeps.listSweeps(pair.app, { first: 100 }), () => pgSweeps.listSweeps(pair.pg, { first: 100 }));
    });
  });

  describe('API keys', () => {
    const secrets = { lite: new Map<string, string>(), pg: new Map<string, string>() };
    async function create(name: string, role: string) {
      const l = liteKeys.createApiKey(pair.app, name, role);
      const p = await pgKeys.createApiKey(pair.pg, name, role);
      expect(withoutTimes(p.key)).toEqual(withoutTimes(l.key));
      expect(p.secret).toMatch(/^bt_[A-Za-z0-9_-]{43}$/);
      expect(p.secret).not.toBe(l.secret);
      secrets.lite.set(name, l.secret);
      secrets.pg.set(name, p.secret);
      return p.key;
    }
    const hasActive = () => same('hasActiveKeys', async () => liteKeys.hasActiveKeys(pair.app), () => pgKeys.hasActiveKeys(pair.pg));
    const find = (name: string) => same(`findActiveKey(${name})`, async () => liteKeys.findActiveKey(pair.app, secrets.lite.get(name)!), () => pgKeys.findActiveKey(pair.pg, secrets.pg.get(name)!));
    const revoke = (nameOrId: string) => same(`revokeApiKey(${nameOrId})`, async () => liteKeys.revokeApiKey(pair.app, nameOrId), () => pgKeys.revokeApiKey(pair.pg, nameOrId));

    it('creates, finds, lists and revokes keys alike', async () => {
      expect(await hasActive()).toBe(false);
      expect(await create('alice', 'admin')).toMatchObject({ id: 1, name: 'alice', role: 'admin', revokedAt: null });
      await create('bob.ci-1', 'run');
      await create('reader_2', 'read');
      await create('1', 'read'); // a name of digits, while key 1 is alice
      expect(await hasActive()).toBe(true);
      for (const name of ['alice', 'bob.ci-1', 'reader_2', '1']) expect((await find(name))!.name).toBe(name);
      // Each side's secret means nothing to the other; malformed ones are not looked up.
      expect(await pgKeys.findActiveKey(pair.pg, secrets.lite.get('alice')!)).toBeNull();
      for (const bad of ['', 'bt_', `${secrets.pg.get('alice')!}x`, secrets.pg.get('alice')!.toUpperCase(), "bt_' OR 1=1 --"]) {
        expect(await pgKeys.findActiveKey(pair.pg, bad)).toBeNull();
      }
      await same('listApiKeys', async () => liteKeys.listApiKeys(pair.app), () => pgKeys.listApiKeys(pair.pg));

      const bob = await revoke('bob.ci-1');
      expect(bob).toMatchObject({ name: 'bob.ci-1', revokedAt: expect.any(Number) });
      expect(await revoke('bob.ci-1')).toEqual(bob); // revoked once: the time stays
      expect(await find('bob.ci-1')).toBeNull();
      expect(await revoke('3')).toMatchObject({ name: 'reader_2' });
      // '1' is both alice's id and the fourth key's name: both are revoked, the one named so is returned.
      expect(await revoke('1')).toMatchObject({ id: 4, name: '1' });
      expect(await find('1')).toBeNull();
      expect(await find('alice')).toBeNull();
      for (const missing of ['nobody', '999999999999999', '2147483648', '0', '-1', '1e3', '']) expect(await revoke(missing)).toBeNull();
      expect(await hasActive()).toBe(false);
      await same('listApiKeys after', async () => liteKeys.listApiKeys(pair.app), () => pgKeys.listApiKeys(pair.pg));
    });

    it('refuses bad names, roles and taken names with the same ApiKeyError', async () => {
      const cases: [string, string][] = [
        ['', 'read'],
        ['has space', 'read'],
        ['-leading', 'read'],
        ['x'.repeat(65), 'read'],
        ['ünicode', 'read'],
        ['fine', 'root'],
        ['fine', ''],
        ['alice', 'read'], // revoked, the name stays taken
        ['reader_2', 'admin'],
      ];
      for (const [name, role] of cases) {
        const expected = await thrown(() => liteKeys.createApiKey(pair.app, name, role));
        expect(expected).toHaveProperty('ApiKeyError', true);
        expect(await thrown(() => pgKeys.createApiKey(pair.pg, name, role)), `${name} ${role}`).toEqual(expected);
      }
      await same('listApiKeys unchanged', async () => liteKeys.listApiKeys(pair.app), () => pgKeys.listApiKeys(pair.pg));
    });

    it('a name taken by another process between the check and the insert gives the same ApiKeyError, not the unique violation', async () => {
      // Another connection inserts 'racer' and holds its transaction open: this creation's check
      // does not see that row yet, so its insert waits on the unique index until the other commits.
      const other = await pair.pg.pool.connect();
      try {
        await other.query('BEGIN');
        await other.query("INSERT INTO api_keys (name, role, secret_hash, created_at) VALUES ('racer', 'run', 'other-process', 0)");
        const creation = pgKeys.createApiKey(pair.pg, 'racer', 'run').then(
          () => 'created',
          (e: unknown) => e,
        );
        for (let waiting = 0; waiting === 0; ) {
          const r = await pair.pg.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
          waiting = (r.rows[0] as { n: number }).n;
        }
        await other.query('COMMIT');
        const error = await creation;
        expect(error).toBeInstanceOf(ApiKeyError);
        expect(error).toMatchObject({ field: 'name', message: 'a key named racer exists already (names stay taken after a revocation)' });
      } finally {
        other.release();
      }
      expect((await pgKeys.listApiKeys(pair.pg)).filter((k) => k.name === 'racer')).toHaveLength(1);
    });
  });
});
