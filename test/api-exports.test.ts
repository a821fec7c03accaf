/**
 * Exports over HTTP from a real server: GET /runs/:id/{fills,orders,round-trips,equity}.{csv,json}.
 * The CSV is parsed back with a small RFC 4180 parser written here and compared with what storage
 * holds; a 1,000,000-point equity curve is downloaded while the server's heap is sampled, to show
 * the export streams instead of building the text in memory.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEquity } from '../src/data/equity-codec.js';
import { csvField } from '../src/http/exports.js';
import { IsoTimeFormatter } from '../src/http/iso-times.js';
import { loadReference } from './support/sp500.js';
import { allFills, REPO_ROOT, startServer, waitFor, type TestServer } from './support/test-server.js';

const ref = loadReference();
const INPUT = { strategy: 'sma-crossover', params: ref.input.params, symbols: ['SPX'], period: 'DAY', dataset: 'demo', initialCash: ref.input.initialCash, commission: ref.input.commission };

/** RFC 4180: CRLF records, fields optionally quoted, "" inside quotes is one quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\n' || c === '\r') {
      throw new Error(`bare line break at ${i}: records must end with CRLF`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record without CRLF');
  return rows;
}

describe('run exports over HTTP', () => {
  let server: TestServer;
  let base: string;
  let id: string;

  beforeAll(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${server.port}`;
    const { runBacktest } = await server.gqlOk<{ runBacktest: { id: string } }>(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`, {
      input: { ...INPUT, benchmark: { symbol: 'SPX' } },
    });
    id = runBacktest.id;
    await waitFor(async () => (await server.gqlOk<{ run: { status: string } }>(`query($id: ID!) { run(id: $id) { status } }`, { id })).run.status === 'COMPLETED', {
      what: 'the reference run',
      timeoutMs: 60_000,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${base}${path}`, init);

  it('fills.csv parses back to exactly the stored fills', async () => {
    const res = await get(`/runs/${id}/fills.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="run-${id}-fills.csv"`);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual(['id', 'orderId', 'time', 'symbol', 'side', 'quantity', 'price', 'commission']);
    const stored = (await server.app.storage.getFills(Number(id))).items;
    expect(stored).toHaveLength(ref.fills.length);
    expect(rows.slice(1).map((r) => ({
      id: r[0], orderId: r[1], time: Date.parse(r[2]), symbol: r[3], side: r[4], quantity: Number(r[5]), price: Number(r[6]), commission: Number(r[7]),
    }))).toEqual(stored.map((f) => ({
      id: `${id}:${f.id}`, orderId: `${id}:${f.orderId}`, time: f.time, symbol: f.symbol, side: f.side, quantity: f.quantity, price: f.price, commission: f.commission,
    })));
  });

  it('fills.json equals the GraphQL fills', async () => {
    const res = await get(`/runs/${id}/fills.json`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const { fills } = await allFills(server.gqlOk, id);
    expect(await res.json()).toEqual(fills);
  });

  it('round-trips and orders, CSV and JSON, hold every stored row', async () => {
    const trips = (await server.app.storage.getRoundTrips(Number(id))).items;
    const csv = parseCsv(await (await get(`/runs/${id}/round-trips.csv`)).text());
    expect(csv[0]).toEqual(['symbol', 'side', 'quantity', 'entryTime', 'exitTime', 'entryPrice', 'exitPrice', 'pnl', 'return', 'returnPct', 'bars']);
    expect(csv.slice(1).map((r) => [r[0], r[1], Number(r[2]), Date.parse(r[3]), Date.parse(r[4]), Number(r[5]), Number(r[6]), Number(r[7]), Number(r[9]), Number(r[10])]))
      .toEqual(trips.map((t) => [t.symbol, t.side, t.quantity, t.entryTime, t.exitTime, t.entryPrice, t.exitPrice, t.pnl, t.returnPct, t.bars]));
    csv.slice(1).forEach((r, i) => expect(Number(r[8])).toBe(trips[i].pnl / (trips[i].quantity * trips[i].entryPrice)));
    const json = (await (await get(`/runs/${id}/round-trips.json`)).json()) as { pnl: number }[];
    expect(json.map((t) => t.pnl)).toEqual(trips.map((t) => t.pnl));
    const orders = (await server.app.storage.getOrders(Number(id))).items;
    const orderCsv = parseCsv(await (await get(`/runs/${id}/orders.csv`)).text());
    expect(orderCsv).toHaveLength(orders.length + 1);
    expect(orderCsv.slice(1).map((r) => [r[0], r[4], r[9], r[12]])).toEqual(orders.map((o) => [`${id}:${o.id}`, o.type, o.status, o.reason ?? '']));
    const orderJson = (await (await get(`/runs/${id}/orders.json`)).json()) as { limitPrice: number | null }[];
    expect(orderJson).toHaveLength(orders.length);
  });

  it('equity.csv: every stored point, with the benchmark column of a run that has one', async () => {
    const curve = (await server.app.storage.getEquityCurve(Number(id)))!;
    const rows = parseCsv(await (await get(`/runs/${id}/equity.csv`)).text());
    expect(rows[0]).toEqual(['time', 'equity', 'cash', 'drawdown', 'benchmark']);
    expect(rows).toHaveLength(curve.length + 1);
    rows.slice(1).forEach((r, k) => {
      expect([Date.parse(r[0]), Number(r[1]), Number(r[2]), Number(r[3])]).toEqual([curve.time[k], curve.equity[k], curve.cash[k], curve.drawdown[k]]);
    });
    expect(Number(rows[1][4])).toBe(ref.input.initialCash);
    const json = (await (await get(`/runs/${id}/equity.json`)).json()) as { equity: number }[];
    expect(json.map((p) => p.equity)).toEqual(Array.from(curve.equity));
  });

  it('refuses what is not an export of an ended run, with a status and a reason', async () => {
    const cases: [string, RequestInit | undefined, number, string][] = [
      ['/runs/999999/fills.csv', undefined, 404, 'no run with id 999999'],
      [`/runs/${id}/positions.csv`, undefined, 404, 'unknown export "positions"'],
      [`/runs/${id}/fills.xlsx`, undefined, 404, 'unknown format "xlsx"'],
      ['/runs/abc/fills.csv', undefined, 404, 'not a run id'],
      [`/runs/${id}/fills.csv`, { method: 'POST' }, 405, 'POST is not allowed'],
    ];
    for (const [path, init, status, message] of cases) {
      const res = await get(path, init);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: string }).error).toContain(message);
    }
    const queued = await server.app.storage.createRun({ strategy: 'sma-crossover', params: {}, symbols: ['SPX'], dataset: 'demo', period: 'DAY', initialCash: 1, commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0 });
    const res = await get(`/runs/${queued.id}/equity.csv`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe(`run ${queued.id} is QUEUED; its results can be exported once it has ended`);
    const head = await get(`/runs/${id}/fills.csv`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('the CLI writes the same files: `backtest export RUN_ID --what W --format F [--out FILE]`', async () => {
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        // Async, not spawnSync: the server answering the HTTP side lives in this process.
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...server.databaseEnv } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const [fromCli, fromHttp] = await Promise.all([cli(['export', id, '--what', 'fills']), get(`/runs/${id}/fills.csv`).then((r) => r.text())]);
    expect(fromCli.code, fromCli.stderr).toBe(0);
    expect(fromCli.stdout).toBe(fromHttp);
    const out = join(server.dir, 'trips.json');
    const written = await cli(['export', id, '--what', 'round-trips', '--format', 'json', '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(await (await get(`/runs/${id}/round-trips.json`)).text());
    const missing = await cli(['export', '999999', '--what', 'fills']);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'backtest: <run-id>: no run with id 999999']);
    const badWhat = await cli(['export', id, '--what', 'positions']);
    expect(badWhat.code).toBe(2);
    expect(badWhat.stderr).toContain('positions');
  });

  it('formats times exactly like Date#toISOString', () => {
    const f = new IsoTimeFormatter();
    let seed = 5;
    const samples = [0, -1, 86_399_999, 86_400_000, -86_400_001, Date.UTC(2020, 1, 29, 23, 59, 59, 999), Date.parse('0000-01-01T00:00:00Z'), Date.parse('0000-01-01T00:00:00Z') - 1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), 1.5];
    for (let i = 0; i < 20_000; i++) samples.push((seed = (seed * 48271) % 2147483647) * 1e4 - 1e13, Date.UTC(2020, 0, 1) + i * 61_001);
    for (const ms of samples) expect(f.format(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('quotes fields as RFC 4180 says', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(-0.000123)).toBe('-0.000123');
    expect(parseCsv(['a', csvField('x,"y"'), csvField('p\r\nq')].join(',') + '\r\n')).toEqual([['a', 'x,"y"', 'p\r\nq']]);
  });

  it('streams a 1,000,000-point equity curve with the server heap bounded', async () => {
    // A stored run with a synthetic million-point curve (no simulation needed to test the export).
    const n = 1_000_000;
    const time = new Float64Array(n);
    const equity = new Float64Array(n);
    const cash = new Float64Array(n);
    const drawdown = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      time[k] = Date.UTC(2020, 0, 1) + k * 60_000;
      equity[k] = 100_000 + 1_000 * Math.sin(k / 997) + k / 7;
      cash[k] = 50_000 + k / 3;
    }
    // The drawdown the engine would give (1 - equity / running peak): stored curves recompute it.
    for (let k = 0, peak = -Infinity; k < n; k++) {
      peak = Math.max(peak, equity[k]!);
      drawdown[k] = 1 - equity[k]! / peak;
    }
    const run = await server.app.storage.createRun({ strategy: 'sma-crossover', params: {}, symbols: ['AAA'], dataset: 'synthetic', period: 'MINUTE', initialCash: 100_000, commission: { perUnit: 0, minimumPerOrder: 0, percentOfNotional: 0 }, slippageBps: 0 });
    const metrics = { finalEquity: equity[n - 1], totalReturn: 0, cagr: null, volatility: null, sharpe: null, sortino: null, maxDrawdown: 0, maxDrawdownDuration: 0, trades: 0, winRate: null, profitFactor: null, totalCommission: 0, exposure: 0 };
    // Encoded from copies: storing moves the encoded columns' buffers to the storage thread.
    const stored = encodeEquity({ length: n, time: time.slice(), equity: equity.slice(), cash: cash.slice(), drawdown: drawdown.slice() });
    await server.app.storage.storeOutcome(run.id, { status: 'COMPLETED', error: null, progress: 1, barsProcessed: n, metrics, blocks: [], equity: stored });

    // Live heap, not garbage awaiting collection: collect, then read heapUsed (gc exposed at runtime).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const liveHeap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const baseline = liveHeap();
    let peak = baseline;
    let samples = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, liveHeap());
      samples++;
    }, 100);
    let bytes = 0;
    let lines = 0;
    let head = '';
    let tail = new Uint8Array(0);
    try {
      const res = await get(`/runs/${run.id}/equity.csv`);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes += value.length;
        for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
        if (head.length < 200) head += new TextDecoder().decode(value.subarray(0, 200));
        tail = value.length >= 200 ? value.slice(value.length - 200) : Uint8Array.from([...tail, ...value]).slice(-200);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(lines).toBe(n + 1);
    const firstRow = head.split('\r\n')[1].split(',');
    expect(firstRow).toEqual([new Date(time[0]).toISOString(), String(equity[0]), String(cash[0]), String(drawdown[0])]);
    const lastRow = new TextDecoder().decode(tail).trimEnd().split('\r\n').at(-1)!.split(',');
    expect(lastRow).toEqual([new Date(time[n - 1]).toISOString(), String(equity[n - 1]), String(cash[n - 1]), String(drawdown[n - 1])]);
    // The text is tens of megabytes; a streamed export holds a slice of it at a time, so the live heap
    // grows by far less than the text (the stored curve itself is 32 MB of binary columns, outside the heap).
    const grown = peak - baseline;
    console.log(`equity export: ${(bytes / 1e6).toFixed(1)} MB of CSV, live heap peak +${(grown / 1e6).toFixed(1)} MB over ${samples} samples`);
    expect(samples).toBeGreaterThan(3);
    expect(bytes).toBeGreaterThan(50e6);
    expect(grown).toBeLessThan(bytes / 4);
  });
});
